package io.synthstream.evaluator.logic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.EvaluationSettings;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.ModelParams;
import io.synthstream.avro.Sample;
import io.synthstream.common.json.ReplyJson;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.SimulatedContent;
import io.synthstream.common.task.Messages;
import io.synthstream.common.task.TaskKinds;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The LLM judge's call and the reading of its verdict. The prompt gives the rubric, the task
 * (kind, description, allowed labels, grounding context), the conditions and the sample's fields,
 * and asks for {@code {"score": 1..5, "rationale": "..."}} at temperature 0 (with a JSON schema
 * where the provider supports one); a request's {@code evaluation.judge_model} sets the model and
 * may override temperature, top_p, max_tokens, seed and extra parameters. When the task has labels, the judge also names the label a
 * careful reader would assign and its confidence ({@code "label"}, {@code "label_confidence"}):
 * the quality gate's judge-source relabel reads them, and the score judges everything but the
 * label's correctness, so a mislabelled but well-written text can be relabelled instead of lost.
 */
public final class Judge {
    static final int RATIONALE_MAX_CHARS = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Judge() {}

    /**
     * A parsed verdict.
     *
     * @param label the label the judge would assign (one of the task's), or null
     * @param labelConfidence its confidence in [0,1], or null without a label
     */
    public record Verdict(double score, String rationale, String label, Double labelConfidence) {}

    /** A reply that holds no verdict; the message says why. */
    public static final class UnreadableVerdictException extends Exception {
        private static final long serialVersionUID = 1L;

        UnreadableVerdictException(String message) {
            super(message);
        }
    }

    /** Whether the request wants its samples judged (the evaluator's switch is checked by the caller). */
    public static boolean enabled(GenerationRequest spec) {
        EvaluationSettings e = spec.getEvaluation();
        return e == null || e.getJudgeEnabled();
    }

    /** The judge model for a request: its {@code evaluation.judge_model}, else {@code configured}. */
    public static String model(GenerationRequest spec, String configured) {
        EvaluationSettings e = spec.getEvaluation();
        ModelParams m = e == null ? null : e.getJudgeModel();
        return m != null && m.getModel() != null ? m.getModel() : configured;
    }

    /** The named provider of a request's {@code evaluation.judge_model}, or null for the default one. */
    public static String provider(GenerationRequest spec) {
        EvaluationSettings e = spec.getEvaluation();
        ModelParams m = e == null ? null : e.getJudgeModel();
        return m == null ? null : m.getProvider();
    }

    public static String rubricVersion(GenerationRequest spec) {
        EvaluationSettings e = spec.getEvaluation();
        String version = Rubrics.version(
                spec.getTask().getKind(), e == null ? null : e.getJudgeRubric(), spec.getSeeds() != null);
        return lastTurnOnly(spec) ? version + "-last-turn" : version;
    }

    /** Whether the judge rates a conversation's last assistant reply only ({@code conversation.judge_turns: last}). */
    static boolean lastTurnOnly(GenerationRequest spec) {
        return TaskKinds.CONVERSATION.equals(spec.getTask().getKind())
                && spec.getConversation() != null
                && "last".equals(spec.getConversation().getJudgeTurns());
    }

