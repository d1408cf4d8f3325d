package io.synthstream.cli;

import io.synthstream.avro.Spend;
import java.util.Locale;

/** A {@link Spend} as one line of text, for the report and the dataset card. */
final class SpendText {
    private SpendText() {}

    /**
     * The share of its budget a request has spent: the larger of its limits' shares (0 without a
     * budget or before any spend).
     */
    static double budgetUsed(io.synthstream.avro.RequestStatus status) {
        io.synthstream.avro.Budget budget = status.getBudget();
        Spend spent = io.synthstream.common.llm.Spends.of(status);
        if (budget == null || spent == null) {
            return 0;
        }
        double used = 0;
        if (budget.getMaxCostUsd() != null && budget.getMaxCostUsd() > 0) {
            used = Math.max(used, spent.getCostUsd() / budget.getMaxCostUsd());
        }
        if (budget.getMaxTokens() != null && budget.getMaxTokens() > 0) {
            used = Math.max(used, (double) io.synthstream.common.llm.Spends.tokens(spent) / budget.getMaxTokens());
        }
        return used;
    }

    /**
     * E.g. {@code 120 calls, 48000 / 9600 tokens, $0.0130 (9600 tokens estimated: ...); 40 replies
     * from the cache, $0.0050 saved; 3 replies paid before a restart were kept and used, not paid again}.
     */
    static String describe(Spend spend) {
        StringBuilder text = new StringBuilder(String.format(
                Locale.ROOT,
                "%d calls, %d / %d tokens, $%.4f",
                spend.getCalls(),
                spend.getPromptTokens(),
                spend.getCompletionTokens(),
                spend.getCostUsd()));
        if (spend.getEstimatedTokens() > 0 || spend.getUnpricedTokens() > 0) {
            text.append(" (");
            if (spend.getEstimatedTokens() > 0) {
                text.append(spend.getEstimatedTokens()).append(" tokens estimated: the server reported no usage");
            }
            if (spend.getUnpricedTokens() > 0) {
                text.append(spend.getEstimatedTokens() > 0 ? "; " : "")
                        .append(spend.getUnpricedTokens())
                        .append(" tokens of models without a price, counted at $0");
            }
            text.append(')');
        }
        if (spend.getCachedCalls() > 0) {
            text.append(String.format(
                    Locale.ROOT,
                    "; %d replies from the cache, $%.4f saved",
                    spend.getCachedCalls(),
                    spend.getSavedCostUsd()));
        }
        if (spend.getRecoveredCalls() > 0) {
            text.append("; ")
                    .append(spend.getRecoveredCalls())
                    .append(" replies paid before a restart were kept and used, not paid again");
        }
        return text.toString();
    }
}
