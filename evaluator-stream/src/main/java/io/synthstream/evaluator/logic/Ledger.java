package io.synthstream.evaluator.logic;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.evaluator.avro.LedgerDelta;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A request's conservation ledger ({@link RequestStatus}): every delta adds to its counts, the
 * spec supplies {@code requested}, and {@code complete} is true exactly when curated + rejected +
 * failed = requested.
 */
public final class Ledger {
    private Ledger() {}

    /** A request's ledger before its first delta. */
    public static RequestStatus open(LedgerDelta first, Instant now) {
        return RequestStatus.newBuilder()
                .setRequestId(first.getRequestId())
                .setDataset(first.getDataset() == null ? "" : first.getDataset())
                .setRequested(0)
                .setRejectedByReason(new HashMap<>())
                .setUpdatedAt(now)
                .build();
    }

    /** Adds a delta to the counts (a delta without a rejection reason counts as OTHER). */
    public static void apply(RequestStatus status, LedgerDelta delta) {
        if (status.getDataset().isEmpty() && delta.getDataset() != null) {
            status.setDataset(delta.getDataset());
        }
        if (delta.getRequested() != null) {
            status.setRequested(delta.getRequested());
        }
        status.setGenerated(status.getGenerated() + delta.getGenerated());
        status.setCurated(status.getCurated() + delta.getCurated());
        status.setRejected(status.getRejected() + delta.getRejected());
        if (delta.getRejected() > 0) {
            Map<String, Long> byReason = new HashMap<>(status.getRejectedByReason());
            byReason.merge(delta.getReason() == null ? "OTHER" : delta.getReason(), delta.getRejected(), Long::sum);
            status.setRejectedByReason(byReason);
        }
        status.setFailed(status.getFailed() + delta.getFailed());
        status.setJudged(status.getJudged() + delta.getJudged());
        status.setPromptTokens(status.getPromptTokens() + delta.getPromptTokens());
        status.setCompletionTokens(status.getCompletionTokens() + delta.getCompletionTokens());
    }

    /** Whether {@code requested} is still unknown: the ledger waits for the request's spec. */
    public static boolean needsSpec(RequestStatus status) {
        return status.getRequested() <= 0;
    }

    /** Takes {@code requested} and the dataset from the request's spec. */
    public static void applySpec(RequestStatus status, GenerationRequest spec) {
        status.setRequested(spec.getCount());
        status.setDataset(spec.getDataset());
    }

    /** Samples whose fate is final: curated + rejected + failed. */
    public static long accounted(RequestStatus status) {
        return status.getCurated() + status.getRejected() + status.getFailed();
    }

    /** Whether more samples are accounted for than were requested (one was counted twice). */
    public static boolean overCounted(RequestStatus status) {
        return status.getRequested() > 0 && accounted(status) > status.getRequested();
    }

    /** Sets {@code complete} and the update time before the ledger is stored and published. */
    public static void seal(RequestStatus status, Instant now) {
        status.setComplete(status.getRequested() > 0 && accounted(status) == status.getRequested());
        status.setUpdatedAt(now);
    }
}
