package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.Sample;
import io.synthstream.avro.ScoredSample;
import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.testing.TopicReader;
import io.synthstream.common.topics.Topics;
import io.synthstream.curator.app.CuratorApp;
import io.synthstream.curator.topology.CuratorTopology;
import io.synthstream.evaluator.app.EvaluatorApp;
import io.synthstream.evaluator.topology.EvaluatorTopology;
import io.synthstream.generator.app.GeneratorApp;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.topology.GeneratorTopology;
import io.synthstream.local.EmbeddedKafka;
import io.synthstream.local.EmbeddedPlatform;
import io.synthstream.schemas.TestRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three apps, built exactly as their mains build them, running side by side on one embedded
 * cluster and registry: requests become specs, and raw samples of that request flow through the
 * curator (which looks the spec up) to scored.
 */
class PipelineSkeletonIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int COUNT = 20;

    @TempDir
    Path stateDir;

    @Test
    void shouldRunAllThreeAppsEndToEnd() throws Exception {
        try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral()) {
            EmbeddedKafka kafka = platform.kafka();
            SynthConfig generator = config(GeneratorApp.DEFAULTS, kafka, platform);
            SynthConfig curator = config(CuratorApp.DEFAULTS, kafka, platform);
            SynthConfig evaluator = config(EvaluatorApp.DEFAULTS, kafka, platform);
            SynthSerdes serdes = SynthSerdes.from(generator);

            try (StreamsApp g = StreamsApp.start(
                            generator, owner -> GeneratorTopology.build(generator, owner), GeneratorTopology.TOPICS);
                    StreamsApp c =
                            StreamsApp.start(curator, CuratorTopology.build(curator), CuratorTopology.topics(curator));
                    StreamsApp e = StreamsApp.start(
                            evaluator, owner -> EvaluatorTopology.build(evaluator, owner), EvaluatorTopology.TOPICS)) {
                GenerationRequest request = TestRecords.request("r-1");
                request.setCount(COUNT);
                try (KafkaProducer<String, GenerationRequest> requests =
                        producer(kafka, serdes.value(Topics.REQUESTS).serializer())) {
                    requests.send(new ProducerRecord<>(Topics.REQUESTS.name(), "r-1", request));
                }

                List<ConsumerRecord<String, GenerationRequest>> specs = TopicReader.readUntil(
                        kafka.bootstrapServers(),
                        Topics.SPECS.name(),
                        new StringDeserializer(),
                        serdes.value(Topics.SPECS).deserializer(),
                        records -> !records.isEmpty(),
                        TIMEOUT,
                        Duration.ZERO);
                List<ConsumerRecord<String, Sample>> raw = TopicReader.readUntil(
                        kafka.bootstrapServers(),
                        Topics.SAMPLES_RAW.name(),
                        new StringDeserializer(),
                        serdes.value(Topics.SAMPLES_RAW).deserializer(),
                        records -> records.size() >= COUNT,
                        TIMEOUT,
                        Duration.ofSeconds(1));
                List<ConsumerRecord<String, Rejection>> rejected = TopicReader.readUntil(
                        kafka.bootstrapServers(),
                        Topics.SAMPLES_REJECTED.name(),
                        new StringDeserializer(),
                        serdes.value(Topics.SAMPLES_REJECTED).deserializer(),
                        records -> true,
                        TIMEOUT,
                        Duration.ofSeconds(3));
                int kept = COUNT - rejected.size();
                List<ConsumerRecord<String, ScoredSample>> scored = TopicReader.readUntil(
                        kafka.bootstrapServers(),
                        Topics.SAMPLES_SCORED.name(),
                        new StringDeserializer(),
                        serdes.value(Topics.SAMPLES_SCORED).deserializer(),
                        records -> records.size() >= kept,
                        TIMEOUT,
                        Duration.ofSeconds(1));

                assertThat(specs).extracting(ConsumerRecord::key).containsExactly("r-1");
                assertThat(raw)
                        .hasSize(COUNT)
                        .allSatisfy(r ->
                                assertThat(r.value().getTrace().getSimulated()).isTrue());
                assertThat(kept).isPositive();
                Set<String> outcomes = new HashSet<>();
                scored.forEach(r -> outcomes.add(r.key()));
                rejected.forEach(r -> outcomes.add(r.key()));
                assertThat(outcomes)
                        .as("every generated sample is scored or rejected, once")
                        .hasSize(COUNT)
                        .containsExactlyInAnyOrderElementsOf(
                                raw.stream().map(ConsumerRecord::key).toList());
                assertThat(scored.get(0).value().getSample().getCuration()).isNotNull();
                assertThat(List.of(g, c, e)).allMatch(StreamsApp::isHealthy);
            }
        }
    }

    private SynthConfig config(Map<String, Object> defaults, EmbeddedKafka kafka, EmbeddedPlatform registry) {
        Map<String, Object> props = new HashMap<>(defaults);
        props.put(SynthConfig.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
        props.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), registry.registryUrl());
        props.put(SynthConfig.STATE_DIR.key(), stateDir.toString());
        props.put(SynthConfig.HTTP_PORT.key(), 0);
        props.put(SynthConfig.HTTP_HOST.key(), "127.0.0.1");
        props.put(SynthConfig.TOPIC_PARTITIONS.key(), 2);
        // The simulator, fast and without malformed replies, so that every sample reaches the curator.
        props.put(LlmSettings.SIM_LATENCY_MEDIAN_MS.key(), 5L);
        props.put(LlmSettings.SIM_MALFORMED_RATE.key(), 0.0);
        return new SynthConfig(GeneratorConfig.definition(), props);
    }

    private static <V> KafkaProducer<String, V> producer(
            EmbeddedKafka kafka, org.apache.kafka.common.serialization.Serializer<V> values) {
        return new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                Topics.REQUESTS.keySerde().serializer(),
                values);
    }
}
