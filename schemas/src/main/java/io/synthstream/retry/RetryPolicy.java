package io.synthstream.retry;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The one retry policy of every remote call SynthStream makes: LLM calls, remote embeddings and
 * the schema registry. A failed attempt that may succeed later is tried again, up to {@code
 * maxAttempts} attempts in all, after the server's {@code Retry-After} (capped at {@link
 * #MAX_RETRY_AFTER}, plus up to 10 % jitter) or else an exponential backoff with equal jitter: a
 * wait between half and all of {@code initialBackoff × 2^(attempt-1)}, capped at {@code
 * maxBackoff}. It lives in the lowest module so that the registry client, which everything else
 * builds on, uses it too.
 *
 * @param maxAttempts attempts per call, counting the first (at least 1)
 * @param initialBackoff the backoff scale of the first retry
 * @param maxBackoff the longest backoff (a {@code Retry-After} may be longer)
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    /** The longest {@code Retry-After} honoured. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoffs cannot be negative");
        }
    }

    /** Whether a call whose attempt number {@code attempt} (from 1) failed is tried again. */
    public boolean retries(int attempt, boolean retryable) {
        return retryable && attempt < maxAttempts;
    }

    /** The wait after attempt number {@code attempt} (from 1) failed. */
    public Duration backoff(int attempt, Optional<Duration> retryAfter) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (retryAfter.isPresent()) {
            long ms = Math.min(retryAfter.get().toMillis(), MAX_RETRY_AFTER.toMillis());
            return Duration.ofMillis(ms + (long) (ms * 0.1 * random.nextDouble()));
        }
        long base = initialBackoff.toMillis() << Math.min(Math.max(attempt - 1, 0), 20);
        long capped = Math.min(base, maxBackoff.toMillis());
        return Duration.ofMillis(capped / 2 + (long) (random.nextDouble() * (capped / 2.0)));
    }

    /** Told before each retry of {@link #run}: which attempt failed, how, and the wait. */
    @FunctionalInterface
    public interface Listener {
        void retrying(int failedAttempt, RuntimeException failure, Duration wait);
    }

    /**
     * Runs a blocking call under this policy, on the caller's thread (never a stream thread).
     *
     * @param attempt one attempt; it throws to fail
     * @param retryable whether a failure may succeed later
     * @param retryAfter the server's {@code Retry-After} a failure carries, if any
     * @return the first successful attempt's result
     * @throws RuntimeException the last failure, when no attempt succeeded or it was not retryable
     */
    public <T> T run(
            Supplier<T> attempt,
            Predicate<RuntimeException> retryable,
            Function<RuntimeException, Optional<Duration>> retryAfter,
            Listener listener) {
        for (int n = 1; ; n++) {
            RuntimeException failure;
            try {
                return attempt.get();
            } catch (RuntimeException e) {
                failure = e;
            }
            if (!retries(n, retryable.test(failure))) {
                throw failure;
            }
            Duration wait = backoff(n, retryAfter.apply(failure));
            listener.retrying(n, failure, wait);
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure;
            }
        }
    }
}