    public static LlmRequest request(
            Sample sample, GenerationRequest spec, String model, int maxTokens, LlmRequest.ResponseFormat format) {
        EvaluationSettings e = spec.getEvaluation();
        String rubric = Rubrics.rubric(
                spec.getTask().getKind(), e == null ? null : e.getJudgeRubric(), spec.getSeeds() != null);
        StringBuilder user = new StringBuilder();
        user.append("Task kind: ").append(spec.getTask().getKind()).append('\n');
        if (spec.getTask().getDescription() != null) {
            user.append("Task description: ")
                    .append(spec.getTask().getDescription())
                    .append('\n');
        }
        if (!spec.getTask().getLabels().isEmpty()) {
            user.append("Allowed labels: ")
                    .append(String.join(", ", spec.getTask().getLabels()))
                    .append('\n');
        }
        if (spec.getTask().getContext() != null) {
            user.append("Context:\n").append(spec.getTask().getContext()).append('\n');
        }
        if (!sample.getAttributes().isEmpty()) {
            user.append("Conditions: ")
                    .append(JSON.<JsonNode>valueToTree(new TreeMap<>(sample.getAttributes()))
                            .toString())
                    .append('\n');
        }
        if (sample.getSeed() != null) {
            user.append("Seed (")
                    .append(sample.getSeed().getSource())
                    .append(", chunk ")
                    .append(sample.getSeed().getChunk() + 1)
                    .append(" of ")
                    .append(sample.getSeed().getChunks())
                    .append("):\n")
                    .append(JSON.<JsonNode>valueToTree(
                                    new TreeMap<>(sample.getSeed().getFields()))
                            .toString())
                    .append('\n');
        }
        String conversation = TaskKinds.CONVERSATION.equals(spec.getTask().getKind())
                ? sample.getFields().get(TaskKinds.MESSAGES)
                : null;
        if (conversation != null) {
            List<Messages.Message> messages;
            try {
                messages = Messages.parse(conversation);
            } catch (IllegalArgumentException notAConversation) {
                messages = List.of(new Messages.Message(Messages.USER, conversation));
            }
            user.append("Conversation:\n\n")
                    .append(Messages.transcript(messages))
                    .append("\n\n");
            if (lastTurnOnly(spec)) {
                user.append("Judge only the assistant's last reply; the turns before it are its context.\n");
            }
        } else {
            user.append("Sample:\n")
                    .append(JSON.<JsonNode>valueToTree(new TreeMap<>(sample.getFields()))
                            .toString())
                    .append("\n\n");
        }
        List<String> labels = spec.getTask().getLabels();
        if (labels.isEmpty()) {
            user.append("Judge the sample against the rubric. Reply with only a JSON object:"
                    + " {\"score\": <integer 1-5>, \"rationale\": \"<one or two sentences>\"}");
        } else {
            user.append("Judge the sample against the rubric. Then, reading only the text, name the allowed label"
                    + " a careful reader would assign and how sure you are. Reply with only a JSON object:"
                    + " {\"score\": <integer 1-5>, \"rationale\": \"<one or two sentences>\","
                    + " \"label\": \"<one allowed label>\", \"label_confidence\": <0.0-1.0>}");
        }
        ObjectNode schema = JSON.createObjectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        properties.putObject("score").put("type", "integer").put("minimum", 1).put("maximum", 5);
        properties.putObject("rationale").put("type", "string");
        var required = schema.putArray("required").add("score").add("rationale");
        if (!labels.isEmpty()) {
            var allowed = properties.putObject("label").put("type", "string").putArray("enum");
            labels.forEach(allowed::add);
            properties
                    .putObject("label_confidence")
                    .put("type", "number")
                    .put("minimum", 0)
                    .put("maximum", 1);
            required.add("label").add("label_confidence");
        }
        schema.put("additionalProperties", false);
        Map<String, String> hints = Map.of(SimulatedContent.SAMPLE_HINT, sample.getSampleId() + "/judge");
        ModelParams params = e == null ? null : e.getJudgeModel();
        return new LlmRequest(
                model,
                List.of(
                        LlmRequest.Message.system(
                                "You are a strict, consistent judge of synthetic training data.\n" + rubric),
                        LlmRequest.Message.user(user.toString())),
                params != null && params.getTemperature() != null ? params.getTemperature() : 0.0,
                params == null ? null : params.getTopP(),
                params != null && params.getMaxTokens() != null ? params.getMaxTokens() : maxTokens,
                params == null ? null : params.getSeed(),
                format,
                schema,
                hints,
                params == null ? Map.of() : params.getExtra(),
                provider(spec));
    }

    /**
     * The verdict in a reply: a JSON object with a score in [1,5] (numbers or numeric strings). A
     * label outside {@code labels} is dropped (the verdict stands, without a label); a missing or
     * unreadable confidence with a label counts as 1, one outside [0,1] is clamped.
     */
    public static Verdict parse(String reply, List<String> labels) throws UnreadableVerdictException {
        JsonNode object;
        try {
            object = ReplyJson.extract(reply);
        } catch (ReplyJson.NoJsonObjectException e) {
            throw new UnreadableVerdictException(e.getMessage());
        }
        JsonNode score = object.get("score");
        double value;
        if (score != null && score.isNumber()) {
            value = score.asDouble();
        } else if (score != null && score.isTextual()) {
            try {
                value = Double.parseDouble(score.asText().strip());
            } catch (NumberFormatException e) {
                throw new UnreadableVerdictException("score is not a number: " + score);
            }
        } else {
            throw new UnreadableVerdictException("the verdict has no score field");
        }
        if (!(value >= 1 && value <= 5)) {
            throw new UnreadableVerdictException("score " + value + " is outside 1-5");
        }
        JsonNode rationale = object.get("rationale");
        String text = rationale == null || rationale.isNull()
                ? ""
                : rationale.asText().strip();
        if (text.length() > RATIONALE_MAX_CHARS) {
            text = text.substring(0, RATIONALE_MAX_CHARS - 1) + "…";
        }
        String label =
                object.path("label").isTextual() ? object.get("label").asText().strip() : null;
        Double confidence = null;
        if (label != null && labels.contains(label)) {
            JsonNode c = object.get("label_confidence");
            double read = c != null && c.isNumber() ? c.asDouble() : numberOr(c, 1.0);
            confidence = Math.max(0.0, Math.min(1.0, read));
        } else {
            label = null;
        }
        return new Verdict(value, text, label, confidence);
    }

    private static double numberOr(JsonNode node, double otherwise) {
        if (node == null || !node.isTextual()) {
            return otherwise;
        }
        try {
            double v = Double.parseDouble(node.asText().strip());
            return Double.isNaN(v) ? otherwise : v;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
