package io.synthstream.generator.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Sample;
import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.Topics;
import io.synthstream.generator.app.GeneratorApp;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.topology.GeneratorTopology;
import io.synthstream.local.EmbeddedPlatform;
import io.synthstream.local.FakeOpenAiServer;
import io.synthstream.local.FakeOpenAiServer.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The real generator app on the embedded broker against the fake OpenAI-compatible server: every
 * requested sample ends exactly once as a sample or a dead letter, also across a kill -9.
 */
class GeneratorIT {
    private static final int COUNT = 500;

    @Test
    void fiveHundredSamplesThroughFaultsEndAsExactlyFiveHundredOutcomes() throws Exception {
        Map<Fault, Double> faults = Map.of(
                Fault.RATE_LIMITED_NO_RETRY_AFTER, 0.03,
                Fault.UNAVAILABLE, 0.03,
                Fault.CONNECTION_RESET, 0.01,
                Fault.MALFORMED_CONTENT, 0.04,
                Fault.BAD_REQUEST, 0.01);
        try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral();
                FakeOpenAiServer server = FakeOpenAiServer.start(
                        FakeOpenAiServer.Settings.instant()
                                .withLatency(Duration.ofMillis(20), 0.5)
                                .withRates(faults),
                        0)) {
            // The faults the assertions below count come first, in order; the rates add more at random.
            server.script(Fault.BAD_REQUEST, Fault.UNAVAILABLE, Fault.BAD_REQUEST);
            SynthConfig config = new SynthConfig(GeneratorConfig.definition(), settings(platform, server, "it-a"));
            try (var runtime = LlmSettings.runtime(config);
                    StreamsApp app = StreamsApp.start(
                            config, GeneratorTopology.build(config, runtime, false), GeneratorTopology.TOPICS)) {
                submit(platform, "req-500", COUNT);
                Outcomes outcomes = Outcomes.await(platform, "req-500", COUNT, Duration.ofMinutes(3));
                outcomes.assertExactly(COUNT);
                assertThat(outcomes.samples).isNotEmpty();
                assertThat(outcomes.deadLetters.keySet())
                        .as("terminal 400s are dead-lettered")
                        .contains("llm_bad_request");
                assertThat(server.faults(Fault.UNAVAILABLE)).isPositive();
            }
        }
    }

    @Test
    void aKilledInstanceLosesAndDoublesNothing(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral();
                FakeOpenAiServer server = FakeOpenAiServer.start(
                        FakeOpenAiServer.Settings.instant().withLatency(Duration.ofMillis(300), 0.6), 0)) {
            Map<String, Object> settings = settings(platform, server, "it-crash");
            settings.put(LlmSettings.MAX_IN_FLIGHT.key(), 32);
            Process child = startChild(settings, dir.resolve("state-1"), dir.resolve("child-1.log"));
            long killedAt;
            try {
                submit(platform, "req-crash", COUNT);
                // Wait until work is committed and calls are in flight, then kill -9.
                Outcomes.await(platform, "req-crash", 60, Duration.ofMinutes(2));
                assertThat(child.isAlive())
                        .as("child log: %s", dir.resolve("child-1.log"))
                        .isTrue();
                killedAt = System.currentTimeMillis();
                child.destroyForcibly().waitFor();
            } finally {
                child.destroyForcibly();
            }
            long sentBeforeKill = server.requests();
            assertThat(sentBeforeKill).isLessThan(COUNT);
            // A fresh state directory: the pending calls come back from the changelog and are re-issued.
            settings.put(SynthConfig.STATE_DIR.key(), dir.resolve("state-2").toString());
            SynthConfig config = new SynthConfig(GeneratorConfig.definition(), settings);
            try (var runtime = LlmSettings.runtime(config);
                    StreamsApp app = StreamsApp.start(
                            config, GeneratorTopology.build(config, runtime, false), GeneratorTopology.TOPICS)) {
                Outcomes outcomes = Outcomes.await(platform, "req-crash", COUNT, Duration.ofMinutes(3));
                outcomes.assertExactly(COUNT);
                assertThat(outcomes.deadLetters).isEmpty();
            }
            // Replies that had arrived before the kill were kept: the restarted instance took them
            // instead of paying again. Only a reply billed in the few milliseconds before it was
            // kept can be paid twice (with llm.responses.keep=false every reply of the uncommitted
            // last moments is: 7 of 32 in flight in one run). On a loaded 2-core CI machine those
            // milliseconds held 3 replies once, so the bound is 3, still well below the 7.
            FakeOpenAiServer.Repaid repaid = FakeOpenAiServer.Repaid.at(server.keyedCalls(), killedAt);
            assertThat(repaid.inFlight()).as("calls in flight at the kill").isPositive();
            assertThat(repaid.paidTwice())
                    .as("replies billed twice: %s", repaid)
                    .isLessThanOrEqualTo(3);
        }
    }

    static Map<String, Object> settings(EmbeddedPlatform platform, FakeOpenAiServer server, String appId) {
        Map<String, Object> props = new HashMap<>();
        props.put(SynthConfig.BOOTSTRAP_SERVERS.key(), platform.bootstrapServers());
        props.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), platform.registryUrl());
        props.put(SynthConfig.APPLICATION_ID.key(), appId);
        props.put(SynthConfig.STATE_DIR.key(), System.getProperty("java.io.tmpdir") + "/synth-it-" + UUID.randomUUID());
        props.put(SynthConfig.HTTP_PORT.key(), -1);
        props.put(SynthConfig.TOPIC_PARTITIONS.key(), 3);
        props.put(LlmSettings.BASE_URL.key(), server.baseUrl());
        props.put(LlmSettings.API_KEY.key(), "sk-it");
        props.put(LlmSettings.MODEL.key(), "fake-model");
        props.put(LlmSettings.BACKOFF_INITIAL_MS.key(), 20L);
        props.put(LlmSettings.BACKOFF_MAX_MS.key(), 200L);
        props.put(LlmSettings.TIMEOUT_MS.key(), 5_000L);
        props.put(GeneratorConfig.PLAN_BATCH.key(), 50);
        return props;
    }

    static void submit(EmbeddedPlatform platform, String requestId, int count) {
        submit(platform, requestId, """
                {"request_id": "%s", "dataset": "reviews",
                 "task": {"kind": "classification", "description": "product reviews",
                          "labels": ["positive", "negative", "neutral"]},
                 "count": %d,
                 "attributes": [{"name": "product", "values": [{"value": "phone"}, {"value": "laptop"}]}],
                 "seed": 3}
                """.formatted(requestId, count));
    }

    /** Publishes a request as plain JSON to {@code synth.requests.json}. */
    static void submit(EmbeddedPlatform platform, String requestId, String json) {
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.REQUESTS_JSON.name(), requestId, json));
        }
    }

    static Process startChild(Map<String, Object> settings, Path stateDir, Path log) throws Exception {
        Map<String, Object> env = new HashMap<>(settings);
        env.put(SynthConfig.STATE_DIR.key(), stateDir.toString());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(
                java, "-Xmx512m", "-cp", System.getProperty("java.class.path"), GeneratorApp.class.getName());
        env.forEach((k, v) -> builder.environment().put(SynthConfig.envName(k), String.valueOf(v)));
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        Files.createDirectories(stateDir);
        return builder.start();
    }

    /** The samples and dead letters of one request, read committed. */
    static final class Outcomes {
        final List<String> samples = new ArrayList<>();
        final List<Sample> records = new ArrayList<>();
        final Map<String, List<String>> deadLetters = new TreeMap<>();

        static Outcomes await(EmbeddedPlatform platform, String requestId, int atLeast, Duration timeout)
                throws InterruptedException {
            Map<String, Object> props = new HashMap<>();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
            props.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + UUID.randomUUID());
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            Outcomes outcomes = new Outcomes();
            Map<String, Object> serdeProps = new HashMap<>();
            serdeProps.put(SynthConfig.APPLICATION_ID.key(), "reader");
            serdeProps.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), platform.registryUrl());
            SynthSerdes serdes = SynthSerdes.from(new SynthConfig(SynthConfig.baseDefinition(), serdeProps));
            var sampleDecoder = serdes.value(Topics.SAMPLES_RAW).deserializer();
            var dlqDecoder = serdes.value(Topics.DLQ).deserializer();
            try (KafkaConsumer<byte[], byte[]> consumer =
                    new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(Topics.SAMPLES_RAW.name(), Topics.DLQ.name()));
                long deadline = System.nanoTime() + timeout.toNanos();
                long settleUntil = Long.MAX_VALUE;
                while (System.nanoTime() < Math.min(deadline, settleUntil)) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        if (r.topic().equals(Topics.SAMPLES_RAW.name())) {
                            Sample s = sampleDecoder.deserialize(r.topic(), r.value());
                            if (s.getRequestId().equals(requestId)) {
                                outcomes.samples.add(s.getSampleId());
                                outcomes.records.add(s);
                            }
                        } else {
                            DeadLetter d = dlqDecoder.deserialize(r.topic(), r.value());
                            if (requestId.equals(d.getRequestId())) {
                                outcomes.deadLetters
                                        .computeIfAbsent(d.getReason(), k -> new ArrayList<>())
                                        .add(d.getSampleId());
                            }
                        }
                    }
                    if (outcomes.total() >= atLeast && settleUntil == Long.MAX_VALUE) {
                        settleUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                    }
                }
            }
            if (outcomes.total() < atLeast) {
                throw new AssertionError("Timed out after " + timeout + " with " + outcomes.total() + " outcomes");
            }
            return outcomes;
        }

        int total() {
            return samples.size()
                    + deadLetters.values().stream().mapToInt(List::size).sum();
        }

        void assertExactly(int count) {
            List<String> all = new ArrayList<>(samples);
            deadLetters.values().forEach(all::addAll);
            assertThat(all)
                    .as(
                            "outcomes (dead letters by reason: %s)",
                            deadLetters.entrySet().stream()
                                    .collect(Collectors.toMap(
                                            Map.Entry::getKey, e -> e.getValue().size())))
                    .hasSize(count)
                    .doesNotHaveDuplicates();
        }
    }
}
