package io.synthstream.common.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Sample;
import io.synthstream.common.testing.TopicReader;
import io.synthstream.local.EmbeddedKafka;
import io.synthstream.schemas.TestSchemas;
import io.synthstream.schemas.registry.EmbeddedSchemaRegistry;
import io.synthstream.schemas.registry.HttpSchemaRegistryClient;
import io.synthstream.schemas.registry.KafkaSchemaStore;
import io.synthstream.schemas.registry.SchemaRegistryException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.SchemaBuilder;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded registry persisting to a real {@code _schemas} topic: ids survive restarts. */
class EmbeddedSchemaRegistryKafkaIT {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.ephemeral();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static KafkaSchemaStore store() {
        return new KafkaSchemaStore(
                Map.of("bootstrap.servers", kafka.bootstrapServers()),
                KafkaSchemaStore.DEFAULT_TOPIC,
                Optional.empty());
    }

    private static HttpSchemaRegistryClient client(EmbeddedSchemaRegistry registry) {
        return new HttpSchemaRegistryClient(HttpSchemaRegistryClient.Settings.of(registry.url(), null));
    }

    @Test
    void shouldKeepIdsVersionsAndRulesAcrossRestartsInConfluentTopicFormat() throws Exception {
        int sampleId;
        int letterId;
        try (KafkaSchemaStore store = store();
                EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0, store)) {
            HttpSchemaRegistryClient client = client(registry);
            sampleId = client.register("synth.samples.raw-value", Sample.getClassSchema());
            letterId = client.register("synth.dlq-value", DeadLetter.getClassSchema());
            client.register("thing-value", TestSchemas.THING_V1);
        }

        try (KafkaSchemaStore store = store();
                EmbeddedSchemaRegistry restarted = EmbeddedSchemaRegistry.start("127.0.0.1", 0, store)) {
            HttpSchemaRegistryClient client = client(restarted);

            assertThat(client.getById(sampleId)).isEqualTo(Sample.getClassSchema());
            assertThat(client.getById(letterId)).isEqualTo(DeadLetter.getClassSchema());
            assertThat(client.register("synth.samples.raw-value", Sample.getClassSchema()))
                    .isEqualTo(sampleId);
            assertThat(client.latest("synth.dlq-value").version()).isEqualTo(1);
            assertThatThrownBy(() -> client.register("thing-value", TestSchemas.THING_V2_INCOMPATIBLE))
                    .isInstanceOf(SchemaRegistryException.class)
                    .hasMessageContaining("weight");
            int newId = client.register(
                    "new-value",
                    SchemaBuilder.record("New").fields().requiredLong("x").endRecord());
            assertThat(newId).isGreaterThan(Math.max(sampleId, letterId));
        }

        List<ConsumerRecord<String, String>> log = TopicReader.readUntil(
                kafka.bootstrapServers(),
                KafkaSchemaStore.DEFAULT_TOPIC,
                new StringDeserializer(),
                new StringDeserializer(),
                records -> records.size() >= 4,
                Duration.ofSeconds(30),
                Duration.ZERO);
        ObjectMapper json = new ObjectMapper();
        JsonNode key = json.readTree(log.get(0).key());
        JsonNode value = json.readTree(log.get(0).value());
        assertThat(key.get("keytype").asText()).isEqualTo("SCHEMA");
        assertThat(key.get("subject").asText()).isEqualTo("synth.samples.raw-value");
        assertThat(key.get("magic").asInt()).isEqualTo(1);
        assertThat(value.get("id").asInt()).isEqualTo(sampleId);
        assertThat(value.get("deleted").asBoolean()).isFalse();
    }
}
