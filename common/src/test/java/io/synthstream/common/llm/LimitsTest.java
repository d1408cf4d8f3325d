package io.synthstream.common.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LimitsTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void tokenBucketHoldsOneSecondsWorthAndRefillsAtItsRate() {
        TokenBucket bucket = new TokenBucket(600, 0); // ten per second: holds 10
        for (int i = 0; i < 10; i++) {
            assertThat(bucket.nanosUntil(1, 0)).isZero();
            bucket.take(1, 0);
        }
        assertThat(bucket.nanosUntil(1, 0)).isBetween(SECOND / 10 - 10, SECOND / 10 + 10);
        assertThat(bucket.nanosUntil(1, SECOND / 10)).isZero();
        assertThat(bucket.nanosUntil(10, SECOND))
                .as("never more than one second's worth")
                .isZero();
        assertThat(bucket.nanosUntil(11, SECOND)).isZero(); // a larger call waits for a full bucket only
    }

    @Test
    void aCallLargerThanTheBucketLeavesADebtLaterCallsWaitOut() {
        TokenBucket bucket = new TokenBucket(6000, 0); // 100 a second, holds 100
        bucket.take(300, 0); // 200 in debt
        assertThat(bucket.nanosUntil(1, 0)).isBetween(2 * SECOND + SECOND / 100 - 10, 2 * SECOND + SECOND / 100 + 10);
        bucket.take(-250, 0); // the real count was 250 lower: given back, up to the capacity
        assertThat(bucket.nanosUntil(50, 0)).isZero();
    }

    @Test
    void aShareRunsBelowItsRateByWhatOneBurstCouldAddToATenSecondWindow() {
        assertThat(CallGate.requestRate(600)).isCloseTo(545.45, org.assertj.core.data.Offset.offset(0.01));
        // 40 a minute: a bucket of one call, so at most 34 a minute flows: 1 + 34 / 6 = 6.67 = 40 / 6
        assertThat(CallGate.requestRate(40)).isEqualTo(34);
        assertThat(CallGate.requestRate(8)).isEqualTo(4);
        assertThat(CallGate.requestRate(0)).isZero();
    }

    @Test
    void aGateSharingItsLimitsAdmitsNothingUntilItKnowsHowManyShareThemThenTakesItsShare() {
        LlmLimits limits = new LlmLimits(
                64, 600, 0, 3, Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(5), false, 25, "none");
        CallGate gate = new CallGate(limits);
        gate.awaitShare();
        long now = System.nanoTime();
        assertThat(gate.tryAcquire(1, now)).isEqualTo(CallGate.SHARE_WAIT_NANOS);

        gate.setInstances(3); // 200 a minute each, run at 10/11: 181.8 a minute, a bucket of 3.03
        int admitted = 0;
        while (gate.tryAcquire(1, now) == 0) {
            admitted++;
        }
        assertThat(admitted).isEqualTo(3);
        assertThat(gate.instances()).isEqualTo(3);
        // the bucket refills one call in 60 / 181.8 s = 0.33 s; what is left of the 3.03 makes it a little less
        assertThat(gate.tryAcquire(1, now)).isBetween(SECOND / 4, SECOND * 33 / 100);
    }

    @Test
    void aZeroRateIsUnlimited() {
        TokenBucket bucket = new TokenBucket(0, 0);
        bucket.take(1e9, 0);
        assertThat(bucket.nanosUntil(1e9, 0)).isZero();
    }

    /**
     * A closed loop against a simulated server with 16 service slots: each round the gate admits
     * what its limit allows, every call takes 200 ms times its lognormal spread, and beyond 16 in
     * flight the round trip grows with the queue (n / 16). Simulated time, so no test waits.
     *
     * @return the limits the gate had over the last 60 simulated seconds
     */
    private static java.util.IntSummaryStatistics simulate(String latencyLimit, int ceiling, int knee) {
        LlmLimits limits = LlmLimits.defaults().withLatencyLimit(latencyLimit);
        limits = new LlmLimits(
                ceiling,
                0,
                0,
                limits.maxAttempts(),
                limits.initialBackoff(),
                limits.maxBackoff(),
                limits.callTimeout(),
                true,
                25,
                latencyLimit);
        CallGate gate = new CallGate(limits);
        java.util.Random random = new java.util.Random(7);
        long now = 0;
        java.util.IntSummaryStatistics late = new java.util.IntSummaryStatistics();
        while (now < 180 * SECOND) {
            int admitted = 0;
            while (gate.tryAcquire(1, now) == 0) {
                admitted++;
            }
            long longest = 0;
            for (int i = 0; i < admitted; i++) {
                double spread = Math.exp(0.3 * random.nextGaussian());
                long rtt = (long) (0.2 * SECOND * spread * Math.max(1.0, admitted / (double) knee));
                longest = Math.max(longest, rtt);
                gate.release(null, rtt, now + rtt);
            }
            now += longest;
            if (now > 120 * SECOND) {
                late.accept(gate.limit());
            }
        }
        return late;
    }

    @Test
    void aLatencyDrivenLimitSettlesNearTheKneeOfAServerThatQueues() {
        assertThat(simulate("none", 256, 16).getMin())
                .as("the 429 rule alone never acts here")
                .isEqualTo(256);
        // A server without a knee: nothing queues, so the limit climbs to the ceiling and stays.
        java.util.IntSummaryStatistics free = simulate("vegas", 64, Integer.MAX_VALUE);
        assertThat(free.getMin()).as("no knee").isGreaterThanOrEqualTo(60);
        java.util.IntSummaryStatistics settled = simulate("vegas", 256, 16);
        // The knee is 16; Vegas keeps a few calls (3 to 7 at this limit) queued at the server beyond it.
        assertThat(settled.getMin()).isGreaterThanOrEqualTo(16);
        assertThat(settled.getMax()).isLessThanOrEqualTo(24);
    }

    @Test
    void anUnknownLatencyLimitIsRefusedWithTheChoices() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> LlmLimits.defaults().withLatencyLimit("aimd"))
                .hasMessageContaining("Unknown latency limit 'aimd'")
                .hasMessageContaining("vegas");
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
