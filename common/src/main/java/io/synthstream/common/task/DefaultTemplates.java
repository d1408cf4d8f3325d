package io.synthstream.common.task;

/**
 * The built-in templates of each task kind (Pebble syntax, rendered by the generator's {@code Templates}). A request
 * overrides them with {@code task.system_template} / {@code task.instruction_template}, or per step.
 */
public final class DefaultTemplates {
    /** Version written to traces when the request does not name its own. */
    public static final String VERSION = "builtin-1";

    public static final String EVOLVE_SYSTEM =
            "You rewrite tasks to make them more complex (Evol-Instruct): deeper reasoning, more constraints,"
                    + " or broader scope, while keeping them answerable and self-contained.";

    /** The user simulator's persona in the conversation recipe ({@code conversation.user_system_template}). */
    public static final String CONVERSATION_USER_SYSTEM =
            "You play a human user talking with an AI assistant{% if task %} about {{ task }}{% endif %}."
                    + "{% if attribute_lines %}\nWho you are and what you want:\n{{ attribute_lines }}{% endif %}\n"
                    + "Write only the user's next message, as a person would type it: specific, natural, and"
                    + " building on the assistant's last reply (a follow-up question, a correction, a new"
                    + " detail, or a related request). Never answer as the assistant.";

    /** The assistant's system prompt in the conversation recipe ({@code conversation.assistant_system_template}). */
    public static final String CONVERSATION_ASSISTANT_SYSTEM =
            "You are a helpful, honest and knowledgeable assistant. Answer the user's messages accurately and"
                    + " completely, and ask for what you need when a request is unclear.";

    /** The user simulator's instruction for its turn; the conversation so far follows it. */
    public static final String CONVERSATION_USER_TURN =
            "{% if task %}The conversation is about {{ task }}. {% endif %}Write the user's next message.";

    /** The assistant's instruction for its turn, after the conversation's messages. */
    public static final String CONVERSATION_ASSISTANT_TURN = "Reply to the user's last message.";

    private DefaultTemplates() {}

    public static String system(String kind) {
        return switch (kind) {
            case TaskKinds.CLASSIFICATION ->
                "You are a data generator creating realistic, varied examples for a text classification dataset"
                        + "{% if task %} about {{ task }}{% endif %}. Every example must clearly belong to its label.";
            case TaskKinds.INSTRUCTION ->
                "You create diverse, high-quality instruction-tuning data in the style of Self-Instruct"
                        + "{% if task %} for {{ task }}{% endif %}.";
            case TaskKinds.CONVERSATION -> CONVERSATION_ASSISTANT_SYSTEM;
            case TaskKinds.PREFERENCE ->
                "You write realistic, varied requests that people send to AI assistants"
                        + "{% if task %} about {{ task }}{% endif %}.";
            case TaskKinds.QA ->
                "You write accurate question-answer pairs{% if task %} about {{ task }}{% endif %},"
                        + " with careful step-by-step reasoning.";
            default -> "You generate synthetic data{% if task %} for {{ task }}{% endif %}. Be accurate and varied.";
        };
    }

    public static String instruction(String kind) {
        return switch (kind) {
            case TaskKinds.CLASSIFICATION ->
                "Write one realistic example text whose label is \"{{ label }}\" (possible labels: {{ labels | join(\", \") }}).\n"
                        + "{% if attribute_lines %}The text must reflect these properties:\n{{ attribute_lines }}\n{% endif %}"
                        + "Do not mention the label itself.";
            case TaskKinds.INSTRUCTION ->
                "Write one new, self-contained task instruction, an optional input it refers to (an empty string"
                        + " if none), and a complete, correct output.\n"
                        + "{% if attribute_lines %}Properties of the task:\n{{ attribute_lines }}{% endif %}";
            case TaskKinds.PREFERENCE ->
                "Write one realistic, self-contained request a user could send to an AI assistant"
                        + "{% if task %} about {{ task }}{% endif %}.\n"
                        + "{% if attribute_lines %}Properties of the request:\n{{ attribute_lines }}{% endif %}";
            case TaskKinds.QA ->
                "{% if context %}Using only this context:\n{{ context }}\n\n{% endif %}"
                        + "Write one question, the step-by-step reasoning that answers it, and the final answer.\n"
                        + "{% if attribute_lines %}Properties of the question:\n{{ attribute_lines }}{% endif %}";
            default ->
                "Generate one example with the requested fields.\n"
                        + "{% if attribute_lines %}Properties:\n{{ attribute_lines }}{% endif %}";
        };
    }
}
