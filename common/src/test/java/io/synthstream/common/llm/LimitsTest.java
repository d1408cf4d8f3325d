package io.synthstream.common.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LimitsTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void tokenBucketStartsFullAndRefillsAtItsRate() {
        TokenBucket bucket = new TokenBucket(60, 0); // one per second
        for (int i = 0; i < 60; i++) {
            assertThat(bucket.nanosUntil(1, 0)).isZero();
            bucket.take(1, 0);
        }
        assertThat(bucket.nanosUntil(1, 0)).isBetween(SECOND - 10, SECOND + 10);
        assertThat(bucket.nanosUntil(1, SECOND)).isZero();
    }

    @Test
    void aZeroRateIsUnlimited() {
        TokenBucket bucket = new TokenBucket(0, 0);
        bucket.take(1e9, 0);
        assertThat(bucket.nanosUntil(1e9, 0)).isZero();
    }

    @Test
    void adaptiveLimitCutsOncePerBurstAndGrowsBack() {
        AdaptiveLimit limit = new AdaptiveLimit(64, 25, true);
        limit.onRateLimited(0, 2 * SECOND);
        assertThat(limit.current()).isEqualTo(48);
        limit.onRateLimited(SECOND, 2 * SECOND); // same burst: inside the cooldown
        assertThat(limit.current()).isEqualTo(48);
        limit.onRateLimited(3 * SECOND, 2 * SECOND);
        assertThat(limit.current()).isEqualTo(36);
        for (int i = 0; i < 24; i++) {
            limit.onSuccess();
        }
        assertThat(limit.current()).isEqualTo(36);
        limit.onSuccess();
        assertThat(limit.current()).isEqualTo(37);
    }

    @Test
    void adaptiveLimitNeverGoesBelowOneOrAboveTheCeiling() {
        AdaptiveLimit limit = new AdaptiveLimit(2, 1, true);
        for (int i = 0; i < 10; i++) {
            limit.onRateLimited(i * 10 * SECOND, SECOND);
        }
        assertThat(limit.current()).isEqualTo(1);
        for (int i = 0; i < 10; i++) {
            limit.onSuccess();
        }
        assertThat(limit.current()).isEqualTo(2);
    }

    @Test
    void backoffDoublesWithJitterAndHonoursRetryAfter() {
        try (LlmRuntime runtime = new LlmRuntime(
                new SimulatedProvider(SimulatedProvider.Settings.INSTANT),
                LlmLimits.defaults().withRetries(5, Duration.ofMillis(100), Duration.ofMillis(1000)))) {
            assertThat(runtime.backoff(1, Optional.empty())).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(runtime.backoff(3, Optional.empty())).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
            assertThat(runtime.backoff(10, Optional.empty()))
                    .isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
            assertThat(runtime.backoff(1, Optional.of(Duration.ofSeconds(3))))
                    .isBetween(Duration.ofSeconds(3), Duration.ofMillis(3300));
        }
    }

    @Test
    void retryAfterParsesSecondsAndDates() {
        assertThat(OpenAiProvider.retryAfter(Optional.of("2"))).contains(Duration.ofSeconds(2));
        assertThat(OpenAiProvider.retryAfter(Optional.of("Wed, 21 Oct 2015 07:28:00 GMT")))
                .contains(Duration.ZERO);
        assertThat(OpenAiProvider.retryAfter(Optional.of("soon"))).isEmpty();
    }
}
