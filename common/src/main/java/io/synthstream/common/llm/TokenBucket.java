package io.synthstream.common.llm;

/**
 * A token bucket refilled continuously at {@code perMinute} tokens per minute, holding at most one
 * minute's worth. Not thread-safe: {@link CallGate} uses it under its lock. A rate of 0 means
 * unlimited.
 */
final class TokenBucket {
    private final double perNano;
    private final double capacity;
    private double tokens;
    private long last;

    TokenBucket(long perMinute, long nowNanos) {
        this.perNano = perMinute / 60e9;
        this.capacity = perMinute;
        this.tokens = perMinute;
        this.last = nowNanos;
    }

    boolean unlimited() {
        return capacity <= 0;
    }

    /** Nanoseconds until {@code n} tokens are available (0 if now); a request above capacity waits for a full bucket. */
    long nanosUntil(double n, long nowNanos) {
        if (unlimited()) {
            return 0;
        }
        refill(nowNanos);
        double wanted = Math.min(n, capacity);
        return tokens >= wanted ? 0 : (long) Math.ceil((wanted - tokens) / perNano);
    }

    void take(double n, long nowNanos) {
        if (!unlimited()) {
            refill(nowNanos);
            tokens -= Math.min(n, capacity);
        }
    }

    private void refill(long nowNanos) {
        tokens = Math.min(capacity, tokens + (nowNanos - last) * perNano);
        last = nowNanos;
    }
}
