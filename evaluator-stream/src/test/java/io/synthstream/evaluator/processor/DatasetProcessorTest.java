package io.synthstream.evaluator.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.Sample;
import io.synthstream.common.testing.MutableClock;
import io.synthstream.common.testing.ProcessorTestSupport;
import io.synthstream.evaluator.avro.DatasetAccumulators;
import io.synthstream.evaluator.avro.EvalEvent;
import io.synthstream.evaluator.avro.WindowEntry;
import io.synthstream.evaluator.logic.DatasetEvents;
import io.synthstream.evaluator.logic.DatasetSettings;
import io.synthstream.evaluator.logic.Scoring;
import io.synthstream.evaluator.logic.Vectors;
import io.synthstream.schemas.TestRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DatasetProcessorTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration REPORT = Duration.ofSeconds(2);
    private static final DatasetSettings SETTINGS = new DatasetSettings(
            10, 5, 50, 2, 4096, 3, new DatasetSettings.Steering(false, Duration.ZERO, 1, 0.3), Duration.ofMinutes(10));

    private final MutableClock clock = new MutableClock(NOW);
    private SimpleMeterRegistry meters;
    private final List<Object> stores = new ArrayList<>();
    private MockProcessorContext<String, EvaluatorOutput> context;
    private KeyValueStore<String, WindowEntry> window;
    private KeyValueStore<String, DatasetAccumulators> accumulators;
    private DatasetProcessor processor;

    @BeforeEach
    void setUp() {
        context = ProcessorTestSupport.context("dataset-test", new SimpleMeterRegistry());
        window = ProcessorTestSupport.keyValueStore(
                context,
                EvaluatorStores.WINDOW,
                Serdes.String(),
                ProcessorTestSupport.serdes().valueSerde(WindowEntry.class));
        accumulators = ProcessorTestSupport.keyValueStore(
                context,
                EvaluatorStores.ACCUMULATORS,
                Serdes.String(),
                ProcessorTestSupport.serdes().valueSerde(DatasetAccumulators.class));
        KeyValueStore<String, byte[]> moments = ProcessorTestSupport.keyValueStore(
                context, EvaluatorStores.MOMENTS, Serdes.String(), Serdes.ByteArray());
        KeyValueStore<String, RequestStatus> requests = ProcessorTestSupport.keyValueStore(
                context,
                EvaluatorStores.REQUESTS,
                Serdes.String(),
                ProcessorTestSupport.serdes().valueSerde(RequestStatus.class));
        TimestampedKeyValueStore<String, GenerationRequest> specs =
                ProcessorTestSupport.specsStore(context, EvaluatorStores.SPECS, ProcessorTestSupport.serdes());
        stores.addAll(List.of(window, accumulators, moments, requests, specs));
        start();
    }

    /** A new processor over the same stores, as after a restart. */
    private void start() {
        meters = new SimpleMeterRegistry();
        context = ProcessorTestSupport.context("dataset-test", meters);
        stores.forEach(s -> context.addStateStore((org.apache.kafka.streams.processor.StateStore) s));
        processor = new DatasetProcessor("dataset-test", SETTINGS, REPORT, clock);
        processor.init(context);
    }

    private void scored(String id, float x) {
        Sample sample = TestRecords.sample(id);
        sample.setDataset("d");
        var scored = Scoring.scored(sample, Scoring.disabled(), "words of sample " + id, NOW);
        EvalEvent event = Scoring.event(sample, scored, Vectors.encode(new float[] {x, 1 - x}), "words of " + id);
        processor.process(new Record<>("d", event, NOW.toEpochMilli()));
    }

    private void rejected(String id) {
        Rejection rejection = TestRecords.rejection();
        rejection.setSampleId(id);
        rejection.setDataset("d");
        processor.process(new Record<>("d", DatasetEvents.rejected(rejection), NOW.toEpochMilli()));
    }

    private List<DatasetReport> reports() {
        List<DatasetReport> reports = new ArrayList<>();
        context.forwarded().forEach(f -> {
            if (f.record().value() instanceof EvaluatorOutput.Report r) {
                reports.add(r.report());
            }
        });
        return reports;
    }

    private List<String> windowKeys() {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, WindowEntry> all = window.all()) {
            all.forEachRemaining(kv -> keys.add(kv.value.getKind() + ":" + kv.value.getSampleId()));
        }
        return keys;
    }

    @Test
    void shouldPublishEachScoredSampleAtOnceAndReportOnlyOnTheReportInterval() {
        scored("s-1", 1f);
        scored("s-2", 0f);

        assertThat(context.forwarded())
                .extracting(f -> f.record().value())
                .allSatisfy(
                        v -> assertThat(v).isInstanceOfAny(EvaluatorOutput.Scored.class, EvaluatorOutput.Delta.class));
        assertThat(context.forwarded())
                .extracting(f -> f.record().value())
                .filteredOn(EvaluatorOutput.Delta.class::isInstance)
                .extracting(v -> ((EvaluatorOutput.Delta) v).delta().getQuality())
                .as("every scored sample's gate decision goes to the ledger")
                .containsExactly("pass", "pass");
        assertThat(((EvaluatorOutput.Scored) context.forwarded().get(2).record().value())
                        .sample()
                        .getNovelty())
                .isGreaterThan(0.5);
        assertThat(reports()).isEmpty();

        ProcessorTestSupport.punctuate(context, REPORT, clock.millis());

        assertThat(reports())
                .singleElement()
                .satisfies(r -> assertThat(r.getCumulative().getSamples()).isEqualTo(2));
        assertThat(accumulators.get("d").getFoldedSeq()).isEqualTo(1);
    }

    @Test
    void shouldDropFoldedRejectionsFromTheLogAndKeepRecentSamples() {
        scored("s-1", 1f);
        rejected("s-2");
        assertThat(windowKeys()).containsExactlyInAnyOrder("scored:s-1", "rejected:s-2");

        ProcessorTestSupport.punctuate(context, REPORT, clock.millis());

        assertThat(windowKeys()).containsExactly("scored:s-1");
        assertThat(accumulators.get("d").getRejectedCounts()).isNotEmpty();
    }

    @Test
    void shouldNeitherFoldTwiceNorSkipAcrossARestart() {
        scored("s-1", 1f);
        scored("s-2", 0f);
        ProcessorTestSupport.punctuate(context, REPORT, clock.millis());
        scored("s-3", 0.5f); // logged, not folded when the instance stops

        start();
        scored("s-4", 0.2f);
        ProcessorTestSupport.punctuate(context, REPORT, clock.millis());

        assertThat(reports())
                .singleElement()
                .satisfies(r -> assertThat(r.getCumulative().getSamples()).isEqualTo(4));
        assertThat(accumulators.get("d").getFoldedSeq()).isEqualTo(3);
        assertThat(accumulators.get("d").getNextSeq()).isEqualTo(4);
    }

    private Double gauge(String metric) {
        var gauge = meters.find("synth.dataset.metric")
                .tags("dataset", "d", "metric", metric)
                .gauge();
        return gauge == null ? null : gauge.value();
    }

    @Test
    void shouldShowTheReportAsGaugesUntilTheDatasetGoesIdle() {
        scored("s-1", 1f);
        scored("s-2", 0f);
        ProcessorTestSupport.punctuate(context, REPORT, clock.millis());

        assertThat(gauge("curated")).isNotNull();
        assertThat(gauge("distinct_2")).isPositive();

        clock.set(NOW.plus(Duration.ofMinutes(9)));
        ProcessorTestSupport.punctuate(context, REPORT, clock.millis());
        assertThat(gauge("distinct_2")).as("not idle yet").isNotNull();

        clock.set(NOW.plus(Duration.ofMinutes(10)));
        ProcessorTestSupport.punctuate(context, REPORT, clock.millis());
        assertThat(gauge("distinct_2")).as("idle: gauges gone").isNull();

        scored("s-3", 0.5f); // the dataset comes back: its state is loaded from the stores again
        ProcessorTestSupport.punctuate(context, REPORT, clock.millis());
        assertThat(reports())
                .last()
                .satisfies(r -> assertThat(r.getCumulative().getSamples()).isEqualTo(3));
        assertThat(gauge("distinct_2")).isNotNull();
    }

    @Test
    void shouldRemoveItsGaugesWhenItsTaskCloses() {
        scored("s-1", 1f);
        ProcessorTestSupport.punctuate(context, REPORT, clock.millis());
        assertThat(gauge("curated")).isNotNull();

        processor.close();

        assertThat(meters.find("synth.dataset.metric").gauges()).isEmpty();
    }
}
