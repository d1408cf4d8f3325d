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
 * @param latencyLimit a latency-driven limit besides the 429 rule: none or vegas
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
        int successesToGrow,
        String latencyLimit) {

    /** The latency-driven limits {@code llm.adaptive.latency} can name. */
    public static final java.util.List<String> LATENCY_LIMITS = java.util.List.of("none", "vegas");

    public LlmLimits {
        if (maxInFlight < 1 || maxAttempts < 1 || successesToGrow < 1) {
            throw new IllegalArgumentException("maxInFlight, maxAttempts and successesToGrow must be >= 1");
        }
        if (!LATENCY_LIMITS.contains(latencyLimit)) {
            throw new IllegalArgumentException(
                    "Unknown latency limit '" + latencyLimit + "'; use one of " + LATENCY_LIMITS);
        }
    }

    /** Defaults in the spirit of the OpenAI SDK and NeMo Data Designer: 64 in flight, 4 attempts. */
    public static LlmLimits defaults() {
        return new LlmLimits(
                64, 0, 0, 4, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(60), true, 25, "none");
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
                successesToGrow,
                latencyLimit);
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
                successesToGrow,
                latencyLimit);
    }

    public LlmLimits withRates(int rpm, long tpm) {
        return new LlmLimits(
                maxInFlight,
                rpm,
                tpm,
                maxAttempts,
                initialBackoff,
                maxBackoff,
                callTimeout,
                adaptive,
                successesToGrow,
                latencyLimit);
    }

    /** These limits with the latency-driven limit {@code name} ({@link #LATENCY_LIMITS}). */
    public LlmLimits withLatencyLimit(String name) {
        return new LlmLimits(
                maxInFlight,
                requestsPerMinute,
                tokensPerMinute,
                maxAttempts,
                initialBackoff,
                maxBackoff,
                callTimeout,
                adaptive,
                successesToGrow,
                name);
    }

    /** The retry policy of calls under these limits. */
    public RetryPolicy retry() {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff);
    }
}
