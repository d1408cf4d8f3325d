package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.Sample;
import io.synthstream.common.topics.Topics;
import io.synthstream.evaluator.logic.Ledger;
import io.synthstream.local.EmbeddedPlatform;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeds on the embedded platform, from outside: a seed file of a few hundred documents through
 * {@code synth submit --seeds} to question–answer pairs with provenance in the export, and a
 * continuous request whose topic keeps receiving records while the apps are killed (kill -9, in a
 * child JVM) and restarted: every seed yields its samples exactly once.
 */
class SeedsPipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PER_SEED = 2;

    @TempDir
    Path dir;

    @Test
    void seedFileToQaAndALiveTopicAcrossAKillEachSeedExactlyOnce() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of(
                "SYNTH_LLM_SIM_LATENCY_MEDIAN_MS", "40",
                "SYNTH_GENERATOR_PLAN_BATCH_SIZE", "20",
                "SYNTH_LLM_SIM_MISLABEL_RATE", "0",
                "SYNTH_LLM_SIM_LOW_QUALITY_RATE", "0"));
        Path seedFile = documents(dir.resolve("docs.jsonl"), 300);
        Path data = dir.resolve("apps");
        Path ready = dir.resolve("ready");
        Path log = dir.resolve("apps.log");
        try (EmbeddedPlatform broker = EmbeddedPlatform.ephemeral()) {
            ClusterOptions cluster = ClusterOptions.of(broker.bootstrapServers(), broker.registryUrl());
            try (var admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                admin.createTopics(
                                List.of(new org.apache.kafka.clients.admin.NewTopic("support-tickets", 2, (short) 1)))
                        .all()
                        .get(30, TimeUnit.SECONDS);
            }
            Process child = PlatformProcess.start(data, ready, log, env, cluster);
            int produced = 0;
            try (KafkaProducer<String, String> tickets = producer(cluster)) {
                try {
                    PlatformProcess.await(child, ready, log, Duration.ofMinutes(2));
                    assertThat(submit(cluster, "../examples/documents-qa.yaml", "--seeds", seedFile.toString()))
                            .contains("with 300 seeds");
                    produced += produce(tickets, 0, 40);
                    assertThat(submit(cluster, "../examples/ticket-labels-continuous.yaml"))
                            .contains("submitted");
                    PipelineReads.first(
                            cluster, Topics.PLAN, "tickets-live-1", p -> p.getPlanned() >= 20 && !p.getStopped());
                    produced += produce(tickets, 40, 40);
                    child.destroyForcibly(); // kill -9 of the three apps and the bridge, mid-stream
                    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                    produced += produce(tickets, 80, 40); // the topic keeps receiving while the apps are down
                } finally {
                    child.destroyForcibly();
                }
                try (LocalPlatform restarted = LocalPlatform.apps(
                        broker.bootstrapServers(), broker.registryUrl(), data, LocalPlatform.Ports.FREE, 3, env)) {
                    produced += produce(tickets, 120, 30);
                    int total = produced;
                    PipelineReads.first(cluster, Topics.PLAN, "tickets-live-1", p -> p.getSeedsReceived() >= total);
                    assertThat(run(cluster, "stop", "tickets-live-1")).contains("stop sent");
                    checkContinuous(cluster, total);
                    checkFileSeeds(cluster);
                }
            }
        }
    }

    private void checkContinuous(ClusterOptions cluster, int produced) {
        RequestStatus done =
                PipelineReads.first(cluster, Topics.REQUEST_STATUS, "tickets-live-1", RequestStatus::getComplete);
        assertThat(done.getSeedsReceived()).isEqualTo(produced);
        assertThat(done.getSeedsPlanned()).isEqualTo(produced);
        assertThat(done.getPlanned()).isEqualTo((long) produced * PER_SEED);
        assertThat(Ledger.accounted(done)).as("the ledger balances").isEqualTo(done.getPlanned());
        Map<String, Integer> perSeed = new HashMap<>();
        Map<String, Integer> perSample = new HashMap<>();
        for (var r : PipelineReads.readAll(cluster, Topics.SAMPLES_RAW)) {
            Sample s = r.value();
            if (s.getRequestId().equals("tickets-live-1")) {
                perSample.merge(s.getSampleId(), 1, Integer::sum);
                perSeed.merge(s.getSeed().getFields().get("ticket"), 1, Integer::sum);
                assertThat(s.getFields().get("label"))
                        .isEqualTo(s.getSeed().getFields().get("category"));
                assertThat(s.getSeed().getSource()).isEqualTo("topic:support-tickets");
            }
        }
        assertThat(perSample.values()).as("each sample once across the kill").containsOnly(1);
        assertThat(perSeed).hasSize(produced);
        assertThat(perSeed.values())
                .as("each seed yields samples_per_seed samples")
                .containsOnly(PER_SEED);
    }

    private void checkFileSeeds(ClusterOptions cluster) throws Exception {
        RequestStatus done =
                PipelineReads.first(cluster, Topics.REQUEST_STATUS, "documents-qa-1", RequestStatus::getComplete);
        assertThat(done.getSeedsReceived()).as(done.toString()).isEqualTo(300);
        assertThat(done.getSeedsPlanned()).as(done.toString()).isEqualTo(300);
        assertThat(done.getPlanned()).isGreaterThan(300L * PER_SEED); // long documents were chunked
        assertThat(Ledger.accounted(done)).as("the ledger balances").isEqualTo(done.getPlanned());
        assertThat(done.getAccepted()).isPositive(); // near-duplicates of a 12-article pool are rejected

        run(cluster, "export", "articles-qa", "--out", dir.resolve("out").toString());
        Path out = dir.resolve("out/articles-qa.jsonl");
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines).hasSize((int) done.getAccepted());
        for (String line : lines) {
            JsonNode row = JSON.readTree(line);
            JsonNode provenance = row.path("provenance");
            assertThat(provenance.path("seed_id").asText()).startsWith("doc-");
            assertThat(provenance.path("seed_source").asText()).isEqualTo("file:docs.jsonl");
            assertThat(provenance.has("seed_chunk")).isTrue();
            assertThat(row.path("fields").path("article").asText()).startsWith("Article ");
        }
    }

    /**
     * {@code n} documents from the example articles: most are two sentences (one chunk); every
     * tenth is one to four whole articles (several chunks).
     */
    static Path documents(Path file, int n) throws Exception {
        List<JsonNode> articles = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("../examples/seeds/articles.jsonl"))) {
            articles.add(JSON.readTree(line));
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < n; i++) {
            StringBuilder body = new StringBuilder();
            if (i % 10 == 0) {
                for (int p = 0; p <= (i / 10) % 4; p++) {
                    body.append(articles.get((i + p * 5) % articles.size())
                                    .path("text")
                                    .asText())
                            .append(' ');
                }
            } else {
                String[] sentences =
                        articles.get(i % articles.size()).path("text").asText().split("(?<=\\.) ");
                int from = (i / articles.size()) % (sentences.length - 1);
                body.append(sentences[from]).append(' ').append(sentences[from + 1]);
            }
            var doc = JSON.createObjectNode()
                    .put("id", "doc-" + i)
                    .put("title", "Article " + i)
                    .put("text", body.toString().strip());
            text.append(doc).append('\n');
        }
        Files.writeString(file, text);
        return file;
    }

    private static KafkaProducer<String, String> producer(ClusterOptions cluster) {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        cluster.bootstrapServers,
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true),
                new StringSerializer(),
                new StringSerializer());
    }

    private static final String[] CATEGORIES = {"billing", "shipping", "account", "defect"};

    /** Tickets {@code from..from+n-1} on support-tickets (a plain JSON producer, as any client would). */
    private static int produce(KafkaProducer<String, String> producer, int from, int n) throws Exception {
        for (int i = from; i < from + n; i++) {
            String ticket = JSON.createObjectNode()
                    .put("ticket", "T" + i)
                    .put("category", CATEGORIES[i % CATEGORIES.length])
                    .put("subject", "Order " + (1000 + i) + " problem")
                    .put(
                            "body",
                            "Hello, my order " + (1000 + i) + " has a " + CATEGORIES[i % 4]
                                    + " issue since Monday. Please help. Regards, Customer " + i)
                    .toString();
            producer.send(new ProducerRecord<>("support-tickets", "T" + i, ticket));
        }
        producer.flush();
        return n;
    }

    private static String submit(ClusterOptions cluster, String spec, String... more) {
        List<String> args = new ArrayList<>(List.of("submit", spec));
        args.addAll(List.of(more));
        return run(cluster, args.toArray(String[]::new));
    }

    private static String run(ClusterOptions cluster, String... args) {
        return PipelineReads.synth(cluster, args);
    }
}
