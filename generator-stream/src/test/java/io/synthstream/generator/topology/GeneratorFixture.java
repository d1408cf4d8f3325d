package io.synthstream.generator.topology;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.PlanStatus;
import io.synthstream.avro.Sample;
import io.synthstream.avro.SeedRecord;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmLimits;
import io.synthstream.common.llm.LlmProvider;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.testing.TopologyTestSupport;
import io.synthstream.common.topics.Topics;
import io.synthstream.generator.config.GeneratorConfig;
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

/** A generator topology on TopologyTestDriver with in-memory stores and a given provider. */
final class GeneratorFixture implements AutoCloseable {
    final SynthConfig config;
    final SynthSerdes serdes;
    final LlmRuntime runtime;
    final Topology topology;
    final TopologyTestDriver driver;
    final TestInputTopic<String, GenerationRequest> requests;
    final TestInputTopic<String, String> jsonRequests;
    final TestInputTopic<String, ConditionTuple> conditionsIn;
    final TestInputTopic<String, SteeringUpdate> steering;
    final TestInputTopic<String, SeedRecord> seeds;
    final TestOutputTopic<String, PlanStatus> plan;
    final TestOutputTopic<String, GenerationRequest> specs;
    final TestOutputTopic<String, ConditionTuple> conditions;
    final TestOutputTopic<String, Sample> samples;
    final TestOutputTopic<byte[], DeadLetter> deadLetters;
    final List<Sample> sampleLog = new ArrayList<>();
    final List<DeadLetter> deadLetterLog = new ArrayList<>();

    GeneratorFixture(LlmProvider provider, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(SynthConfig.APPLICATION_ID.key(), "synth-generator-test");
        props.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), "mem://" + UUID.randomUUID());
        props.putAll(overrides);
        this.config = new SynthConfig(GeneratorConfig.definition(), props);
        this.serdes = SynthSerdes.from(config);
        this.runtime = new LlmRuntime(
                provider, LlmLimits.defaults().withRetries(3, Duration.ofMillis(5), Duration.ofMillis(20)));
        this.topology = GeneratorTopology.build(config, runtime, true);
        this.driver = TopologyTestSupport.driver(topology, config);
        this.requests = TopologyTestSupport.input(driver, Topics.REQUESTS, serdes);
        this.jsonRequests = driver.createInputTopic(
                Topics.REQUESTS_JSON.name(),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer());
        this.conditionsIn = TopologyTestSupport.input(driver, Topics.CONDITIONS, serdes);
        this.steering = TopologyTestSupport.input(driver, Topics.STEERING, serdes);
        this.seeds = TopologyTestSupport.input(driver, Topics.SEEDS, serdes);
        this.plan = TopologyTestSupport.output(driver, Topics.PLAN, serdes);
        this.specs = TopologyTestSupport.output(driver, Topics.SPECS, serdes);
        this.conditions = TopologyTestSupport.output(driver, Topics.CONDITIONS, serdes);
        this.samples = TopologyTestSupport.output(driver, Topics.SAMPLES_RAW, serdes);
        this.deadLetters = TopologyTestSupport.deadLetters(driver, serdes);
    }

    /** Advances wall-clock time in small steps until {@code done} or ten seconds pass. */
    void pumpUntil(BooleanSupplier done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            driver.advanceWallClockTime(Duration.ofMillis(100));
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
        throw new AssertionError(
                "timed out: " + sampleLog.size() + " samples, " + deadLetterLog.size() + " dead letters");
    }

    /** Pumps until {@code n} outcomes (samples + dead letters) arrived. */
    void pumpOutcomes(int n) {
        pumpUntil(() -> sampleLog.size() + deadLetterLog.size() >= n);
    }

    private void collect() {
        sampleLog.addAll(samples.readValuesToList());
        deadLetterLog.addAll(deadLetters.readValuesToList());
    }

    @Override
    public void close() {
        driver.close();
        runtime.close();
    }
}
