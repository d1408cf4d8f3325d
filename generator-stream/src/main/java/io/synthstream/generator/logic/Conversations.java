package io.synthstream.generator.logic;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.Conversation;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.OutputField;
import io.synthstream.avro.StepTrace;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.task.DefaultTemplates;
import io.synthstream.common.task.Messages;
import io.synthstream.common.task.TaskKinds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The multi-turn conversation recipe (UltraChat; Baize's self-chat): a user simulator and an
 * assistant take turns, each turn one call through the runtime, and the whole conversation is one
 * sample whose {@code messages} field is in the OpenAI chat format. A conversation of {@code turns}
 * exchanges is the step plan {@code user-1, assistant-1, ..., user-N, assistant-N}, so a
 * conversation is held, resumed after a restart, repaired and priced exactly as any multi-step
 * sample; only the prompts, the stop rule and the sample's fields differ, and they are here.
 *
 * <p>The user simulator sees its persona (system) and a transcript of the conversation so far; the
 * assistant sees its own system prompt and the conversation as chat messages. The simulator may end
 * the conversation after {@code min_turns} exchanges by answering {@code done: true}; that last
 * message is not sent, so a conversation always ends with the assistant's reply.
 */
public final class Conversations {
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";
    /** The field each turn writes. */
    public static final String CONTENT = "content";
    /** The user simulator's field that ends the conversation. */
    public static final String DONE = "done";

    public static final int MAX_TURNS = 20;
    public static final List<String> JUDGE_TURNS = List.of("all", "last");

    private static final List<OutputField> USER_FIELDS = List.of(
            TaskKinds.field(CONTENT, "string", true, "The user's next message to the assistant."),
            TaskKinds.field(
                    DONE,
                    "boolean",
                    false,
                    "true only when the user's goal is reached and they would end the conversation now"
                            + " instead of sending this message"));
    private static final List<OutputField> ASSISTANT_FIELDS =
            List.of(TaskKinds.field(CONTENT, "string", true, "The assistant's reply to the user's last message."));

    private Conversations() {}

    /** Whether the request is a conversation. */
    public static boolean of(GenerationRequest spec) {
        return TaskKinds.CONVERSATION.equals(spec.getTask().getKind());
    }

    /** The request's conversation settings, the defaults where it gives none. */
    public static Conversation settings(GenerationRequest spec) {
        return spec.getConversation() == null ? Conversation.newBuilder().build() : spec.getConversation();
    }

    /** The step plan of a conversation: a user and an assistant step per exchange. */
    static List<StepPlan> steps(GenerationRequest spec) {
        Conversation c = settings(spec);
        String userSystem = orElse(c.getUserSystemTemplate(), DefaultTemplates.CONVERSATION_USER_SYSTEM);
        String assistantSystem = assistantSystem(spec);
        List<StepPlan> steps = new ArrayList<>();
        for (int t = 1; t <= Math.max(1, Math.min(MAX_TURNS, c.getTurns())); t++) {
            steps.add(new StepPlan(
                    USER + "-" + t,
                    USER,
                    userSystem,
                    DefaultTemplates.CONVERSATION_USER_TURN,
                    USER_FIELDS,
                    c.getUserModel()));
            steps.add(new StepPlan(
                    ASSISTANT + "-" + t,
                    ASSISTANT,
                    assistantSystem,
                    DefaultTemplates.CONVERSATION_ASSISTANT_TURN,
                    ASSISTANT_FIELDS,
                    c.getAssistantModel()));
        }
        return steps;
    }

    /**
     * The call of a turn: {@code built} is the step's prompt as {@link PromptBuilder} renders it
     * (system; instruction and reply format), to which the conversation so far is added — as a
     * transcript for the user simulator, as chat messages for the assistant.
     *
     * @param earlier the finished turns' outputs by step name, in order
     */
    static LlmRequest request(LlmRequest built, StepPlan step, Map<String, Map<String, String>> earlier) {
        LlmRequest.Message system = built.messages().get(0);
        String turnPrompt = built.messages().get(1).content();
        List<Messages.Message> history = history(earlier);
        List<LlmRequest.Message> messages = new ArrayList<>();
        messages.add(system);
        if (USER.equals(step.kind())) {
            String context = history.isEmpty()
                    ? "The conversation has not started: write the user's opening message.\n\n"
                    : "The conversation so far:\n\n" + Messages.transcript(history) + "\n\n";
            messages.add(LlmRequest.Message.user(context + turnPrompt));
        } else {
            for (int i = 0; i < history.size(); i++) {
                Messages.Message m = history.get(i);
                boolean last = i == history.size() - 1;
                messages.add(
                        Messages.USER.equals(m.role())
                                ? LlmRequest.Message.user(last ? m.content() + "\n\n---\n" + turnPrompt : m.content())
                                : LlmRequest.Message.assistant(m.content()));
            }
        }
        return built.withConversation(messages);
    }

    /**
     * Whether the finished turn ends the conversation: a user turn that says {@code done: true}
     * once {@code min_turns} exchanges are complete (earlier, the flag is ignored and its message
     * is sent).
     */
    static boolean ends(GenerationRequest spec, StepPlan step, int stepIndex, Map<String, String> output) {
        return USER.equals(step.kind())
                && "true".equalsIgnoreCase(String.valueOf(output.get(DONE)).strip())
                && stepIndex / 2 >= settings(spec).getMinTurns();
    }

    /**
     * The sample's messages: the assistant's system prompt (unless {@code system_message} is
     * false), then every turn; a final user turn (the one that said done) is left out.
     */
    static List<Messages.Message> messages(
            GenerationRequest spec, ConditionTuple condition, Map<String, Map<String, String>> turns) {
        List<Messages.Message> messages = new ArrayList<>();
        if (settings(spec).getSystemMessage()) {
            Map<String, Object> vars = PromptBuilder.variables(
                    spec,
                    condition.getAttributes(),
                    Map.of(),
                    condition.getSeed() == null ? null : condition.getSeed().getFields());
            messages.add(new Messages.Message(
                    Messages.SYSTEM,
                    Templates.render(assistantSystem(spec), vars).strip()));
        }
        List<Messages.Message> history = history(turns);
        if (!history.isEmpty()
                && Messages.USER.equals(history.get(history.size() - 1).role())) {
            history = history.subList(0, history.size() - 1);
        }
        messages.addAll(history);
        return messages;
    }

    /** The sample's fields: {@code messages}. */
    static Map<String, String> fields(GenerationRequest spec, ConditionTuple condition, List<StepTrace> traces) {
        Map<String, Map<String, String>> turns = new java.util.LinkedHashMap<>();
        traces.forEach(t -> turns.put(t.getName(), t.getOutput()));
        return new java.util.LinkedHashMap<>(
                Map.of(TaskKinds.MESSAGES, Messages.json(messages(spec, condition, turns))));
    }

    private static List<Messages.Message> history(Map<String, Map<String, String>> earlier) {
        List<Messages.Message> history = new ArrayList<>();
        earlier.forEach((name, output) -> history.add(new Messages.Message(
                name.startsWith(USER + "-") ? Messages.USER : Messages.ASSISTANT,
                String.valueOf(output.get(CONTENT)).strip())));
        return history;
    }

    private static String assistantSystem(GenerationRequest spec) {
        Conversation c = settings(spec);
        return orElse(
                c.getAssistantSystemTemplate(),
                orElse(spec.getTask().getSystemTemplate(), DefaultTemplates.CONVERSATION_ASSISTANT_SYSTEM));
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
