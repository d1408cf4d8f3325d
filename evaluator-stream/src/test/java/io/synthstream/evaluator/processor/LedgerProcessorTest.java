package io.synthstream.evaluator.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.common.testing.MutableClock;
import io.synthstream.common.testing.ProcessorTestSupport;
import io.synthstream.evaluator.avro.LedgerDelta;
import io.synthstream.evaluator.logic.LedgerDeltas;
import io.synthstream.schemas.TestRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LedgerProcessorTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration RECHECK = Duration.ofSeconds(1);

    private final MutableClock clock = new MutableClock(NOW);
    private MockProcessorContext<String, RequestStatus> context;
    private KeyValueStore<String, RequestStatus> ledger;
    private TimestampedKeyValueStore<String, GenerationRequest> specs;
    private LedgerProcessor processor;

    @BeforeEach
    void setUp() {
        context = ProcessorTestSupport.context("ledger-test", new SimpleMeterRegistry());
        ledger = ProcessorTestSupport.keyValueStore(
                context,
                EvaluatorStores.LEDGER,
                Serdes.String(),
                ProcessorTestSupport.serdes().valueSerde(RequestStatus.class));
        specs = ProcessorTestSupport.specsStore(context, EvaluatorStores.SPECS, ProcessorTestSupport.serdes());
        processor = new LedgerProcessor(clock);
        processor.init(context);
    }

    private void process(LedgerDelta delta) {
        processor.process(new Record<>(delta.getRequestId(), delta, NOW.toEpochMilli()));
    }

    private List<RequestStatus> published() {
        return context.forwarded().stream()
                .map(f -> (RequestStatus) f.record().value())
                .toList();
    }

    private static GenerationRequest spec(String requestId, int count) {
        GenerationRequest spec = TestRecords.request(requestId);
        spec.setCount(count);
        return spec;
    }

    @Test
    void shouldPublishEachChangeAndCompleteTheLedgerOnceALateSpecArrives() {
        var sample = TestRecords.sample("s-1");
        process(LedgerDeltas.curated(sample));

        assertThat(published()).singleElement().satisfies(s -> {
            assertThat(s.getRequested()).isZero();
            assertThat(s.getCurated()).isEqualTo(1);
            assertThat(s.getComplete()).isFalse();
        });

        ProcessorTestSupport.putSpec(specs, spec(sample.getRequestId(), 1));
        ProcessorTestSupport.punctuate(context, RECHECK, clock.millis());

        assertThat(published()).hasSize(2).last().satisfies(s -> {
            assertThat(s.getRequested()).isEqualTo(1);
            assertThat(s.getComplete()).isTrue();
        });
        ProcessorTestSupport.punctuate(context, RECHECK, clock.millis());
        assertThat(published()).as("published once the spec is in, not again").hasSize(2);
    }

    @Test
    void shouldWaitForTheSpecsOfStoredLedgersAgainAfterARestart() {
        var sample = TestRecords.sample("s-1");
        process(LedgerDeltas.curated(sample));

        context = ProcessorTestSupport.context("ledger-test", new SimpleMeterRegistry());
        context.addStateStore(ledger);
        context.addStateStore(specs);
        processor = new LedgerProcessor(clock);
        processor.init(context);
        ProcessorTestSupport.putSpec(specs, spec(sample.getRequestId(), 2));
        ProcessorTestSupport.punctuate(context, RECHECK, clock.millis());

        assertThat(published()).singleElement().satisfies(s -> {
            assertThat(s.getRequested()).isEqualTo(2);
            assertThat(s.getComplete()).isFalse();
        });
        assertThat(ledger.get(sample.getRequestId()).getRequested()).isEqualTo(2);
    }

    @Test
    void shouldTakeRequestedFromASpecAlreadyThere() {
        var sample = TestRecords.sample("s-1");
        ProcessorTestSupport.putSpec(specs, spec(sample.getRequestId(), 1));

        process(LedgerDeltas.curated(sample));

        assertThat(published())
                .singleElement()
                .satisfies(s -> assertThat(s.getComplete()).isTrue());
        assertThat(ledger.get(sample.getRequestId()).getUpdatedAt()).isEqualTo(NOW);
    }
}
