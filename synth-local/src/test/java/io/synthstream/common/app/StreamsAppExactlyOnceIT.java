package io.synthstream.common.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Sample;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.testing.PassThroughTopology;
import io.synthstream.common.testing.TopicReader;
import io.synthstream.common.topics.Topics;
import io.synthstream.local.EmbeddedKafka;
import io.synthstream.local.EmbeddedPlatform;
import io.synthstream.schemas.TestRecords;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The foundation end to end on a real broker: an app started through {@link StreamsApp} with the
 * project's Streams defaults (exactly_once_v2, DLQ handlers) and the embedded schema registry over
 * HTTP. Valid records arrive exactly once, even across a thread crash and an app restart; corrupt
 * ones land in synth.dlq with their origin offsets while the app stays RUNNING.
 */
class StreamsAppExactlyOnceIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static EmbeddedPlatform platform;
    private static EmbeddedKafka kafka;

    @TempDir
    static Path stateDir;

    @BeforeAll
    static void startCluster() {
        platform = EmbeddedPlatform.ephemeral();
        kafka = platform.kafka();
    }

    @AfterAll
    static void stopCluster() {
        platform.close();
    }

    private static SynthConfig config() {
        Map<String, Object> props = new HashMap<>();
        props.put(SynthConfig.APPLICATION_ID.key(), "synth-passthrough-it");
        props.put(SynthConfig.BOOTSTRAP_SERVERS.key(), kafka.bootstrapServers());
        props.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), platform.registryUrl());
        props.put(SynthConfig.STATE_DIR.key(), stateDir.toString());
        props.put(SynthConfig.TOPIC_PARTITIONS.key(), 3);
        props.put(SynthConfig.HTTP_HOST.key(), "127.0.0.1");
        props.put(SynthConfig.SHUTDOWN_TIMEOUT_MS.key(), 20_000L);
        return new SynthConfig(SynthConfig.baseDefinition(), props);
    }

    @Test
    void shouldDeliverValidRecordsExactlyOnceAndDeadLetterCorruptOnesWhileRunning() throws Exception {
        SynthConfig config = config();
        SynthSerdes serdes = SynthSerdes.from(config);
        AtomicBoolean crashArmed = new AtomicBoolean(true);
        List<KafkaStreams.State> states = new CopyOnWriteArrayList<>();
        Map<String, Long> corruptOffsets = new HashMap<>();
        Set<String> validIds = new java.util.TreeSet<>();

        StreamsApp app = StreamsApp.start(
                config, PassThroughTopology.build(serdes, config.applicationId(), crashArmed), Topics.ALL);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer())) {
            var sampleSerializer = serdes.value(Topics.SAMPLES_RAW).serializer();
            awaitState(app, KafkaStreams.State.RUNNING);
            app.addStateListener((newState, oldState) -> states.add(newState));

            // Valid samples, one of which kills the stream thread once (an Error no handler catches).
            for (int i = 0; i < 30; i++) {
                String id = "s-" + i;
                Sample sample = TestRecords.sample(id);
                if (i == 17) {
                    sample.setFields(Map.of("text", PassThroughTopology.CRASH));
                }
                validIds.add(id);
                send(producer, id, sampleSerializer.serialize(Topics.SAMPLES_RAW.name(), sample));
            }
            // Corrupt payloads and one record that fails in the processor, sent last on purpose: their
            // dead letters must be committed even when no valid record follows them.
            corruptOffsets.put("bad-json", send(producer, "bad-json", bytes("{\"sample_id\":\"x\"}")));
            corruptOffsets.put("bad-short", send(producer, "bad-short", new byte[] {0, 0}));
            byte[] valid = sampleSerializer.serialize(Topics.SAMPLES_RAW.name(), TestRecords.sample("bad-truncated"));
            corruptOffsets.put(
                    "bad-truncated", send(producer, "bad-truncated", java.util.Arrays.copyOf(valid, valid.length - 7)));
            Sample poison = TestRecords.sample("bad-poison");
            poison.setFields(Map.of("text", PassThroughTopology.POISON));
            corruptOffsets.put(
                    "bad-poison",
                    send(producer, "bad-poison", sampleSerializer.serialize(Topics.SAMPLES_RAW.name(), poison)));
        }

        List<ConsumerRecord<byte[], DeadLetter>> letters = TopicReader.readUntil(
                kafka.bootstrapServers(),
                Topics.DLQ.name(),
                new ByteArrayDeserializer(),
                serdes.value(Topics.DLQ).deserializer(),
                records -> records.size() >= 4,
                TIMEOUT,
                Duration.ofSeconds(1));
        List<ConsumerRecord<String, Sample>> curated = readCurated(serdes, validIds.size());

        assertThat(crashArmed).as("the crash record was processed").isFalse();
        assertThat(curated).extracting(ConsumerRecord::key).doesNotHaveDuplicates();
        assertThat(curated.stream().map(ConsumerRecord::key).collect(Collectors.toSet()))
                .isEqualTo(validIds);
        Map<String, DeadLetter> byKey = letters.stream()
                .collect(Collectors.toMap(r -> new String(r.key(), StandardCharsets.UTF_8), ConsumerRecord::value));
        assertThat(byKey).hasSize(4);
        corruptOffsets.forEach((key, offset) -> {
            DeadLetter letter = byKey.get(key);
            assertThat(letter).as(key).isNotNull();
            assertThat(letter.getOriginTopic()).isEqualTo(Topics.SAMPLES_RAW.name());
            assertThat(letter.getOriginOffset()).as("origin offset of %s", key).isEqualTo(offset);
            assertThat(letter.getApp()).isEqualTo("synth-passthrough-it");
        });
        assertThat(byKey.get("bad-json").getMessage()).contains("Unknown magic byte");
        assertThat(byKey.get("bad-short").getMessage()).contains("Truncated payload");
        assertThat(byKey.get("bad-truncated").getMessage()).contains("Truncated or corrupt Avro payload");
        assertThat(byKey.get("bad-poison").getReason()).isEqualTo("processing_error");
        assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(states).doesNotContain(KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR);

        // The endpoint reports health and the Kafka Streams, DLQ and JVM metrics.
        assertThat(httpGet(app.httpPort(), "/health").body()).contains("\"status\":\"UP\"");
        String metrics = httpGet(app.httpPort(), "/metrics").body();
        assertThat(metrics)
                .contains("synth_dlq_records_total{app=\"synth-passthrough-it\",reason=\"deserialization_error\"")
                .contains("kafka_stream_thread_process_total")
                .contains("jvm_memory_used_bytes");

        // A restarted instance resumes from the committed offsets: no record is processed twice.
        app.close();
        assertThat(httpGetStatus(app.httpPort())).isEqualTo(-1);
        StreamsApp restarted = StreamsApp.start(
                config,
                PassThroughTopology.build(serdes, config.applicationId(), new AtomicBoolean(false)),
                Topics.ALL);
        try (KafkaProducer<String, Sample> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                Topics.SAMPLES_RAW.keySerde().serializer(),
                serdes.value(Topics.SAMPLES_RAW).serializer())) {
            for (int i = 30; i < 35; i++) {
                validIds.add("s-" + i);
                producer.send(new ProducerRecord<>(Topics.SAMPLES_RAW.name(), "s-" + i, TestRecords.sample("s-" + i)));
            }
        }
        List<ConsumerRecord<String, Sample>> afterRestart = readCurated(serdes, validIds.size());
        restarted.close();

        assertThat(afterRestart).extracting(ConsumerRecord::key).doesNotHaveDuplicates();
        assertThat(afterRestart.stream().map(ConsumerRecord::key).collect(Collectors.toSet()))
                .isEqualTo(validIds);
    }

    private static List<ConsumerRecord<String, Sample>> readCurated(SynthSerdes serdes, int expected) {
        return TopicReader.readUntil(
                kafka.bootstrapServers(),
                Topics.SAMPLES_CURATED.name(),
                new StringDeserializer(),
                serdes.value(Topics.SAMPLES_CURATED).deserializer(),
                records -> records.size() >= expected,
                TIMEOUT,
                Duration.ofSeconds(3));
    }

    private static long send(KafkaProducer<byte[], byte[]> producer, String key, byte[] value) throws Exception {
        RecordMetadata metadata = producer.send(new ProducerRecord<>(Topics.SAMPLES_RAW.name(), bytes(key), value))
                .get();
        return metadata.offset();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void awaitState(StreamsApp app, KafkaStreams.State expected) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (app.state() != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("App not " + expected + " after " + TIMEOUT + ": " + app.state());
            }
            Thread.sleep(50);
        }
    }

    private static HttpResponse<String> httpGet(int port, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    private static int httpGetStatus(int port) {
        try {
            return httpGet(port, "/health").statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @SuppressWarnings("unused")
    private static List<String> keys(List<ConsumerRecord<String, Sample>> records) {
        List<String> keys = new ArrayList<>();
        records.forEach(r -> keys.add(r.key()));
        return keys;
    }
}
