package io.synthstream.common.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.common.testing.MutableClock;
import io.synthstream.common.testing.ProcessorTestSupport;
import io.synthstream.schemas.TestRecords;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SpecWaitTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    private final List<String> ready = new ArrayList<>();
    private final List<String> overdue = new ArrayList<>();
    private TimestampedKeyValueStore<String, GenerationRequest> specStore;
    private SpecLookup specs;

    @BeforeEach
    void setUp() {
        MockProcessorContext<String, String> context =
                ProcessorTestSupport.context("spec-wait-test", new SimpleMeterRegistry());
        specStore = ProcessorTestSupport.specsStore(context, "specs", ProcessorTestSupport.serdes());
        specs = new SpecLookup(context, "specs");
    }

    private void recheck(SpecWait wait) {
        wait.recheck(specs, (key, spec) -> ready.add(key + "@" + spec.getRequestId()), overdue::add);
    }

    @Test
    void shouldMeasureTheWaitFromTheRecordTimestampOnTheInjectedClock() {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        SpecWait wait = SpecWait.upTo(Duration.ofSeconds(60), clock);

        assertThat(wait.isOverdue(NOW.minusSeconds(59).toEpochMilli())).isFalse();
        assertThat(wait.isOverdue(NOW.minusSeconds(60).toEpochMilli())).isTrue();
        assertThat(SpecWait.upTo(Duration.ZERO, clock).isOverdue(NOW.toEpochMilli()))
                .isTrue();
        assertThat(SpecWait.unbounded(clock).isOverdue(0)).isFalse();
    }

    @Test
    void shouldRecheckAQuarterOfTheWaitBetweenATenthOfASecondAndASecond() {
        Clock clock = Clock.systemUTC();
        assertThat(SpecWait.upTo(Duration.ofSeconds(60), clock).recheckInterval())
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(SpecWait.upTo(Duration.ofMillis(2000), clock).recheckInterval())
                .isEqualTo(Duration.ofMillis(500));
        assertThat(SpecWait.upTo(Duration.ZERO, clock).recheckInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(SpecWait.unbounded(clock).recheckInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThatThrownBy(() -> SpecWait.upTo(Duration.ofMillis(-1), clock))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldHandOverKeysInKeyOrderOnceTheirSpecArrivesAndKeepTheOthers() {
        SpecWait wait = SpecWait.upTo(Duration.ofSeconds(60), Clock.fixed(NOW, ZoneOffset.UTC));
        long since = NOW.toEpochMilli();
        wait.park("s-3", "r-1", since);
        wait.park("s-1", "r-1", since);
        wait.park("s-2", "r-2", since);

        recheck(wait);
        assertThat(ready).isEmpty();

        ProcessorTestSupport.putSpec(specStore, TestRecords.request("r-1"));
        recheck(wait);

        assertThat(ready).containsExactly("s-1@r-1", "s-3@r-1");
        assertThat(wait.isParked("s-2")).isTrue();
        assertThat(wait.isParked("s-1")).isFalse();
        assertThat(overdue).isEmpty();
    }

    @Test
    void shouldHandOverAKeyWhoseWaitIsOverOnce() {
        MutableClock clock = new MutableClock(NOW);
        SpecWait wait = SpecWait.upTo(Duration.ofSeconds(60), clock);
        wait.park("s-1", "r-missing", NOW.toEpochMilli());
        wait.park("s-2", "r-missing", NOW.plusSeconds(30).toEpochMilli());

        clock.set(NOW.plusSeconds(61));
        recheck(wait);
        recheck(wait);

        assertThat(overdue).containsExactly("s-1");
        assertThat(wait.isParked("s-2")).isTrue();
        assertThat(ready).isEmpty();
    }

    @Test
    void shouldNeverGiveUpWhenUnbounded() {
        MutableClock clock = new MutableClock(NOW);
        SpecWait wait = SpecWait.unbounded(clock);
        wait.park("r-1", "r-1", 0);

        clock.set(NOW.plus(Duration.ofDays(365)));
        recheck(wait);

        assertThat(overdue).isEmpty();
        assertThat(wait.isParked("r-1")).isTrue();
    }
}
