package io.synthstream.common.llm;

import io.synthstream.retry.RetryPolicy;
import java.time.Duration;

/**
 * The runtime's limits, per app instance.
 *
 * @param maxInFlight the most calls outstanding at once (the adaptive limit's ceiling)
 * @param requestsPerMinute token bucket on calls started; 0 = unlimited
 * @param tokensPerMinute token bucket on estimated tokens (prompt chars / 4 + max tokens); 0 = unlimited
 * @param maxAttempts attempts per call, the first included
 * @param initialBackoff first retry delay; doubles per attempt, with jitter
 * @param maxBackoff cap of the retry delay (a larger {@code Retry-After} is honoured up to 5 minutes)
 * @param callTimeout deadline of one attempt
 * @param adaptive cut the concurrency limit to 75 % on a 429 and add one back after {@code
 *     successesToGrow} successes
 * @param successesToGrow successes in a row before the limit grows by one
 */
public record LlmLimits(
        int maxInFlight,
        int requestsPerMinute,
        long tokensPerMinute,
        int maxAttempts,
        Duration initialBackoff,
        Duration maxBackoff,
        Duration callTimeout,
        boolean adaptive,
        int successesToGrow) {

    public LlmLimits {
        if (maxInFlight < 1 || maxAttempts < 1 || successesToGrow < 1) {
            throw new IllegalArgumentException("maxInFlight, maxAttempts and successesToGrow must be >= 1");
        }
    }

    /** Defaults in the spirit of the OpenAI SDK and NeMo Data Designer: 64 in flight, 4 attempts. */
    public static LlmLimits defaults() {
        return new LlmLimits(
                64, 0, 0, 4, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(60), true, 25);
    }

    public LlmLimits withRetries(int attempts, Duration initial, Duration max) {
        return new LlmLimits(
                maxInFlight,
                requestsPerMinute,
                tokensPerMinute,
                attempts,
                initial,
                max,
                callTimeout,
                adaptive,
                successesToGrow);
    }

    public LlmLimits withCallTimeout(Duration timeout) {
        return new LlmLimits(
                maxInFlight,
                requestsPerMinute,
                tokensPerMinute,
                maxAttempts,
                initialBackoff,
                maxBackoff,
                timeout,
                adaptive,
                successesToGrow);
    }

    public LlmLimits withRates(int rpm, long tpm) {
        return new LlmLimits(
                maxInFlight, rpm, tpm, maxAttempts, initialBackoff, maxBackoff, callTimeout, adaptive, successesToGrow);
    }

    /** The retry policy of calls under these limits. */
    public RetryPolicy retry() {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff);
    }
}
