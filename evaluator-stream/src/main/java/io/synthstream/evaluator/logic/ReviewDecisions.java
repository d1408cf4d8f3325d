package io.synthstream.evaluator.logic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.common.dlq.DeadLetterReason;
import io.synthstream.common.dlq.DeadLetters;
import io.synthstream.common.json.AvroJson;
import io.synthstream.common.text.StrictUtf8;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a review decision means for the sample in review: its problems (each a reason to refuse
 * it), and the sample it accepts, if any. The decision record is owned here: actions accept,
 * reject (with a reason), relabel (a label of the task's set) and edit (fields the task declares).
 */
public final class ReviewDecisions {
    public static final String ACCEPT = "accept";
    public static final String REJECT = "reject";
    public static final String RELABEL = "relabel";
    public static final String EDIT = "edit";
    public static final List<String> ACTIONS = List.of(ACCEPT, REJECT, RELABEL, EDIT);

    /** The reviewer name and rejection reason of a review that timed out. */
    public static final String TIMEOUT = "review_timeout";

    /** The reason a reviewer's rejection is counted under when it gives none. */
    public static final String REVIEW = "review";

    /** The stage named on dead letters of refused decisions. */
    public static final String STAGE = "review";

    /** The largest plain-JSON decision read; a larger record is refused before it is parsed. */
    public static final int MAX_JSON_BYTES = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A decision given as plain JSON: the record, or every reason it cannot be one. */
    public record FromJson(ReviewDecision decision, List<String> problems) {}

    /** The most distinct rejection reasons a ledger or report keeps; the rest count under {@link #OTHER_REASON}. */
    public static final int MAX_REASONS = 20;

    public static final String OTHER_REASON = "other";

    private ReviewDecisions() {}

    /** Whether a person made the decision (not the request's {@code review_timeout_action}). */
    public static boolean byPerson(ReviewDecision decision) {
        return decision != null && !TIMEOUT.equals(decision.getReviewer());
    }

    /** A reason as the reports count it: trimmed, whitespace collapsed, lower-cased, at most 60 characters. */
    public static String reasonKey(String reason) {
        String key =
                reason == null ? "" : reason.strip().replaceAll("\\s+", " ").toLowerCase(java.util.Locale.ROOT);
        key = key.length() > 60 ? key.substring(0, 60) : key;
        return key.isEmpty() ? REVIEW : key;
    }

    /** {@code counts} with {@code n} more of {@code reason}; past {@link #MAX_REASONS} distinct ones, under other. */
    public static Map<String, Long> countReason(Map<String, Long> counts, String reason, long n) {
        Map<String, Long> out = new java.util.TreeMap<>(counts);
        String key = out.containsKey(reason) || out.size() < MAX_REASONS ? reason : OTHER_REASON;
        out.merge(key, n, Long::sum);
        out.values().removeIf(c -> c <= 0);
        return out;
    }

    /**
     * Reads a decision given as plain JSON (the fields of {@code ReviewDecision}, read by {@link
     * AvroJson}: {@code decided_at} as epoch millis or an ISO-8601 instant, {@code now} when left
     * out; {@code reviewer} {@code defaultReviewer} when left out and that is not null). Bytes that
     * are not UTF-8, not a JSON object, larger than {@link #MAX_JSON_BYTES}, with an unknown key or
     * a value of the wrong type are refused with the reason; the rules of {@link #problems} apply
     * after.
     */
    public static FromJson fromJson(byte[] raw, Instant now, String defaultReviewer) {
        if (raw == null) {
            return refused("the record has no value");
        }
        if (raw.length > MAX_JSON_BYTES) {
            return refused("the record is " + raw.length + " bytes, above the limit of " + MAX_JSON_BYTES);
        }
        JsonNode node;
        try {
            node = JSON.readTree(StrictUtf8.decode(raw));
        } catch (StrictUtf8.NotUtf8Exception e) {
            return refused(e.getMessage());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return refused("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            return refused("a decision is a JSON object");
        }
        ObjectNode object = (ObjectNode) node;
        if (!object.has("decided_at")) {
            object.put("decided_at", now.toEpochMilli());
        }
        if (!object.has("reviewer") && defaultReviewer != null) {
            object.put("reviewer", defaultReviewer);
        }
        try {
            return new FromJson(AvroJson.read(object, ReviewDecision.class), List.of());
        } catch (AvroJson.InvalidJsonException e) {
            return refused(e.getMessage());
        }
    }

    private static FromJson refused(String problem) {
        return new FromJson(null, List.of(problem));
    }

    /** Every problem of a decision on {@code review}; empty when it applies. */
    public static List<String> problems(String key, ReviewDecision decision, ReviewRequest review) {
        List<String> problems = new ArrayList<>();
        if (!decision.getSampleId().equals(key)) {
            problems.add("the record key '" + key + "' differs from sample_id '" + decision.getSampleId() + "'");
        }
        if (!ACTIONS.contains(decision.getAction())) {
            problems.add("action '" + decision.getAction() + "' is unknown; use one of " + ACTIONS);
        }
        if (decision.getReviewer() == null || decision.getReviewer().isBlank()) {
            problems.add("reviewer is required");
        }
        if (REJECT.equals(decision.getAction())
                && (decision.getReason() == null || decision.getReason().isBlank())) {
            problems.add("a reject needs a reason");
        }
        if (RELABEL.equals(decision.getAction())) {
            if (decision.getLabel() == null || !review.getLabels().contains(decision.getLabel())) {
                problems.add(
                        "label '" + decision.getLabel() + "' is not one of the task's labels " + review.getLabels());
            }
        }
        if (EDIT.equals(decision.getAction())) {
            Map<String, String> fields =
                    review.getCandidate().getScored().getSample().getFields();
            if (decision.getFields().isEmpty()) {
                problems.add("an edit needs fields");
            }
            decision.getFields().forEach((name, value) -> {
                if (!fields.containsKey(name)) {
                    problems.add("field '" + name + "' is not an output field of the sample " + fields.keySet());
                } else if (value == null || value.isBlank()) {
                    problems.add("field '" + name + "' may not be blank");
                }
            });
            String label = decision.getFields().get("label");
            if (label != null
                    && !review.getLabels().isEmpty()
                    && !review.getLabels().contains(label)) {
                problems.add("label '" + label + "' is not one of the task's labels " + review.getLabels());
            }
        }
        return problems;
    }

    /**
     * The sample a valid decision accepts, or null when it rejects. An audited sample the gate
     * passed that nobody decided is accepted by the gate, as it would have been without the audit.
     */
    public static DatasetSample accepted(ReviewRequest review, ReviewDecision decision, Instant now) {
        if (REJECT.equals(decision.getAction())) {
            return null;
        }
        boolean timeout = TIMEOUT.equals(decision.getReviewer());
        DatasetSample.Builder sample = DatasetSample.newBuilder(review.getCandidate())
                .setAcceptedBy(timeout ? (review.getAudit() != null ? "gate" : TIMEOUT) : "review")
                .setReviewer(decision.getReviewer())
                .setAcceptedAt(now);
        Map<String, String> fields = new HashMap<>(review.getCandidate().getFields());
        if (RELABEL.equals(decision.getAction())) {
            sample.setLabel(decision.getLabel()).setLabelSource(QualityGate.HUMAN);
            if (fields.containsKey("label")) {
                fields.put("label", decision.getLabel());
            }
        } else if (EDIT.equals(decision.getAction())) {
            fields.putAll(decision.getFields());
            String label = decision.getFields().get("label");
            if (label != null && !label.equals(review.getCandidate().getOriginalLabel())) {
                sample.setLabel(label).setLabelSource(QualityGate.HUMAN);
            }
        }
        return sample.setFields(fields).build();
    }

    /**
     * The reason a rejecting decision is counted under: {@link #REVIEW} for a person's, {@link
     * #TIMEOUT} for the deadline's, and the gate's own reason when the deadline of an audited
     * sample the gate rejected passed (the rejection stands as the gate made it).
     */
    public static String reason(ReviewRequest review, ReviewDecision decision) {
        if (TIMEOUT.equals(decision.getReviewer())) {
            return review.getGateReason() != null ? review.getGateReason() : TIMEOUT;
        }
        return REVIEW;
    }

    /**
     * The dead letter of a refused decision ({@code invalid_decision}), from the review state or
     * the ledger; the caller adds the request and dataset when it knows them.
     */
    public static DeadLetter.Builder refusal(
            String app, String sampleId, List<String> problems, DeadLetters.Origin origin, Instant now) {
        return DeadLetters.forMessage(
                        app,
                        STAGE,
                        DeadLetterReason.INVALID_DECISION,
                        "Review decision on sample " + (sampleId == null ? "(no record key)" : sampleId) + " refused: "
                                + String.join("; ", problems),
                        origin,
                        now)
                .setSampleId(sampleId);
    }

    /** The decision a review that ran past its deadline gets. */
    public static ReviewDecision timeout(ReviewRequest review, Instant now) {
        boolean accept = ACCEPT.equals(review.getTimeoutAction());
        return ReviewDecision.newBuilder()
                .setSampleId(review.getSampleId())
                .setAction(accept ? ACCEPT : REJECT)
                .setReason(accept ? null : "no decision before the review deadline")
                .setReviewer(TIMEOUT)
                .setDecidedAt(now)
                .build();
    }
}
