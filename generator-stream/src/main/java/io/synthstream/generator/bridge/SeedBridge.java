package io.synthstream.generator.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.SeedRecord;
import io.synthstream.common.dlq.DeadLetterReason;
import io.synthstream.common.dlq.DeadLetters;
import io.synthstream.common.json.JsonFields;
import io.synthstream.common.topics.Topics;
import io.synthstream.generator.logic.Seeds;
import io.synthstream.schemas.serde.GenericAvroDeserializer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once bridge of one continuous request: a transactional consumer–producer that reads
 * the request's seed topic and writes each record to {@code synth.seeds}, keyed by the request id,
 * committing the consumed offsets in the same transaction ({@code sendOffsetsToTransaction} with
 * the consumer's group metadata, KIP-447). A record is therefore bridged exactly once across
 * crashes and restarts, and instances that run the same request's bridge share its partitions
 * through the consumer group {@code <application.id>-bridge-<request id>}. A record that does not
 * decode goes to {@code synth.dlq} ({@code invalid_seed}) in the same transaction; the bridge keeps
 * going. Runs on its own thread: the stream threads never wait for it.
 */
final class SeedBridge implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SeedBridge.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GenerationRequest request;
    private final String app;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Serializer<SeedRecord> seeds;
    private final Serializer<DeadLetter> letters;
    private final GenericAvroDeserializer avro;
    private volatile boolean running = true;
    private final Thread thread;

    SeedBridge(
            GenerationRequest request,
            String app,
            Map<String, Object> kafka,
            Serializer<SeedRecord> seeds,
            Serializer<DeadLetter> letters,
            GenericAvroDeserializer avro) {
        this.request = request;
        this.app = app;
        this.seeds = seeds;
        this.letters = letters;
        this.avro = avro;
        String name = group(app, request.getRequestId());
        Map<String, Object> consumerConfig = new HashMap<>(kafka);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, name);
        consumerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerConfig.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        this.consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> producerConfig = new HashMap<>(kafka);
        // One id per bridge incarnation: a killed incarnation's open transaction is aborted after the
        // transaction timeout, and the group generation fences its offset commits (KIP-447).
        producerConfig.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, name + "-" + UUID.randomUUID());
        producerConfig.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 20_000);
        producerConfig.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        this.producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
        this.thread = new Thread(this, "seed-bridge-" + request.getRequestId());
        thread.setDaemon(true);
    }

    /** The consumer group of a request's bridge. */
    static String group(String app, String requestId) {
        return app + "-bridge-" + requestId;
    }

    private volatile boolean started;

    void start() {
        started = true;
        thread.start();
    }

    boolean alive() {
        return thread.isAlive();
    }

    @Override
    public void run() {
        String topic = request.getSeeds().getTopic();
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(topic));
            log.info("Seed bridge of request {} reads {} onto {}", request.getRequestId(), topic, Topics.SEEDS.name());
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                bridge(records);
            }
        } catch (WakeupException e) {
            // closing
        } catch (KafkaException e) {
            log.warn(
                    "Seed bridge of request {} stopped ({}); it restarts from its committed offsets",
                    request.getRequestId(),
                    e.toString());
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } catch (KafkaException e) {
                log.debug("closing the bridge consumer", e);
            }
            producer.close(Duration.ofSeconds(5));
        }
    }

    private void bridge(ConsumerRecords<byte[], byte[]> records) {
        producer.beginTransaction();
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                producer.send(forward(record));
                offsets.put(
                        new TopicPartition(record.topic(), record.partition()),
                        new OffsetAndMetadata(record.offset() + 1));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
        } catch (KafkaException e) {
            try {
                producer.abortTransaction();
            } catch (KafkaException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        }
    }

    /** The record to write for one source record: a seed, or a dead letter when it does not decode. */
    ProducerRecord<byte[], byte[]> forward(ConsumerRecord<byte[], byte[]> record) {
        String requestId = request.getRequestId();
        byte[] key = requestId.getBytes(StandardCharsets.UTF_8);
        try {
            Map<String, String> fields = decode(record);
            String fallback = record.topic() + "-" + record.partition() + "-" + record.offset();
            SeedRecord seed = SeedRecord.newBuilder()
                    .setRequestId(requestId)
                    .setSeedId(Seeds.seedId(request.getSeeds(), fields, fallback))
                    .setSource("topic:" + record.topic())
                    .setFields(fields)
                    .setCreatedAt(Instant.ofEpochMilli(record.timestamp()))
                    .build();
            return new ProducerRecord<>(Topics.SEEDS.name(), key, seeds.serialize(Topics.SEEDS.name(), seed));
        } catch (RuntimeException e) {
            DeadLetter letter = DeadLetters.forMessage(
                            app,
                            "bridge",
                            DeadLetterReason.INVALID_SEED,
                            "record " + record.topic() + "-" + record.partition() + "@" + record.offset()
                                    + " of seed topic " + record.topic() + " (request " + requestId
                                    + ") is not a " + request.getSeeds().getFormat() + " object: " + e.getMessage(),
                            new DeadLetters.Origin(
                                    record.topic(), record.partition(), record.offset(), record.key(), record.value()),
                            Instant.now())
                    .setErrorClass(e.getClass().getName())
                    .setRequestId(requestId)
                    .setDataset(request.getDataset())
                    .build();
            byte[] letterKey = record.key() == null ? key : record.key();
            return new ProducerRecord<>(Topics.DLQ.name(), letterKey, letters.serialize(Topics.DLQ.name(), letter));
        }
    }

    private Map<String, String> decode(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            throw new IllegalArgumentException("the value is null");
        }
        if ("avro".equals(request.getSeeds().getFormat())) {
            Object value = avro.deserialize(record.topic(), record.value());
            if (!(value instanceof GenericRecord generic)) {
                throw new IllegalArgumentException("the Avro value is not a record");
            }
            return JsonFields.of(generic);
        }
        JsonNode node;
        try {
            node = JSON.readTree(record.value());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        return JsonFields.of(node);
    }

    /** Stops the bridge: the current transaction finishes or aborts; offsets stay committed. */
    @Override
    public void close() {
        running = false;
        if (!started) {
            consumer.close(Duration.ZERO);
            producer.close(Duration.ZERO);
            return;
        }
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
