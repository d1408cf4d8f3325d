package io.synthstream.common.llm;

import io.synthstream.avro.Spend;
import io.synthstream.common.avro.SingleObject;
import java.nio.ByteBuffer;

/** Sums of {@link Spend}, where null means nothing spent, and their encoding inside internal records. */
public final class Spends {
    private Spends() {}

    /** Nothing spent. */
    public static Spend zero() {
        return Spend.newBuilder().build();
    }

    /** {@code a + b}; null when both are null. Neither argument is changed. */
    public static Spend plus(Spend a, Spend b) {
        if (a == null) {
            return b == null ? null : Spend.newBuilder(b).build();
        }
        if (b == null) {
            return Spend.newBuilder(a).build();
        }
        return Spend.newBuilder()
                .setCalls(a.getCalls() + b.getCalls())
                .setPromptTokens(a.getPromptTokens() + b.getPromptTokens())
                .setCompletionTokens(a.getCompletionTokens() + b.getCompletionTokens())
                .setCostUsd(a.getCostUsd() + b.getCostUsd())
                .setEstimatedTokens(a.getEstimatedTokens() + b.getEstimatedTokens())
                .setUnpricedTokens(a.getUnpricedTokens() + b.getUnpricedTokens())
                .setRecoveredCalls(a.getRecoveredCalls() + b.getRecoveredCalls())
                .setCachedCalls(a.getCachedCalls() + b.getCachedCalls())
                .setSavedCostUsd(a.getSavedCostUsd() + b.getSavedCostUsd())
                .build();
    }

    /** Everything a request's ledger says it spent: generation, the judge and attribute proposals; or null. */
    public static Spend of(io.synthstream.avro.RequestStatus status) {
        return plus(plus(status.getGenerationSpend(), status.getJudgeSpend()), status.getDesignSpend());
    }

    /** Tokens in and out. */
    public static long tokens(Spend spend) {
        return spend == null ? 0 : spend.getPromptTokens() + spend.getCompletionTokens();
    }

    /** The spend single-object encoded, or null. */
    public static ByteBuffer encode(Spend spend) {
        return spend == null ? null : SingleObject.encode(spend::toByteBuffer);
    }

    /** The spend of {@link #encode}, or null. */
    public static Spend decode(ByteBuffer bytes) {
        return bytes == null ? null : SingleObject.decode(Spend::fromByteBuffer, bytes);
    }
}
