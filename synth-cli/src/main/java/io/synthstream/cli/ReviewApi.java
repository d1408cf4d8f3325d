package io.synthstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.FaithfulnessScore;
import io.synthstream.avro.QualityVerdict;
import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.common.topics.Topics;
import io.synthstream.evaluator.logic.ReviewDecisions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The review page's two calls, behind the dashboard's protection: the queue as JSON ({@code GET
 * /api/review}) and a decision ({@code POST /api/review/decision}), checked with the evaluator's
 * own rules before it is published, so a wrong label or field is refused with the reason and
 * nothing is sent. Values from Kafka go out as JSON strings; the page renders them as text.
 */
final class ReviewApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> DECISION_KEYS =
            Set.of("sample_id", "action", "reason", "label", "fields", "reviewer");

    /** An answer: HTTP status and JSON body. */
    record Answer(int status, JsonNode body) {}

    private ReviewApi() {}

    static ObjectNode queue(ClusterOptions cluster, String dataset, Instant now) {
        ReviewCommand.Queue queue = ReviewCommand.queue(cluster, dataset, null, now);
        ObjectNode out = JSON.createObjectNode();
        out.put("size", queue.pending().size());
        out.put("oldest_seconds", queue.oldest(now).toSeconds());
        ArrayNode items = out.putArray("pending");
        for (ReviewRequest review : queue.pending()) {
            items.add(item(review, now));
        }
        return out;
    }

    /** What the page and {@code synth review} say about a sample in review for the audit. */
    static final String BLIND = "a random check of the quality gate: its scores are hidden, decide on the sample alone";

    /**
     * What a reviewer sees of a sample: the one list the page and {@code synth review} both show. A
     * sample in review for the audit shows neither the scores nor the gate's decision ({@code
     * blind}), so the person's decision is independent of the gate's.
     */
    static ObjectNode item(ReviewRequest review, Instant now) {
        DatasetSample candidate = review.getCandidate();
        var scored = candidate.getScored();
        ObjectNode item = JSON.createObjectNode();
        item.put("sample_id", review.getSampleId());
        item.put("request_id", review.getRequestId());
        item.put("dataset", review.getDataset());
        item.put(
                "waiting_seconds",
                Duration.between(review.getRequestedAt(), now).toSeconds());
        item.put("deadline", review.getDeadline().toString());
        review.getReasons().forEach(item.putArray("reasons")::add);
        review.getLabels().forEach(item.putArray("labels")::add);
        ObjectNode conditions = item.putObject("conditions");
        scored.getSample().getAttributes().forEach(conditions::put);
        ObjectNode fields = item.putObject("fields");
        candidate.getFields().forEach(fields::put);
        item.put("label", candidate.getLabel());
        item.put("original_label", candidate.getOriginalLabel());
        if (review.getAudit() != null) {
            // An audit checks the gate: the reviewer decides blind, without the scores it decided on.
            item.put("blind", BLIND);
            return item;
        }
        FaithfulnessScore judge = scored.getFaithfulness();
        if (judge != null && judge.getScore() != null) {
            item.put("judge_score", judge.getScore());
            item.put("judge_rationale", judge.getRationale());
        }
        if (scored.getConditionAdherence() != null) {
            item.put("condition_adherence", scored.getConditionAdherence());
        }
        QualityVerdict verdict = scored.getQuality();
        if (verdict != null && verdict.getSuggestedLabel() != null) {
            item.put("suggested_label", verdict.getSuggestedLabel());
            item.put("suggested_by", verdict.getSuggestedBy());
            if (verdict.getLabelConfidence() != null) {
                item.put("label_confidence", verdict.getLabelConfidence());
            }
        }
        return item;
    }

    /**
     * Checks a decision posted as JSON (read as on {@code synth.review.decisions.json}, reviewer
     * {@code dashboard} when left out) and publishes it; 400 with every problem, 404 if nothing waits.
     */
    static Answer decide(ClusterOptions cluster, byte[] body) throws InterruptedException {
        ReviewDecisions.FromJson parsed = ReviewDecisions.fromJson(body, Instant.now(), "dashboard");
        if (parsed.decision() == null) {
            return refused(400, parsed.problems());
        }
        ReviewDecision decision = parsed.decision();
        String sampleId = decision.getSampleId();
        ReviewRequest review = ReviewCommand.queue(cluster, null, null, Instant.now()).pending().stream()
                .filter(r -> r.getSampleId().equals(sampleId))
                .findFirst()
                .orElse(null);
        if (review == null) {
            return refused(
                    404,
                    List.of("sample '" + sampleId + "' is not waiting for review (decided, timed out or unknown)"));
        }
        List<String> problems = ReviewDecisions.problems(sampleId, decision, review);
        if (!problems.isEmpty()) {
            return refused(400, problems);
        }
        SubmitCommand.publishOne(cluster, Topics.REVIEW_DECISIONS, sampleId, decision);
        ObjectNode ok = JSON.createObjectNode();
        ok.put("sent", decision.getAction());
        ok.put("sample_id", sampleId);
        return new Answer(200, ok);
    }

    private static Answer refused(int status, List<String> problems) {
        ObjectNode out = JSON.createObjectNode();
        problems.forEach(out.putArray("problems")::add);
        return new Answer(status, out);
    }
}
