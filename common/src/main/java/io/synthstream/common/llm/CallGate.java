package io.synthstream.common.llm;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Admission of the calls an app instance sends to its model endpoint, shared by everything that
 * sends them (the LLM runtime's chat calls and remote embeddings): at most the adaptive
 * concurrency limit in flight (cut to 75 % on a 429, grown back after a run of successes), and
 * token buckets on requests and estimated tokens per minute. The runtime asks without waiting
 * ({@link #tryAcquire}); a client on a thread of its own may wait ({@link #acquire}). Thread-safe.
 */
public final class CallGate {
    /** {@link #tryAcquire}'s answer while the concurrency limit is full: wait for a release. */
    static final long FULL = Long.MAX_VALUE;

    private final AdaptiveLimit limit;
    private final TokenBucket requests;
    private final TokenBucket tokens;
    private final List<Runnable> onRelease = new CopyOnWriteArrayList<>();
    private int inFlight;

    public CallGate(LlmLimits limits) {
        this.limit = new AdaptiveLimit(limits.maxInFlight(), limits.successesToGrow(), limits.adaptive());
        long now = System.nanoTime();
        this.requests = new TokenBucket(limits.requestsPerMinute(), now);
        this.tokens = new TokenBucket(limits.tokensPerMinute(), now);
    }

    /**
     * Admits a call now (answer 0), or says how long until the buckets would (nanoseconds), or
     * {@link #FULL} while the concurrency limit is reached.
     */
    synchronized long tryAcquire(double estimatedTokens, long nowNanos) {
        if (inFlight >= limit.current()) {
            return FULL;
        }
        long wait = Math.max(requests.nanosUntil(1, nowNanos), tokens.nanosUntil(estimatedTokens, nowNanos));
        if (wait > 0) {
            return wait;
        }
        requests.take(1, nowNanos);
        tokens.take(estimatedTokens, nowNanos);
        inFlight++;
        return 0;
    }

    /**
     * Waits until a call is admitted, for at most {@code maxWait}; for clients on threads of their
     * own, never a stream thread.
     *
     * @return whether the call was admitted (then {@link #release} it)
     */
    public boolean acquire(double estimatedTokens, Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        synchronized (this) {
            while (true) {
                long now = System.nanoTime();
                long wait = tryAcquire(estimatedTokens, now);
                if (wait == 0) {
                    return true;
                }
                long left = deadline - now;
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.max(1, Math.min(wait, left)));
            }
        }
    }

    /**
     * Ends an admitted call.
     *
     * @param failure how its attempt failed, or null when it succeeded (a 429 cuts the limit)
     */
    public void release(LlmFailure failure) {
        synchronized (this) {
            inFlight--;
            if (failure == null) {
                limit.onSuccess();
            } else if (failure.kind() == LlmFailure.Kind.RATE_LIMITED) {
                long cooldown =
                        failure.retryAfter().map(Duration::toNanos).orElse(AdaptiveLimit.DEFAULT_COOLDOWN_NANOS);
                limit.onRateLimited(System.nanoTime(), cooldown);
            }
            notifyAll();
        }
        onRelease.forEach(Runnable::run);
    }

    /** Runs {@code listener} after every release, outside the gate's lock (the runtime sends waiting calls). */
    void onRelease(Runnable listener) {
        onRelease.add(listener);
    }

    /** Calls admitted and not released. */
    public synchronized int inFlight() {
        return inFlight;
    }

    /** The current concurrency limit. */
    public synchronized int limit() {
        return limit.current();
    }
}
