package io.synthstream.common.llm;

/**
 * AIMD concurrency limit: a 429 cuts the limit to 75 % (at most once per cooldown, so one burst
 * of 429s counts once), and {@code successesToGrow} successes in a row add one back, up to the
 * ceiling. Not thread-safe: used under {@link CallGate}'s lock.
 */
final class AdaptiveLimit {
    static final long DEFAULT_COOLDOWN_NANOS = 2_000_000_000L;

    private final int ceiling;
    private final int successesToGrow;
    private final boolean enabled;
    private int limit;
    private int successes;
    private long cooldownUntil;

    AdaptiveLimit(int ceiling, int successesToGrow, boolean enabled) {
        this.ceiling = ceiling;
        this.successesToGrow = successesToGrow;
        this.enabled = enabled;
        this.limit = ceiling;
    }

    int current() {
        return limit;
    }

    void onSuccess() {
        if (enabled && limit < ceiling && ++successes >= successesToGrow) {
            limit++;
            successes = 0;
        }
    }

    /** A 429; {@code cooldownNanos} comes from {@code Retry-After} or the 2 s default. */
    void onRateLimited(long nowNanos, long cooldownNanos) {
        successes = 0;
        if (enabled && nowNanos - cooldownUntil >= 0) {
            limit = Math.max(1, (int) Math.floor(limit * 0.75));
            cooldownUntil = nowNanos + cooldownNanos;
        }
    }
}
