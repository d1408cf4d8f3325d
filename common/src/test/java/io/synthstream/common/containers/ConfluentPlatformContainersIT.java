package io.synthstream.common.containers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Sample;
import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.testing.PassThroughTopology;
import io.synthstream.common.testing.TopicReader;
import io.synthstream.common.topics.Topics;
import io.synthstream.schemas.TestRecords;
import io.synthstream.schemas.TestSchemas;
import io.synthstream.schemas.registry.HttpSchemaRegistryClient;
import io.synthstream.schemas.registry.SchemaRegistryException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.Schema;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The same guarantees as the embedded ITs, against the real thing: Apache Kafka's image and
 * Confluent's own Schema Registry. Runs only where a Docker engine is available (skipped otherwise,
 * e.g. on the development and CI machines of this project, which have none).
 */
@Testcontainers(disabledWithoutDocker = true)
class ConfluentPlatformContainersIT {
    private static final Network NETWORK = Network.newNetwork();

    @Container
    static final KafkaContainer KAFKA =
            new KafkaContainer("apache/kafka:4.1.1").withNetwork(NETWORK).withListener("kafka:19092");

    @Container
    static final GenericContainer<?> SCHEMA_REGISTRY = new GenericContainer<>("confluentinc/cp-schema-registry:7.9.1")
            .withNetwork(NETWORK)
            .withExposedPorts(8081)
            .withEnv("SCHEMA_REGISTRY_HOST_NAME", "schema-registry")
            .withEnv("SCHEMA_REGISTRY_LISTENERS", "http://0.0.0.0:8081")
            .withEnv("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS", "PLAINTEXT://kafka:19092")
            .dependsOn(KAFKA)
            .waitingFor(Wait.forHttp("/subjects").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));

    @TempDir
    static Path stateDir;

    private static String registryUrl() {
        return "http://" + SCHEMA_REGISTRY.getHost() + ":" + SCHEMA_REGISTRY.getMappedPort(8081);
    }

    @Test
    void shouldSpeakTheConfluentRegistryProtocol() {
        HttpSchemaRegistryClient client =
                new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Settings.of(registryUrl(), null));

        int id = client.register("containers-value", Sample.getClassSchema());

        assertThat(client.getById(id)).isEqualTo(Sample.getClassSchema());
        assertThat(client.latest("containers-value").id()).isEqualTo(id);
        assertThat(client.getId("containers-value", Sample.getClassSchema())).isEqualTo(id);
        Schema v1 = TestSchemas.THING_V1;
        Schema v2 = TestSchemas.THING_V2_INCOMPATIBLE;
        client.register("thing-value", v1);
        assertThat(client.testCompatibility("thing-value", v2)).isNotEmpty();
        assertThatThrownBy(() -> client.register("thing-value", v2))
                .isInstanceOf(SchemaRegistryException.class)
                .extracting(e -> ((SchemaRegistryException) e).errorCode())
                .isEqualTo(409);
    }

    @Test
    void shouldRunTheExactlyOnceAppWithDeadLettersOnRealKafka() throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put(SynthConfig.APPLICATION_ID.key(), "synth-containers-it");
        props.put(SynthConfig.BOOTSTRAP_SERVERS.key(), KAFKA.getBootstrapServers());
        props.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), registryUrl());
        props.put(SynthConfig.STATE_DIR.key(), stateDir.toString());
        props.put(SynthConfig.HTTP_PORT.key(), -1);
        SynthConfig config = new SynthConfig(SynthConfig.baseDefinition(), props);
        SynthSerdes serdes = SynthSerdes.from(config);

        try (StreamsApp app = StreamsApp.start(
                        config,
                        PassThroughTopology.build(serdes, config.applicationId(), new AtomicBoolean(false)),
                        Topics.ALL);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers()),
                        new ByteArraySerializer(),
                        new ByteArraySerializer())) {
            for (int i = 0; i < 10; i++) {
                byte[] value = serdes.value(Topics.SAMPLES_RAW)
                        .serializer()
                        .serialize(Topics.SAMPLES_RAW.name(), TestRecords.sample("s-" + i));
                producer.send(new ProducerRecord<>(Topics.SAMPLES_RAW.name(), bytes("s-" + i), value));
            }
            producer.send(new ProducerRecord<>(Topics.SAMPLES_RAW.name(), bytes("bad"), bytes("not avro")));
            producer.flush();

            var curated = TopicReader.readUntil(
                    KAFKA.getBootstrapServers(),
                    Topics.SAMPLES_CURATED.name(),
                    new StringDeserializer(),
                    serdes.value(Topics.SAMPLES_CURATED).deserializer(),
                    records -> records.size() >= 10,
                    Duration.ofSeconds(90),
                    Duration.ofSeconds(2));
            var letters = TopicReader.readUntil(
                    KAFKA.getBootstrapServers(),
                    Topics.DLQ.name(),
                    new ByteArrayDeserializer(),
                    serdes.value(Topics.DLQ).deserializer(),
                    records -> !records.isEmpty(),
                    Duration.ofSeconds(90),
                    Duration.ofSeconds(1));

            assertThat(curated).hasSize(10);
            assertThat(letters).hasSize(1);
            DeadLetter letter = letters.get(0).value();
            assertThat(letter.getMessage()).contains("Unknown magic byte");
            assertThat(app.isHealthy()).isTrue();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
