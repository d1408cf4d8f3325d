package io.synthstream.generator.logic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.Example;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.ModelParams;
import io.synthstream.avro.OutputField;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.SimulatedContent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a request, a condition tuple and the outputs of earlier steps into one chat call: the task specification (system and instruction templates), conditional prompting (the
 * tuple's attribute values), in-context demonstrations, optional chain-of-thought, and structured
 * output (a JSON schema from the step's output fields, sent as {@code response_format} and also
 * spelled out in the prompt so that text-only endpoints follow it too).
 */
public final class PromptBuilder {
    /** The field the model writes its reasoning into when chain-of-thought is on. */
    public static final String RATIONALE = "rationale";

    private static final ObjectMapper JSON = new ObjectMapper();

    private PromptBuilder() {}

    /**
     * The template variables of one step: every attribute by name, {@code attributes}, {@code
     * attribute_lines}, {@code label}, {@code labels}, {@code task}, {@code context}, {@code
     * dataset}, {@code seed} (the seed's fields, for seeded requests), and each earlier step by
     * name as a map of its output fields.
     *
     * @param seed the seed's fields, or null for an unseeded request
     */
    public static Map<String, Object> variables(
            GenerationRequest spec,
            Map<String, String> attributes,
            Map<String, Map<String, String>> earlier,
            Map<String, String> seed) {
        Map<String, Object> vars = new HashMap<>();
        Map<String, String> sorted = new TreeMap<>(attributes);
        vars.putAll(sorted);
        vars.put("attributes", sorted);
        StringBuilder lines = new StringBuilder();
        sorted.forEach((k, v) -> lines.append(lines.length() == 0 ? "" : "\n")
                .append("- ")
                .append(k)
                .append(": ")
                .append(v));
        vars.put("attribute_lines", lines.toString());
        vars.putIfAbsent("label", "");
        vars.put("labels", spec.getTask().getLabels());
        vars.put("task", orEmpty(spec.getTask().getDescription()));
        vars.put("context", orEmpty(spec.getTask().getContext()));
        vars.put("dataset", spec.getDataset());
        if (seed != null) {
            vars.put(Seeds.VARIABLE, seed);
        }
        vars.putAll(earlier);
        return vars;
    }

    /**
     * The call of step {@code stepIndex} for one sample.
     *
     * @param earlier outputs of the finished steps, by step name
     * @param format the structured-output mode of the provider
     * @param sampleId passed to the simulator as a hint, so that samples with the same prompt differ
     */
    public static LlmRequest build(
            GenerationRequest spec,
            ConditionTuple condition,
            List<StepPlan> steps,
            int stepIndex,
            Map<String, Map<String, String>> earlier,
            LlmRequest.ResponseFormat format,
            String sampleId) {
        StepPlan step = steps.get(stepIndex);
        Map<String, Object> vars = variables(
                spec,
                condition.getAttributes(),
                earlier,
                condition.getSeed() == null ? null : condition.getSeed().getFields());
        String system = Templates.render(step.systemTemplate(), vars).strip();
        StringBuilder user = new StringBuilder(
                Templates.render(step.instructionTemplate(), vars).strip());
        List<OutputField> fields = step.outputFields();
        appendDemonstrations(user, condition.getDemonstrations(), fields);
        boolean cot = spec.getChainOfThought();
        if (cot) {
            user.append("\n\nThink step by step: first write your reasoning in \"")
                    .append(RATIONALE)
                    .append("\", then fill in the other fields.");
        }
        user.append("\n\n").append(formatInstructions(fields, spec.getTask().getLabels(), cot));
        ModelParams params = merge(spec.getModel(), step.model());
        Map<String, String> hints = new LinkedHashMap<>();
        String label = condition.getAttributes().get("label");
        if (label != null) {
            hints.put(SimulatedContent.LABEL_HINT, label);
        }
        condition.getAttributes().forEach((k, v) -> hints.put(SimulatedContent.ATTRIBUTE_HINT_PREFIX + k, v));
        hints.put(SimulatedContent.SAMPLE_HINT, sampleId + "/" + stepIndex);
        String seedText = Seeds.text(spec, condition.getSeed());
        if (seedText != null) {
            hints.put(SimulatedContent.SEED_HINT, seedText);
        }
        return new LlmRequest(
                params.getModel(),
                List.of(LlmRequest.Message.system(system), LlmRequest.Message.user(user.toString())),
                params.getTemperature() == null ? 0.9 : params.getTemperature(),
                params.getTopP(),
                params.getMaxTokens() == null ? 1024 : params.getMaxTokens(),
                params.getSeed(),
                format,
                schema(fields, spec.getTask().getLabels(), cot),
                hints,
                params.getExtra(),
                params.getProvider());
    }

    /**
     * The named provider that answers step {@code stepIndex} of a request ({@code model.provider},
     * a step's own overriding the request's), or null for the default one.
     */
    public static String provider(GenerationRequest spec, List<StepPlan> steps, int stepIndex) {
        return merge(spec.getModel(), steps.get(stepIndex).model()).getProvider();
    }

    /** The repair turn after a reply that did not parse: the bad reply and what was wrong with it. */
    public static LlmRequest repair(LlmRequest original, String badReply, String problem) {
        return original.withMessages(List.of(
                LlmRequest.Message.assistant(badReply),
                LlmRequest.Message.user("Your reply could not be used: " + problem
                        + ". Reply again with only the JSON object described above, nothing else.")));
    }

    /** A JSON schema with one property per output field (label fields as an enum of the label set). */
    public static ObjectNode schema(List<OutputField> fields, List<String> labels, boolean rationale) {
        ObjectNode schema = JSON.createObjectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        ArrayNode required = JSON.createArrayNode();
        if (rationale) {
            properties.putObject(RATIONALE).put("type", "string").put("description", "Step-by-step reasoning.");
            required.add(RATIONALE);
        }
        for (OutputField field : fields) {
            ObjectNode property = properties.putObject(field.getName());
            switch (field.getType()) {
                case "label" -> {
                    property.put("type", "string");
                    ArrayNode values = property.putArray("enum");
                    labels.forEach(values::add);
                }
                case "integer", "number", "boolean" -> property.put("type", field.getType());
                case "list" -> property.put("type", "array").putObject("items").put("type", "string");
                default -> property.put("type", "string");
            }
            if (field.getDescription() != null) {
                property.put("description", field.getDescription());
            }
            if (field.getRequired()) {
                required.add(field.getName());
            }
        }
        schema.set("required", required);
        schema.put("additionalProperties", false);
        return schema;
    }

    static String formatInstructions(List<OutputField> fields, List<String> labels, boolean rationale) {
        StringBuilder text = new StringBuilder("Reply with only a JSON object with these fields:");
        if (rationale) {
            text.append("\n- \"").append(RATIONALE).append("\" (string): your step-by-step reasoning");
        }
        for (OutputField field : fields) {
            text.append("\n- \"").append(field.getName()).append("\" (");
            switch (field.getType()) {
                case "label" ->
                    text.append("one of ")
                            .append(String.join(
                                    ", ",
                                    labels.stream().map(l -> "\"" + l + "\"").toList()));
                case "list" -> text.append("array of strings");
                default -> text.append(field.getType());
            }
            text.append(field.getRequired() ? ", required)" : ", optional)");
            if (field.getDescription() != null) {
                text.append(": ").append(field.getDescription());
            }
        }
        return text.toString();
    }

    private static void appendDemonstrations(StringBuilder user, List<Example> examples, List<OutputField> fields) {
        List<String> shown = new ArrayList<>();
        for (Example example : examples) {
            ObjectNode node = JSON.createObjectNode();
            for (OutputField field : fields) {
                String value = example.getFields().get(field.getName());
                if (value != null) {
                    node.put(field.getName(), value);
                }
            }
            if (!node.isEmpty()) {
                shown.add(node.toString());
            }
        }
        if (!shown.isEmpty()) {
            user.append("\n\nExamples of good outputs (write something new, do not copy them):");
            for (int i = 0; i < shown.size(); i++) {
                user.append("\nExample ").append(i + 1).append(": ").append(shown.get(i));
            }
        }
    }

    private static ModelParams merge(ModelParams request, ModelParams step) {
        if (step == null) {
            return request;
        }
        ModelParams.Builder merged = ModelParams.newBuilder(request);
        if (step.getProvider() != null) {
            merged.setProvider(step.getProvider());
        }
        if (step.getModel() != null) {
            merged.setModel(step.getModel());
        }
        if (step.getTemperature() != null) {
            merged.setTemperature(step.getTemperature());
        }
        if (step.getTopP() != null) {
            merged.setTopP(step.getTopP());
        }
        if (step.getMaxTokens() != null) {
            merged.setMaxTokens(step.getMaxTokens());
        }
        if (step.getSeed() != null) {
            merged.setSeed(step.getSeed());
        }
        if (!step.getExtra().isEmpty()) {
            Map<String, String> extra = new LinkedHashMap<>(request.getExtra());
            extra.putAll(step.getExtra());
            merged.setExtra(extra);
        }
        return merged.build();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
