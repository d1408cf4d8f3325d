package io.synthstream.common.dlq;

import io.synthstream.avro.Spend;

/**
 * A stage's decision to dead-letter one sample: what the stage's pure logic returns, and what
 * {@link DeadLetters#forSample} turns into a {@code DeadLetter} once the stage adds who it is.
 *
 * @param reason why
 * @param message what a user can act on
 * @param samples how many requested samples it accounts for in the ledger: 1 when the sample ends
 *     here, 0 when it goes on (e.g. scored unjudged)
 * @param attempts LLM attempts spent on the sample (at least 1 is recorded)
 * @param rawReply the model's reply that caused it, kept as the dead letter's value; null if none
 * @param spend what the sample's calls cost when it ends here (counted in the ledger); null if
 *     nothing, or when the stage counts its spend elsewhere
 */
public record SampleFailure(
        DeadLetterReason reason, String message, int samples, int attempts, String rawReply, Spend spend) {
    /** A failure that ends the sample (it counts as failed in the ledger). */
    public static SampleFailure ends(DeadLetterReason reason, String message, int attempts, String rawReply) {
        return new SampleFailure(reason, message, 1, attempts, rawReply, null);
    }

    /** A failure recorded while the sample goes on (it is not a lost sample in the ledger). */
    public static SampleFailure noted(DeadLetterReason reason, String message, int attempts, String rawReply) {
        return new SampleFailure(reason, message, 0, attempts, rawReply, null);
    }

    /** This failure with what the sample's calls cost. */
    /** This failure accounting for {@code count} planned samples. */
    public SampleFailure withSamples(int count) {
        return new SampleFailure(reason, message, count, attempts, rawReply, spend);
    }

    public SampleFailure withSpend(Spend spent) {
        return new SampleFailure(reason, message, samples, attempts, rawReply, spent);
    }
}
