package io.synthstream.evaluator.logic;

import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.QualityVerdict;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.avro.ScoredSample;
import io.synthstream.common.quality.QualityPolicy;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The records a gate decision produces: the verdict on the scored sample, the candidate for the dataset, the review request. */
public final class GateRecords {
    private GateRecords() {}

    /**
     * The verdict written on the scored sample.
     *
     * @param originalLabel the generated label, or null
     * @param quality the quality weight ({@link SampleWeights#quality})
     * @param balance the provisional balance weight
     */
    public static QualityVerdict verdict(
            QualityGate.Decision decision, QualityPolicy policy, String originalLabel, double quality, double balance) {
        return QualityVerdict.newBuilder()
                .setDecision(decision.decision())
                .setReasons(decision.reasons())
                .setFlags(decision.flags())
                .setLabel(decision.label())
                .setOriginalLabel(originalLabel)
                .setLabelSource(decision.labelSource())
                .setSuggestedLabel(decision.suggestedLabel())
                .setLabelConfidence(decision.labelConfidence())
                .setSuggestedBy(decision.suggestedBy())
                .setWeight(SampleWeights.combine(policy.weights(), quality, balance))
                .setWeightScheme(policy.weights())
                .setWeightProvisional(
                        policy.weights().equals("balance") || policy.weights().equals("both"))
                .build();
    }

    /** The sample as it is accepted: final label in its fields, weight, scores and provenance. */
    public static DatasetSample candidate(ScoredSample scored, Instant now) {
        QualityVerdict verdict = scored.getQuality();
        Map<String, String> fields = new HashMap<>(scored.getSample().getFields());
        if (verdict.getLabel() != null && fields.containsKey("label")) {
            fields.put("label", verdict.getLabel());
        }
        return DatasetSample.newBuilder()
                .setSampleId(scored.getSample().getSampleId())
                .setRequestId(scored.getSample().getRequestId())
                .setDataset(scored.getSample().getDataset())
                .setFields(fields)
                .setLabel(verdict.getLabel())
                .setOriginalLabel(verdict.getOriginalLabel())
                .setLabelSource(verdict.getLabelSource())
                .setWeight(verdict.getWeight())
                .setWeightScheme(verdict.getWeightScheme())
                .setWeightProvisional(verdict.getWeightProvisional())
                .setAcceptedBy("gate")
                .setFlags(verdict.getFlags())
                .setScored(scored)
                .setAcceptedAt(now)
                .build();
    }

    /**
     * The review request of a sample the gate sent to review; it suggests the judge's or the
     * neighbours' label when their disagreement sent it there.
     *
     * @param labels the task's label set
     */
    public static ReviewRequest review(ScoredSample scored, QualityPolicy policy, List<String> labels, Instant now) {
        return request(scored, policy, labels, now).build();
    }

    /**
     * The review request of a sample the gate passed or rejected that the audit sends to people
     * ({@link QualityGate#audit}): at its deadline the gate's decision stands.
     *
     * @param gate the gate's own decision, pass or reject
     */
    public static ReviewRequest audit(
            ScoredSample scored, QualityGate.Decision gate, QualityPolicy policy, List<String> labels, Instant now) {
        boolean passed = QualityGate.PASS.equals(gate.decision());
        return request(scored, policy, labels, now)
                .setTimeoutAction(passed ? QualityPolicy.ACCEPT : QualityPolicy.REJECT)
                .setAudit(gate.decision())
                .setGateReason(passed ? null : gate.reasons().get(0))
                .build();
    }

    private static ReviewRequest.Builder request(
            ScoredSample scored, QualityPolicy policy, List<String> labels, Instant now) {
        QualityVerdict verdict = scored.getQuality();
        DatasetSample candidate = candidate(scored, now);
        return ReviewRequest.newBuilder()
                .setSampleId(candidate.getSampleId())
                .setRequestId(candidate.getRequestId())
                .setDataset(candidate.getDataset())
                .setReasons(verdict.getReasons())
                .setCandidate(candidate)
                .setLabels(labels)
                .setRequestedAt(now)
                .setDeadline(now.plus(policy.reviewTimeout()))
                .setTimeoutAction(policy.reviewTimeoutAction());
    }
}
