package io.synthstream.common.llm;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import com.netflix.concurrency.limits.limit.WindowedLimit;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Admission of the calls an app instance sends to its model endpoint, shared by everything that
 * sends them (the LLM runtime's chat calls and remote embeddings): at most the adaptive
 * concurrency limit in flight, and token buckets on requests and estimated tokens per minute. The
 * limit is the lower of two rules: the 429 rule (cut to 75 % on a 429, grown back after a run of
 * successes) and, with {@code llm.adaptive.latency=vegas}, a latency-driven limit from
 * Netflix's concurrency-limits library (TCP Vegas over windows of calls), which lowers concurrency
 * when round trips grow: a self-hosted server that queues instead of answering 429 is driven at its knee. The
 * runtime asks without waiting ({@link #tryAcquire}); a client on a thread of its own may wait
 * ({@link #acquire}). Thread-safe.
 */
public final class CallGate {
    /** {@link #tryAcquire}'s answer while the concurrency limit is full: wait for a release. */
    static final long FULL = Long.MAX_VALUE;

    private final AdaptiveLimit limit;
    private final Limit latency;
    private final TokenBucket requests;
    private final TokenBucket tokens;
    private final List<Runnable> onRelease = new CopyOnWriteArrayList<>();
    private final LlmLimits limits;
    private int inFlight;
    private int instances = 1;
    private boolean sharing; // the instances' count is not known yet: nothing is admitted

    public CallGate(LlmLimits limits) {
        this.limits = limits;
        this.limit = new AdaptiveLimit(limits.maxInFlight(), limits.successesToGrow(), limits.adaptive());
        this.latency = latencyLimit(limits.latencyLimit(), limits.maxInFlight());
        long now = System.nanoTime();
        this.requests = new TokenBucket(limits.requestsPerMinute(), now);
        this.tokens = new TokenBucket(limits.tokensPerMinute(), now);
    }

    /**
     * Admits a call now (answer 0), or says how long until the buckets would (nanoseconds), or
     * {@link #FULL} while the concurrency limit is reached.
     */
    synchronized long tryAcquire(double estimatedTokens, long nowNanos) {
        if (inFlight >= limit()) {
            return FULL;
        }
        if (sharing) {
            return SHARE_WAIT_NANOS;
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
     * @param roundTripNanos how long the attempt took, for the latency-driven limit
     */
    public void release(LlmFailure failure, long roundTripNanos) {
        release(failure, roundTripNanos, System.nanoTime());
    }

    /** {@link #release(LlmFailure, long)} at {@code nowNanos} (tests simulate time). */
    void release(LlmFailure failure, long roundTripNanos, long nowNanos) {
        synchronized (this) {
            if (latency != null && (failure == null || failure.kind() == LlmFailure.Kind.TIMEOUT)) {
                // A success is a latency sample; a call that ran out its deadline says the server is
                // far past its knee. Other failures say nothing of the queue (429s are the other rule's).
                latency.onSample(nowNanos - roundTripNanos, roundTripNanos, inFlight, failure != null);
            }
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

    /**
     * The part of its share an instance runs at when the limits are the cluster's: its bucket may
     * hold one second's worth besides what flows in, so over any 10 seconds it sends at most 11
     * seconds' worth of its rate; 10/11 of the share keeps every 10-second window within the limit.
     */
    static final double SHARE_OF_RATE = 10.0 / 11.0;

    /**
     * The requests per minute an instance runs at for a share of {@code share}: 10/11 of it, and
     * never more than the share less one call per 10 seconds, since a bucket always lets at least
     * one whole call through at once however small its rate (floored at half the share, where no
     * rate can keep a 10-second window exact).
     */
    static double requestRate(double share) {
        if (share <= 0) {
            return 0;
        }
        return Math.max(share / 2, Math.min(SHARE_OF_RATE * share, share - 6));
    }

    /** How long a call waits, while the instances' count is unknown, before it asks again. */
    static final long SHARE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * Makes the rate limits the whole deployment's: nothing is admitted until {@link
     * #setInstances} says how many instances share them ({@link ClusterShare}).
     */
    public synchronized void awaitShare() {
        sharing = true;
    }

    /**
     * The number of live instances that share {@code llm.requests.per.minute} and {@code
     * llm.tokens.per.minute}: this one takes 1/n of each from now on.
     */
    public void setInstances(int n) {
        synchronized (this) {
            long now = System.nanoTime();
            instances = Math.max(1, n);
            requests.setRate(requestRate((double) limits.requestsPerMinute() / instances), now);
            tokens.setRate(SHARE_OF_RATE * limits.tokensPerMinute() / instances, now);
            sharing = false;
            notifyAll();
        }
        onRelease.forEach(Runnable::run); // calls that waited for the share may go
    }

    /** The instances this one shares the rate limits with, itself included. */
    public synchronized int instances() {
        return instances;
    }

    /**
     * Corrects the tokens-per-minute bucket once a call's real token count is known: {@code
     * actual − estimated} more tokens are taken (or given back when the estimate was high).
     */
    public synchronized void correctTokens(double estimated, double actual) {
        tokens.take(actual - estimated, System.nanoTime());
    }

    /** Runs {@code listener} after every release, outside the gate's lock (the runtime sends waiting calls). */
    void onRelease(Runnable listener) {
        onRelease.add(listener);
    }

    /** Calls admitted and not released. */
    public synchronized int inFlight() {
        return inFlight;
    }

    /** The current concurrency limit: the 429 rule's, or the latency-driven one's when lower. */
    public synchronized int limit() {
        return latency == null ? limit.current() : Math.min(limit.current(), latency.getLimit());
    }

    /**
     * The latency-driven limit {@code name} names, or null for none. Windowed: the limit sees each
     * window's mean round trip (at least 10 calls and 1 s), not single calls, whose own spread (an
     * LLM reply's length) would read as queueing.
     */
    static Limit latencyLimit(String name, int ceiling) {
        return switch (name) {
            case "none" -> null;
            case "vegas" ->
                WindowedLimit.newBuilder()
                        .build(VegasLimit.newBuilder()
                                .initialLimit(Math.min(ceiling, INITIAL_LIMIT))
                                .maxConcurrency(ceiling)
                                // Keep 3 to 6 calls queued at the server, more at higher limits (where a
                                // window's mean round trip moves more calls' worth). The library's own
                                // bounds round log10(limit) down to an integer: 0 below 10, which pins
                                // the limit near 10 whatever the server's knee.
                                .alphaFunction(limit -> (int) Math.max(3, Math.round(3 * Math.log10(limit))))
                                .betaFunction(limit -> (int) Math.max(6, Math.round(6 * Math.log10(limit))))
                                .thresholdFunction(limit -> 1)
                                .build());
            default ->
                throw new IllegalArgumentException(
                        "Unknown latency limit '" + name + "'; use one of " + LlmLimits.LATENCY_LIMITS);
        };
    }

    /** Where a latency-driven limit starts, below the ceiling, before it has measured anything. */
    static final int INITIAL_LIMIT = 8;
}
