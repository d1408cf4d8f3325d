package io.synthstream.common.task;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.OutputField;
import java.util.List;
import java.util.Map;

/**
 * The built-in task kinds and the output fields and dedup fields each implies when a request does
 * not declare its own. Shared by the generator (what to ask for) and the curator (what to check and
 * deduplicate).
 */
public final class TaskKinds {
    public static final String CLASSIFICATION = "classification";
    public static final String INSTRUCTION = "instruction";
    public static final String QA = "qa";
    public static final String CUSTOM = "custom";
    /** A multi-turn conversation (the conversation recipe): one field, {@value #MESSAGES}. */
    public static final String CONVERSATION = "conversation";

    /** A preference pair (the preference recipe): prompt, chosen, rejected, their scores and margin. */
    public static final String PREFERENCE = "preference";

    /**
     * The type of a conversation's {@code messages} field: a JSON array of {@code {role, content}}
     * objects (the OpenAI chat format, {@link Messages}). Only the built-in field of the
     * conversation kind has it; requests cannot declare it.
     */
    public static final String MESSAGES = "messages";

    /** Output field types the apps understand; {@code list} is a JSON array of strings. */
    public static final java.util.Set<String> FIELD_TYPES =
            java.util.Set.of("string", "label", "integer", "number", "boolean", "list");

    private static final Map<String, List<OutputField>> BUILT_IN_FIELDS = Map.of(
            CLASSIFICATION,
            List.of(field("text", "string", true, "The example text."), field("label", "label", true, "Its label.")),
            INSTRUCTION,
            List.of(
                    field("instruction", "string", true, "A task instruction."),
                    field("input", "string", false, "Optional input the instruction refers to."),
                    field("output", "string", true, "The response that fulfils the instruction.")),
            QA,
            List.of(
                    field("question", "string", true, "The question."),
                    field("reasoning", "string", false, "Step-by-step reasoning."),
                    field("answer", "string", true, "The answer.")),
            CONVERSATION,
            List.of(field(
                    MESSAGES,
                    MESSAGES,
                    true,
                    "The conversation in the OpenAI chat format: a JSON array of {role, content}.")),
            PREFERENCE,
            List.of(
                    field("prompt", "string", true, "The prompt both responses answer."),
                    field("chosen", "string", true, "The preferred response."),
                    field("rejected", "string", true, "The dispreferred response."),
                    field("chosen_score", "number", true, "The chosen response's score (1-5, or its wins)."),
                    field("rejected_score", "number", true, "The rejected response's score."),
                    field("margin", "number", true, "chosen_score minus rejected_score."),
                    field("tie", "boolean", true, "Whether the two scored the same (kept only with ties: keep)."),
                    field("chosen_model", "string", false, "The model that wrote the chosen response."),
                    field("rejected_model", "string", false, "The model that wrote the rejected response.")));

    private static final Map<String, List<String>> BUILT_IN_DEDUP_FIELDS = Map.of(
            CLASSIFICATION, List.of("text"),
            INSTRUCTION, List.of("instruction", "input", "output"),
            QA, List.of("question", "answer"),
            CONVERSATION, List.of(MESSAGES),
            PREFERENCE, List.of("prompt", "chosen"));

    private TaskKinds() {}

    /** Whether {@code kind} is one of the built-in kinds or {@code custom}. */
    public static boolean isKnown(String kind) {
        return BUILT_IN_FIELDS.containsKey(kind) || CUSTOM.equals(kind);
    }

    /** The type of the output field {@code name} of the request, or null when it declares none of that name. */
    public static String typeOf(GenerationRequest request, String name) {
        for (OutputField f : outputFields(request)) {
            if (f.getName().equals(name)) {
                return f.getType();
            }
        }
        return null;
    }

    /** The request's declared output fields, else its kind's built-in ones (empty for custom). */
    public static List<OutputField> outputFields(GenerationRequest request) {
        List<OutputField> declared = request.getTask().getOutputFields();
        if (!declared.isEmpty()) {
            return declared;
        }
        return BUILT_IN_FIELDS.getOrDefault(request.getTask().getKind(), List.of());
    }

    /**
     * The fields whose joined text is filtered and deduplicated: the request's {@code
     * curation.dedup_fields} if set, else the kind's main text fields, else every declared string
     * field (custom kinds).
     */
    public static List<String> dedupFields(GenerationRequest request) {
        if (request.getCuration() != null
                && !request.getCuration().getDedupFields().isEmpty()) {
            return request.getCuration().getDedupFields();
        }
        List<String> builtIn = BUILT_IN_DEDUP_FIELDS.get(request.getTask().getKind());
        if (builtIn != null && request.getTask().getOutputFields().isEmpty()) {
            return builtIn;
        }
        return outputFields(request).stream()
                .filter(f -> "string".equals(f.getType()) || MESSAGES.equals(f.getType()))
                .map(OutputField::getName)
                .toList();
    }

    /** An output field (the built-in fields of kinds and recipes). */
    public static OutputField field(String name, String type, boolean required, String description) {
        return OutputField.newBuilder()
                .setName(name)
                .setType(type)
                .setRequired(required)
                .setDescription(description)
                .build();
    }
}
