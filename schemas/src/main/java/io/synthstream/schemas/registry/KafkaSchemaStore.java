package io.synthstream.schemas.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Persists registry changes to a compacted single-partition Kafka topic ({@code _schemas} by
 * default), in the record format the Confluent Schema Registry itself uses: JSON keys {@code
 * {"keytype":"SCHEMA","subject":...,"version":...,"magic":1}} or {@code {"keytype":"CONFIG",...}}
 * and JSON values. Reading the topic from the start rebuilds the registry, so ids survive restarts.
 *
 * <p>Writes are synchronous ({@code acks=all}, idempotent producer), so an id is only handed out
 * once it is stored. One writer per topic: run a single embedded registry per cluster.
 */
public final class KafkaSchemaStore implements SchemaStore {
    /** The topic Confluent's registry uses by default. */
    public static final String DEFAULT_TOPIC = "_schemas";

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final Map<String, Object> clientConfig;
    private final KafkaProducer<String, String> producer;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * Opens the store, creating the topic (compacted, one partition) if it does not exist.
     *
     * @param clientConfig Kafka client settings: at least {@code bootstrap.servers}
     * @param replicationFactor replication of the topic when it is created; empty for the broker default
     */
    public KafkaSchemaStore(Map<String, Object> clientConfig, String topic, Optional<Short> replicationFactor) {
        this.topic = topic;
        this.clientConfig = Map.copyOf(clientConfig);
        ensureTopic(replicationFactor);
        Properties producerProps = new Properties();
        producerProps.putAll(this.clientConfig);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "schema-registry-store");
        this.producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());
    }

    @Override
    public List<SchemaLogEntry> load() {
        Properties props = new Properties();
        props.putAll(clientConfig);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "schema-registry-loader");
        List<SchemaLogEntry> entries = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), TIMEOUT).get(partition);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(partition, TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Timed out reading " + topic + " up to offset " + end);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    parse(record.key(), record.value()).ifPresent(entries::add);
                }
            }
        }
        return entries;
    }

    @Override
    public void append(SchemaLogEntry entry) {
        ObjectNode key = json.createObjectNode();
        ObjectNode value = json.createObjectNode();
        if (entry instanceof SchemaLogEntry.SchemaVersion v) {
            key.put("keytype", "SCHEMA")
                    .put("subject", v.subject())
                    .put("version", v.version())
                    .put("magic", 1);
            value.put("subject", v.subject())
                    .put("version", v.version())
                    .put("id", v.id())
                    .put("schema", v.schema())
                    .put("deleted", false);
        } else if (entry instanceof SchemaLogEntry.Config c) {
            key.put("keytype", "CONFIG").put("subject", c.subject()).put("magic", 0);
            value.put("compatibilityLevel", c.level().name());
        }
        try {
            producer.send(new ProducerRecord<>(topic, 0, key.toString(), value.toString()))
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while storing a schema", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not store the schema in " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }

    private Optional<SchemaLogEntry> parse(String keyJson, String valueJson) {
        try {
            JsonNode key = json.readTree(keyJson);
            if (valueJson == null) {
                return Optional.empty(); // tombstone of a hard delete; never written by this store
            }
            JsonNode value = json.readTree(valueJson);
            switch (key.path("keytype").asText()) {
                case "SCHEMA":
                    if (value.path("deleted").asBoolean(false)) {
                        return Optional.empty();
                    }
                    return Optional.of(new SchemaLogEntry.SchemaVersion(
                            value.get("subject").asText(),
                            value.get("version").asInt(),
                            value.get("id").asInt(),
                            value.get("schema").asText()));
                case "CONFIG":
                    String subject =
                            key.path("subject").isNull() || key.path("subject").isMissingNode()
                                    ? null
                                    : key.get("subject").asText();
                    return Optional.of(new SchemaLogEntry.Config(
                            subject,
                            CompatibilityLevel.parse(
                                    value.get("compatibilityLevel").asText())));
                default:
                    return Optional.empty(); // NOOP, MODE, DELETE_SUBJECT...: not used here
            }
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalStateException("Unreadable record in " + topic + ": key=" + keyJson, e);
        }
    }

    private void ensureTopic(Optional<Short> replicationFactor) {
        Properties props = new Properties();
        props.putAll(clientConfig);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "schema-registry-admin");
        try (Admin admin = Admin.create(props)) {
            NewTopic newTopic = new NewTopic(topic, Optional.of(1), replicationFactor)
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(newTopic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException(
                        "Could not create " + topic + ": " + e.getCause().getMessage(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating " + topic, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating " + topic + " (is the broker reachable?)", e);
        }
    }
}
