package io.synthstream.evaluator.logic;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.Sample;
import io.synthstream.evaluator.avro.LedgerDelta;

/**
 * The changes to a request's ledger that each record means: a generated, curated or rejected
 * sample, a dead letter that accounts for samples, a judged sample.
 */
public final class LedgerDeltas {
    private LedgerDeltas() {}

    /** A record on synth.samples.raw, with its generation tokens. */
    public static LedgerDelta generated(Sample sample) {
        return delta(sample.getRequestId(), sample.getDataset())
                .setGenerated(1)
                .setPromptTokens(sample.getTrace().getPromptTokens())
                .setCompletionTokens(sample.getTrace().getCompletionTokens())
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

    /** A dead letter that {@link #countsAsFailed}. */
    public static LedgerDelta failed(DeadLetter letter) {
        return delta(letter.getRequestId(), letter.getDataset())
                .setFailed(letter.getSamples())
                .build();
    }

    /** A sample the judge scored, with the judge's tokens. */
    public static LedgerDelta judged(Sample sample, long promptTokens, long completionTokens) {
        return delta(sample.getRequestId(), sample.getDataset())
                .setJudged(1)
                .setPromptTokens(promptTokens)
                .setCompletionTokens(completionTokens)
                .build();
    }

    private static LedgerDelta.Builder delta(String requestId, String dataset) {
        return LedgerDelta.newBuilder().setRequestId(requestId).setDataset(dataset);
    }
}
