package io.synthstream.evaluator.topology;

import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.PlanStatus;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.avro.Sample;
import io.synthstream.avro.ScoredSample;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmLimits;
import io.synthstream.common.llm.LlmProvider;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.testing.TopologyTestSupport;
import io.synthstream.common.topics.Topics;
import io.synthstream.embedding.Embeddings;
import io.synthstream.embedding.MiniLmEmbedder;
import io.synthstream.evaluator.config.EvaluatorConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;

/** An evaluator topology on TopologyTestDriver with in-memory stores, a given judge provider and MiniLM. */
final class EvaluatorFixture implements AutoCloseable {
    /** One model per JVM: loading takes about a second. */
    private static Embeddings shared;

    final SynthConfig config;
    final SynthSerdes serdes;
    final LlmRuntime runtime;
    final Topology topology;
    final TopologyTestDriver driver;
    /** The app's registry, as the processors see it. */
    final io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

    final TestInputTopic<String, GenerationRequest> specs;
    final TestInputTopic<String, Sample> raw;
    final TestInputTopic<String, Sample> curated;
    final TestInputTopic<String, Rejection> rejected;
    final TestInputTopic<byte[], DeadLetter> dlqIn;
    final TestInputTopic<String, PlanStatus> plans;
    final TestInputTopic<String, ReviewDecision> decisions;
    final TestOutputTopic<String, DatasetSample> dataset;
    final TestOutputTopic<String, ReviewRequest> reviews;
    final List<DatasetSample> datasetLog = new ArrayList<>();
    final List<ReviewRequest> reviewLog = new ArrayList<>();
    final TestOutputTopic<String, ScoredSample> scored;
    final TestOutputTopic<String, RequestStatus> statuses;
    final TestOutputTopic<String, DatasetReport> reports;
    final TestOutputTopic<String, SteeringUpdate> steering;
    final TestOutputTopic<byte[], DeadLetter> deadLetters;
    final List<ScoredSample> scoredLog = new ArrayList<>();
    final List<RequestStatus> statusLog = new ArrayList<>();
    final List<DatasetReport> reportLog = new ArrayList<>();
    final List<SteeringUpdate> steeringLog = new ArrayList<>();
    final List<DeadLetter> deadLetterLog = new ArrayList<>();

    EvaluatorFixture(LlmProvider provider, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(SynthConfig.APPLICATION_ID.key(), "synth-evaluator-test");
        props.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), "mem://" + UUID.randomUUID());
        props.put(EvaluatorConfig.REPORT_INTERVAL_MS.key(), 1000L);
        props.put(EvaluatorConfig.STEERING_INTERVAL_MS.key(), 1000L);
        props.put(EvaluatorConfig.STEERING_MIN_SAMPLES.key(), 5);
        props.putAll(overrides);
        this.config = new SynthConfig(EvaluatorConfig.definition(), props);
        this.serdes = SynthSerdes.from(config);
        this.runtime = new LlmRuntime(
                provider,
                LlmLimits.defaults().withRetries(2, Duration.ofMillis(5), Duration.ofMillis(20)),
                io.synthstream.common.llm.LlmSettings.prices(config));
        io.synthstream.embedding.EmbeddingSettings.Source source =
                EvaluatorConfig.from(config).embeddings();
        Embeddings embeddings = switch (source) {
            case NONE -> null;
            case MINILM -> embeddings();
            case OPENAI -> EvaluatorTopology.embeddings(EvaluatorConfig.from(config), runtime);
        };
        this.topology = EvaluatorTopology.build(config, runtime, embeddings, true);
        this.driver = TopologyTestSupport.driver(topology, config, meters);
        this.specs = TopologyTestSupport.input(driver, Topics.SPECS, serdes);
        this.raw = TopologyTestSupport.input(driver, Topics.SAMPLES_RAW, serdes);
        this.curated = TopologyTestSupport.input(driver, Topics.SAMPLES_CURATED, serdes);
        this.rejected = TopologyTestSupport.input(driver, Topics.SAMPLES_REJECTED, serdes);
        this.dlqIn = TopologyTestSupport.input(driver, Topics.DLQ, serdes);
        this.plans = TopologyTestSupport.input(driver, Topics.PLAN, serdes);
        this.decisions = TopologyTestSupport.input(driver, Topics.REVIEW_DECISIONS, serdes);
        this.dataset = TopologyTestSupport.output(driver, Topics.DATASET, serdes);
        this.reviews = TopologyTestSupport.output(driver, Topics.REVIEW, serdes);
        this.scored = TopologyTestSupport.output(driver, Topics.SAMPLES_SCORED, serdes);
        this.statuses = TopologyTestSupport.output(driver, Topics.REQUEST_STATUS, serdes);
        this.reports = TopologyTestSupport.output(driver, Topics.REPORTS, serdes);
        this.steering = TopologyTestSupport.output(driver, Topics.STEERING, serdes);
        this.deadLetters = TopologyTestSupport.deadLetters(driver, serdes);
    }

    static synchronized Embeddings embeddings() {
        if (shared == null) {
            shared = new Embeddings(MiniLmEmbedder.load(Path.of("target", "native-cache")), 1);
        }
        return shared;
    }

    /** Advances wall-clock time in small steps until {@code done} or ten seconds pass. */
    void pumpUntil(BooleanSupplier done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            driver.advanceWallClockTime(Duration.ofMillis(50));
            collect();
            if (done.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("timed out: " + scoredLog.size() + " scored, " + statusLog.size() + " statuses, "
                + reportLog.size() + " reports, " + deadLetterLog.size() + " dead letters");
    }

    /** Advances the wall clock past one report interval. */
    void report() {
        driver.advanceWallClockTime(Duration.ofMillis(1100));
        collect();
    }

    void collect() {
        scoredLog.addAll(scored.readValuesToList());
        statusLog.addAll(statuses.readValuesToList());
        reportLog.addAll(reports.readValuesToList());
        steeringLog.addAll(steering.readValuesToList());
        deadLetterLog.addAll(deadLetters.readValuesToList());
        datasetLog.addAll(dataset.readValuesToList());
        reviewLog.addAll(reviews.readValuesToList());
    }

    /** The generator's word that {@code planned} samples of the request are planned, and no more. */
    void planned(String requestId, long planned) {
        plans.pipeInput(
                requestId,
                PlanStatus.newBuilder()
                        .setRequestId(requestId)
                        .setDataset("sentiment")
                        .setPlanned(planned)
                        .setStopped(true)
                        .setUpdatedAt(java.time.Instant.now())
                        .build());
    }

    RequestStatus lastStatus() {
        return statusLog.get(statusLog.size() - 1);
    }

    DatasetReport lastReport() {
        return reportLog.get(reportLog.size() - 1);
    }

    @Override
    public void close() {
        driver.close();
        runtime.close();
    }
}
