package io.synthstream.common.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.local.EmbeddedPlatform;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared settings that act when an app starts, against a real broker: whether and how topics
 * are created, and where the HTTP endpoint listens.
 */
class StreamsAppSettingsIT {
    private static EmbeddedPlatform platform;

    @TempDir
    static Path stateDir;

    @BeforeAll
    static void startCluster() {
        platform = EmbeddedPlatform.ephemeral();
    }

    @AfterAll
    static void stopCluster() {
        platform.close();
    }

    private static SynthConfig config(String app, Map<String, Object> overrides) {
        Map<String, Object> props = new HashMap<>();
        props.put(SynthConfig.APPLICATION_ID.key(), app);
        props.put(SynthConfig.BOOTSTRAP_SERVERS.key(), platform.kafka().bootstrapServers());
        props.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), platform.registryUrl());
        props.put(SynthConfig.STATE_DIR.key(), stateDir.resolve(app).toString());
        props.put(SynthConfig.HTTP_PORT.key(), -1);
        props.put(SynthConfig.SHUTDOWN_TIMEOUT_MS.key(), 10_000L);
        props.putAll(overrides);
        return new SynthConfig(SynthConfig.baseDefinition(), props);
    }

    private static Topology pipe(String in, String out) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(in, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
        return builder.build();
    }

    private static List<TopicSpec<?, ?>> topics(String... names) {
        return java.util.Arrays.stream(names)
                .<TopicSpec<?, ?>>map(n -> new TopicSpec<>(n, Serdes.String(), byte[].class, false, "test"))
                .toList();
    }

    private static Set<String> existing() throws Exception {
        try (Admin admin =
                Admin.create(Map.of("bootstrap.servers", platform.kafka().bootstrapServers()))) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void topicsAreCreatedOnlyWhenAskedWithTheConfiguredPartitions() throws Exception {
        try (StreamsApp app = StreamsApp.start(
                config("settings-create", Map.of(SynthConfig.TOPIC_PARTITIONS.key(), 3)),
                pipe("created-in", "created-out"),
                topics("created-in", "created-out"))) {
            try (Admin admin =
                    Admin.create(Map.of("bootstrap.servers", platform.kafka().bootstrapServers()))) {
                var described = admin.describeTopics(List.of("created-in"))
                        .allTopicNames()
                        .get(30, TimeUnit.SECONDS);
                assertThat(described.get("created-in").partitions()).hasSize(3);
            }
        }
        try (StreamsApp app = StreamsApp.start(
                config("settings-nocreate", Map.of(SynthConfig.TOPICS_CREATE.key(), false)),
                pipe("uncreated-in", "uncreated-out"),
                topics("uncreated-in", "uncreated-out"))) {
            assertThat(existing())
                    .as("topics.create=false leaves topic creation to the operator")
                    .doesNotContain("uncreated-in", "uncreated-out");
        }
    }

    @Test
    void theHttpEndpointListensWhereConfiguredOrNotAtAll() throws Exception {
        try (StreamsApp app = StreamsApp.start(
                config(
                        "settings-http",
                        Map.of(SynthConfig.HTTP_HOST.key(), "127.0.0.1", SynthConfig.HTTP_PORT.key(), 0)),
                pipe("http-in", "http-out"),
                topics("http-in", "http-out"))) {
            assertThat(app.httpPort()).isPositive();
            HttpResponse<String> health = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/health"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("settings-http");
        }
        try (StreamsApp app = StreamsApp.start(
                config("settings-nohttp", Map.of()),
                pipe("nohttp-in", "nohttp-out"),
                topics("nohttp-in", "nohttp-out"))) {
            assertThat(app.httpPort()).as("http.port=-1: no endpoint").isEqualTo(-1);
        }
    }

    @Test
    void closeWaitsForABusyStreamThreadAtMostTheShutdownTimeout() throws Exception {
        long[] closeMillis = new long[2];
        long[] timeouts = {300L, 20_000L};
        for (int run = 0; run < 2; run++) {
            String in = "busy-in-" + run;
            java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
            StreamsBuilder builder = new StreamsBuilder();
            builder.stream(in, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
                    .peek((k, v) -> {
                        busy.countDown();
                        try {
                            Thread.sleep(4_000); // a stream thread busy with one record
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    })
                    .to("busy-out-" + run, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
            StreamsApp app = StreamsApp.start(
                    config("settings-busy-" + run, Map.of(SynthConfig.SHUTDOWN_TIMEOUT_MS.key(), timeouts[run])),
                    builder.build(),
                    topics(in, "busy-out-" + run));
            try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(
                    Map.of("bootstrap.servers", platform.kafka().bootstrapServers()),
                    new org.apache.kafka.common.serialization.ByteArraySerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer())) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(in, new byte[] {1}))
                        .get(30, TimeUnit.SECONDS);
            }
            assertThat(busy.await(60, TimeUnit.SECONDS))
                    .as("the record reached the stream thread")
                    .isTrue();
            long start = System.nanoTime();
            app.close();
            closeMillis[run] = (System.nanoTime() - start) / 1_000_000;
        }
        assertThat(closeMillis[0])
                .as("shutdown.timeout.ms=300: close gives up on the busy thread")
                .isLessThan(2_500);
        assertThat(closeMillis[1])
                .as("shutdown.timeout.ms=20000: close waits for the record")
                .isGreaterThan(closeMillis[0] + 1_000);
    }

    @Test
    void anAppThatReadsAClientInputRegistersItsSchemaAtStart() throws Exception {
        var client = io.synthstream.schemas.registry.SchemaRegistryClients.create(platform.registryUrl(), null);
        assertThat(client.subjects()).doesNotContain("synth.requests-value");
        try (StreamsApp app = StreamsApp.start(
                config("settings-inputs", Map.of()),
                pipe(io.synthstream.common.topics.Topics.REQUESTS.name(), "inputs-out"),
                List.of(io.synthstream.common.topics.Topics.REQUESTS))) {
            assertThat(client.getById(client.latest("synth.requests-value").id()))
                    .as("a producer in another language finds the contract before any Java client wrote")
                    .isEqualTo(io.synthstream.avro.GenerationRequest.getClassSchema());
        }
    }
}
