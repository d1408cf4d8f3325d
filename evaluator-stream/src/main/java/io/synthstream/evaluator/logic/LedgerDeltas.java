package io.synthstream.evaluator.logic;

import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.PlanStatus;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.avro.Sample;
import io.synthstream.avro.Spend;
import io.synthstream.common.avro.SingleObject;
import io.synthstream.common.llm.Spends;
import io.synthstream.evaluator.avro.LedgerDelta;

/**
 * The changes to a request's ledger that each record means: a generated, curated or rejected
 * sample, a dead letter that accounts for samples, a judged sample, the generator's plan, the
 * quality gate's decision and a review decision.
 */
public final class LedgerDeltas {
    private LedgerDeltas() {}

    /** A record on synth.samples.raw, with what its generation cost. */
    public static LedgerDelta generated(Sample sample) {
        return delta(sample.getRequestId(), sample.getDataset())
                .setGenerated(1)
                .setPromptTokens(sample.getTrace().getPromptTokens())
                .setCompletionTokens(sample.getTrace().getCompletionTokens())
                .setGenerationSpend(Spends.encode(sample.getTrace().getSpend()))
                .build();
    }

    public static LedgerDelta curated(Sample sample) {
        return delta(sample.getRequestId(), sample.getDataset()).setCurated(1).build();
    }

    public static LedgerDelta rejected(Rejection rejection) {
        return delta(rejection.getRequestId(), rejection.getDataset())
                .setRejected(1)
                .setReason(rejection.getReason().name())
                .build();
    }

    /** Whether a dead letter accounts for samples of a request (else the ledger ignores it). */
    public static boolean countsAsFailed(DeadLetter letter) {
        return letter.getRequestId() != null && letter.getSamples() > 0;
    }

    /** A dead letter that {@link #countsAsFailed}, with what the sample's calls had cost. */
    public static LedgerDelta failed(DeadLetter letter) {
        Spend spend = letter.getSpend();
        return delta(letter.getRequestId(), letter.getDataset())
                .setFailed(letter.getSamples())
                .setPromptTokens(spend == null ? 0 : spend.getPromptTokens())
                .setCompletionTokens(spend == null ? 0 : spend.getCompletionTokens())
                .setGenerationSpend(Spends.encode(spend))
                .build();
    }

    /**
     * What the judge cost for a sample, and whether it judged it: an unreadable verdict was paid
     * for too.
     */
    public static LedgerDelta judged(Sample sample, Spend judgeSpend, boolean judged) {
        return delta(sample.getRequestId(), sample.getDataset())
                .setJudged(judged ? 1 : 0)
                .setPromptTokens(judgeSpend == null ? 0 : judgeSpend.getPromptTokens())
                .setCompletionTokens(judgeSpend == null ? 0 : judgeSpend.getCompletionTokens())
                .setJudgeSpend(Spends.encode(judgeSpend))
                .build();
    }

    /** A record on synth.plan: how far the generator planned the request. */
    public static LedgerDelta planned(PlanStatus plan) {
        return delta(plan.getRequestId(), plan.getDataset())
                .setPlanned(plan.getPlanned())
                .setPlanningStopped(plan.getStopped())
                .setNotPlannedReason(plan.getNotPlannedReason())
                .setDesignSpend(Spends.encode(plan.getDesignSpend()))
                .setSeeds(java.util.List.of(
                        plan.getSeedsReceived(), plan.getSeedsPlanned(), plan.getSeedsFailed(), plan.getSeedsUnused()))
                .build();
    }

    /**
     * The gate's decision on a sample.
     *
     * @param decision pass, reject or review ({@link QualityGate})
     * @param reason the first reason of a rejection, else null
     * @param candidate the sample to admit when it passed, else null
     */
    public static LedgerDelta gated(
            String requestId,
            String dataset,
            String sampleId,
            String decision,
            String reason,
            DatasetSample candidate) {
        return delta(requestId, dataset)
                .setSampleId(sampleId)
                .setQuality(decision)
                .setReason(reason)
                .setCandidate(candidate == null ? null : SingleObject.encode(candidate::toByteBuffer))
                .build();
    }

    /**
     * A review decision.
     *
     * @param candidate the sample to admit when the decision accepts, else null
     * @param reason the rejection reason when it rejects
     * @param previous null for a first decision; {@link Ledger#WAS_ACCEPTED} or {@link
     *     Ledger#WAS_REJECTED} + reason for an override
     */
    public static LedgerDelta decided(
            ReviewRequest review, ReviewDecision decision, DatasetSample candidate, String reason, String previous) {
        return delta(review.getRequestId(), review.getDataset())
                .setSampleId(review.getSampleId())
                .setQuality(Ledger.DECIDED)
                .setReason(reason)
                .setCandidate(candidate == null ? null : SingleObject.encode(candidate::toByteBuffer))
                .setDecision(SingleObject.encode(decision::toByteBuffer))
                .setPrevious(previous)
                .setReviewSince(review.getRequestedAt().toEpochMilli())
                .setAudit(review.getAudit())
                .build();
    }

    private static LedgerDelta.Builder delta(String requestId, String dataset) {
        return LedgerDelta.newBuilder().setRequestId(requestId).setDataset(dataset);
    }
}
