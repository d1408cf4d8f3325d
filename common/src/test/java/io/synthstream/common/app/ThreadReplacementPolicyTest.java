package io.synthstream.common.app;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ThreadReplacementPolicyTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void shouldReplaceThreadsUntilTooManyDieWithinTheWindow() {
        ThreadReplacementPolicy policy = new ThreadReplacementPolicy(2, Duration.ofMinutes(1));

        assertThat(policy.onThreadDeath(0)).isEqualTo(REPLACE_THREAD);
        assertThat(policy.onThreadDeath(SECOND)).isEqualTo(REPLACE_THREAD);
        assertThat(policy.onThreadDeath(2 * SECOND)).isEqualTo(SHUTDOWN_CLIENT);
    }

    @Test
    void shouldForgetDeathsOlderThanTheWindow() {
        ThreadReplacementPolicy policy = new ThreadReplacementPolicy(2, Duration.ofMinutes(1));
        policy.onThreadDeath(0);
        policy.onThreadDeath(SECOND);

        assertThat(policy.onThreadDeath(120 * SECOND)).isEqualTo(REPLACE_THREAD);
    }
}
