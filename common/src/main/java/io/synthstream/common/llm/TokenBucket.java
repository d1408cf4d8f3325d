package io.synthstream.common.llm;

/**
 * A token bucket refilled continuously at {@code perMinute} tokens per minute, holding at most one
 * second's worth (at least 1), so that no burst much above the rate leaves an instance. A take may
 * leave it in debt (a call larger than the bucket), which later calls wait out: the long-run rate
 * holds. Not thread-safe: {@link CallGate} uses it under its lock. A rate of 0 means unlimited.
 */
final class TokenBucket {
    private double perNano;
    private double capacity;
    private double tokens;
    private long last;

    TokenBucket(long perMinute, long nowNanos) {
        this.last = nowNanos;
        setRate(perMinute, nowNanos);
        this.tokens = capacity;
    }

    /** A new rate from now on (an instance's share moved); what the bucket holds is kept up to the new capacity. */
    void setRate(double perMinute, long nowNanos) {
        if (capacity > 0) {
            refill(nowNanos);
        }
        this.perNano = perMinute / 60e9;
        this.capacity = perMinute <= 0 ? 0 : Math.max(1, perMinute / 60);
        this.tokens = Math.min(tokens, capacity);
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

    /** Takes {@code n} tokens (a negative {@code n} gives tokens back, up to the capacity). */
    void take(double n, long nowNanos) {
        if (!unlimited()) {
            refill(nowNanos);
            tokens = Math.min(capacity, tokens - n);
        }
    }

    private void refill(long nowNanos) {
        tokens = Math.min(capacity, tokens + (nowNanos - last) * perNano);
        last = nowNanos;
    }
}
