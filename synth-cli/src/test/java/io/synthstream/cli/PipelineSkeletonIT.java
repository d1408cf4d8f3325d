package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.avro.ScoredSample;
import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.kafka.EmbeddedKafka;
import io.synthstream.common.kafka.EmbeddedPlatform;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.testing.TopicReader;
import io.synthstream.common.topics.Topics;
import io.synthstream.curator.app.CuratorApp;
import io.synthstream.curator.topology.CuratorTopology;
import io.synthstream.evaluator.app.EvaluatorApp;
import io.synthstream.evaluator.topology.EvaluatorTopology;
import io.synthstream.generator.app.GeneratorApp;
import io.synthstream.generator.topology.GeneratorTopology;
import io.synthstream.schemas.TestRecords;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    /** Distinct texts: the curator keeps them all. */
    private static final List<String> REVIEWS = List.of(
            "The battery lasts two days and the screen stays readable in bright sunlight.",
            "Shipping was slow, but the replacement lens arrived quickly and works perfectly.",
            "A gripping novel whose last chapter kept me reading until three in the morning.",
            "The blender is loud, yet it crushes ice in seconds and cleans up in a minute.",
            "Comfortable headphones with deep bass, although the case feels a little flimsy.");

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

            try (StreamsApp g =
                            StreamsApp.start(generator, GeneratorTopology.build(generator), GeneratorTopology.TOPICS);
                    StreamsApp c = StreamsApp.start(curator, CuratorTopology.build(curator), CuratorTopology.TOPICS);
                    StreamsApp e =
                            StreamsApp.start(evaluator, EvaluatorTopology.build(evaluator), EvaluatorTopology.TOPICS)) {
                try (KafkaProducer<String, GenerationRequest> requests =
                                producer(kafka, serdes.value(Topics.REQUESTS).serializer());
                        KafkaProducer<String, Sample> samples =
                                producer(kafka, serdes.value(Topics.SAMPLES_RAW).serializer())) {
                    requests.send(new ProducerRecord<>(Topics.REQUESTS.name(), "r-1", TestRecords.request("r-1")));
                    for (int i = 0; i < REVIEWS.size(); i++) {
                        Sample sample = TestRecords.sample("s-" + i);
                        sample.setFields(Map.of("text", REVIEWS.get(i), "label", "positive"));
                        samples.send(new ProducerRecord<>(Topics.SAMPLES_RAW.name(), "s-" + i, sample));
                    }
                }

                List<ConsumerRecord<String, GenerationRequest>> specs = TopicReader.readUntil(
                        kafka.bootstrapServers(),
                        Topics.SPECS.name(),
                        new StringDeserializer(),
                        serdes.value(Topics.SPECS).deserializer(),
                        records -> !records.isEmpty(),
                        TIMEOUT,
                        Duration.ZERO);
                List<ConsumerRecord<String, ScoredSample>> scored = TopicReader.readUntil(
                        kafka.bootstrapServers(),
                        Topics.SAMPLES_SCORED.name(),
                        new StringDeserializer(),
                        serdes.value(Topics.SAMPLES_SCORED).deserializer(),
                        records -> records.size() >= 5,
                        TIMEOUT,
                        Duration.ofSeconds(1));

                assertThat(specs).extracting(ConsumerRecord::key).containsExactly("r-1");
                assertThat(scored)
                        .extracting(ConsumerRecord::key)
                        .containsExactlyInAnyOrder("s-0", "s-1", "s-2", "s-3", "s-4");
                assertThat(scored.get(0).value().getSample().getCuration()).isNotNull();
                assertThat(List.of(g, c, e)).allMatch(StreamsApp::isHealthy);
            }
        }
    }

    private SynthConfig config(Map<String, Object> defaults, EmbeddedKafka kafka, EmbeddedPlatform registry) {
        Map<String, Object> props = new HashMap<>(defaults);
        props.put(SynthConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        props.put(SynthConfig.SCHEMA_REGISTRY_URL, registry.registryUrl());
        props.put(SynthConfig.STATE_DIR, stateDir.toString());
        props.put(SynthConfig.HTTP_PORT, 0);
        props.put(SynthConfig.HTTP_HOST, "127.0.0.1");
        props.put(SynthConfig.TOPIC_PARTITIONS, 2);
        return new SynthConfig(SynthConfig.baseDefinition(), props);
    }

    private static <V> KafkaProducer<String, V> producer(
            EmbeddedKafka kafka, org.apache.kafka.common.serialization.Serializer<V> values) {
        return new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                Topics.REQUESTS.keySerde().serializer(),
                values);
    }
}
