package io.synthstream.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(4), Duration.ofMillis(8));

    @Test
    void shouldBackOffExponentiallyWithEqualJitterUpToTheCap() {
        RetryPolicy wide = new RetryPolicy(9, Duration.ofMillis(100), Duration.ofMillis(1000));
        for (int i = 0; i < 50; i++) {
            assertThat(wide.backoff(1, Optional.empty())).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
            assertThat(wide.backoff(3, Optional.empty())).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
            assertThat(wide.backoff(30, Optional.empty())).isBetween(Duration.ofMillis(500), Duration.ofMillis(1000));
        }
    }

    @Test
    void shouldHonourRetryAfterUpToFiveMinutes() {
        assertThat(policy.backoff(1, Optional.of(Duration.ofSeconds(3))))
                .isBetween(Duration.ofSeconds(3), Duration.ofMillis(3300));
        assertThat(policy.backoff(1, Optional.of(Duration.ofHours(1))))
                .isBetween(
                        RetryPolicy.MAX_RETRY_AFTER,
                        RetryPolicy.MAX_RETRY_AFTER.multipliedBy(11).dividedBy(10));
    }

    @Test
    void shouldRetryRetryableFailuresUntilTheAttemptsRunOut() {
        AtomicInteger calls = new AtomicInteger();
        List<Integer> retried = new ArrayList<>();

        assertThatThrownBy(() -> policy.run(
                        () -> {
                            calls.incrementAndGet();
                            throw new IllegalStateException("503");
                        },
                        e -> true,
                        e -> Optional.empty(),
                        (n, e, wait) -> retried.add(n)))
                .hasMessage("503");
        assertThat(calls).hasValue(3);
        assertThat(retried).containsExactly(1, 2);
    }

    @Test
    void shouldStopAtOnceOnAFailureThatCannotSucceedAndReturnAFirstSuccess() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> policy.run(
                        () -> {
                            calls.incrementAndGet();
                            throw new IllegalArgumentException("401");
                        },
                        e -> !(e instanceof IllegalArgumentException),
                        e -> Optional.empty(),
                        (n, e, wait) -> {}))
                .hasMessage("401");
        assertThat(calls).hasValue(1);

        AtomicInteger flaky = new AtomicInteger();
        String result = policy.run(
                () -> {
                    if (flaky.incrementAndGet() < 2) {
                        throw new IllegalStateException("reset");
                    }
                    return "ok";
                },
                e -> true,
                e -> Optional.empty(),
                (n, e, wait) -> {});
        assertThat(result).isEqualTo("ok");
        assertThat(flaky).hasValue(2);
    }

    @Test
    void shouldRefuseAPolicyWithoutAttempts() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
