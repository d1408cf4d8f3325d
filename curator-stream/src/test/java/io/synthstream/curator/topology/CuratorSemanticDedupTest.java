package io.synthstream.curator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.synthstream.avro.CurationSettings;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.RejectionReason;
import io.synthstream.avro.Sample;
import io.synthstream.curator.config.CuratorConfig;
import io.synthstream.embedding.MiniLmEmbedder;
import io.synthstream.local.FakeOpenAiServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Semantic dedup end to end on one curator: the embedding step (a real embedder on its pool), the
 * semantic claims and the cosine check at the bucket owner; and the embedder's failure paths.
 */
class CuratorSemanticDedupTest {
    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private static final String ORIGINAL = "The paint started peeling off the wall after a month.";
    private static final String PARAPHRASE = "After just a month, the paint began to peel away from the wall.";
    private static final String HARD_NEGATIVE = "The paint still looks perfect on the wall after a whole year.";
    private static final Consumer<GenerationRequest> SEMANTIC = spec -> spec.setCuration(
            CurationSettings.newBuilder().setSemanticDedup(true).build());

    private static Map<String, Object> settings(Object... more) {
        Map<String, Object> all = new HashMap<>(Map.of(
                CuratorConfig.EMBEDDING.nativeCacheDir().key(),
                "target/native-cache",
                CuratorConfig.CLAIM_LINGER_MS.key(),
                5L));
        for (int i = 0; i < more.length; i += 2) {
            all.put((String) more[i], more[i + 1]);
        }
        return all;
    }

    /** Advances wall-clock time until {@code expected} records have come out, or 30 s of real time pass. */
    private static void pump(
            CuratorSettingsTest.Curator c,
            int expected,
            List<Sample> curated,
            List<Rejection> rejected,
            List<DeadLetter> dead) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (curated.size() + rejected.size() + dead.size() < expected && System.nanoTime() < deadline) {
            c.advance(Duration.ofMillis(20));
            curated.addAll(c.curated.readValuesToList());
            rejected.addAll(c.rejected.readValuesToList());
            dead.addAll(c.dlq.readValuesToList());
        }
    }

    @Test
    void aParaphraseIsRejectedAsASemanticDuplicateOfTheKeptSampleWithTheCosine() {
        try (CuratorSettingsTest.Curator c = new CuratorSettingsTest.Curator(settings(), SEMANTIC)) {
            List<Sample> curated = new ArrayList<>();
            List<Rejection> rejected = new ArrayList<>();
            List<DeadLetter> dead = new ArrayList<>();
            c.send("s-1", "r-1", ORIGINAL, NOW);
            c.send("s-2", "r-1", PARAPHRASE, NOW.plusMillis(1));
            c.send("s-3", "r-1", HARD_NEGATIVE, NOW.plusMillis(2));
            pump(c, 3, curated, rejected, dead);

            assertThat(dead).isEmpty();
            assertThat(rejected).singleElement().satisfies(r -> {
                assertThat(r.getSampleId()).isEqualTo("s-2");
                assertThat(r.getReason()).isEqualTo(RejectionReason.SEMANTIC_DUPLICATE);
                assertThat(r.getStage()).isEqualTo("semantic-dedup");
                assertThat(r.getDupOf()).isEqualTo("s-1");
                assertThat(r.getSimilarity()).isBetween(0.8, 1.0);
                assertThat(r.getDetail()).contains("cosine").contains("s-1");
            });
            assertThat(curated).extracting(Sample::getSampleId).containsExactlyInAnyOrder("s-1", "s-3");
            assertThat(curated).allSatisfy(s -> {
                assertThat(s.getCuration().getSemanticDedup()).isEqualTo("checked");
                assertThat(s.getCuration().getChecksPassed()).contains("semantic-dedup");
                assertThat(s.getEmbedding().getModel()).isEqualTo(MiniLmEmbedder.NAME);
                assertThat(s.getEmbedding().getDimensions()).isEqualTo(384);
                assertThat(s.getEmbedding().getVector().remaining()).isEqualTo(384);
            });
            java.io.File natives = new java.io.File((String)
                    settings().get(CuratorConfig.EMBEDDING.nativeCacheDir().key()));
            assertThat(natives.list())
                    .as("ONNX Runtime's libraries are extracted to the curator's native cache dir")
                    .anyMatch(name -> name.startsWith("onnxruntime-"));
        }
    }

    @Test
    void withoutSemanticDedupNoSampleIsEmbeddedAndARawVectorIsDropped() {
        try (CuratorSettingsTest.Curator c = new CuratorSettingsTest.Curator(settings())) {
            Sample forged = io.synthstream.schemas.TestRecords.sample("s-1");
            forged.setRequestId("r-1");
            forged.setCuration(null);
            forged.setFields(Map.of("text", ORIGINAL, "label", "positive"));
            forged.setEmbedding(io.synthstream.embedding.VectorCodec.embedding("forged", new float[] {1f, 0f}));
            c.raw.pipeInput("s-1", forged, NOW);
            c.send("s-2", "r-1", PARAPHRASE, NOW.plusMillis(1));
            List<Sample> curated = new ArrayList<>();
            pump(c, 2, curated, new ArrayList<>(), new ArrayList<>());
            assertThat(curated).hasSize(2).allSatisfy(s -> {
                assertThat(s.getEmbedding()).isNull();
                assertThat(s.getCuration().getSemanticDedup()).isNull();
            });
        }
    }

    @Test
    void aFailingEmbedderLeavesTheSampleCuratedOnTheOtherChecksMarkedSkippedAndCounted() {
        Map<String, Object> failing = settings(
                CuratorConfig.EMBEDDING.source().key(),
                "openai",
                CuratorConfig.EMBEDDING.baseUrl().key(),
                "http://127.0.0.1:9/v1",
                "llm.max.attempts",
                1);
        try (CuratorSettingsTest.Curator c = new CuratorSettingsTest.Curator(failing, SEMANTIC)) {
            List<Sample> curated = new ArrayList<>();
            List<Rejection> rejected = new ArrayList<>();
            c.send("s-1", "r-1", ORIGINAL, NOW);
            c.send("s-2", "r-1", ORIGINAL + " ", NOW.plusMillis(1)); // an exact copy: still caught
            pump(c, 2, curated, rejected, new ArrayList<>());
            assertThat(curated).singleElement().satisfies(s -> {
                assertThat(s.getCuration().getSemanticDedup()).isEqualTo("skipped");
                assertThat(s.getCuration().getSemanticSkipReason())
                        .contains("failed")
                        .contains("127.0.0.1");
                assertThat(s.getCuration().getChecksPassed()).doesNotContain("semantic-dedup");
                assertThat(s.getEmbedding()).isNull();
            });
            assertThat(rejected)
                    .singleElement()
                    .extracting(Rejection::getReason)
                    .isEqualTo(RejectionReason.EXACT_DUPLICATE);
            assertThat(c.meters
                            .get("synth.curator.semantic.skipped")
                            .tag("reason", "failed")
                            .counter()
                            .count())
                    .isEqualTo(2.0);
        }
    }

    @Test
    void aVectorOfTheWrongSizeDeadLettersTheSampleNamingBothSizes() {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(FakeOpenAiServer.Settings.instant(), 0);
                CuratorSettingsTest.Curator c = new CuratorSettingsTest.Curator(
                        settings(
                                CuratorConfig.EMBEDDING.source().key(),
                                "openai",
                                CuratorConfig.EMBEDDING.baseUrl().key(),
                                server.baseUrl(),
                                CuratorConfig.EMBEDDING.dimensions().key(),
                                384,
                                CuratorConfig.EMBEDDING.model().key(),
                                "emb-x"),
                        SEMANTIC)) {
            List<DeadLetter> dead = new ArrayList<>();
            c.send("s-1", "r-1", ORIGINAL, NOW);
            pump(c, 1, new ArrayList<>(), new ArrayList<>(), dead);
            assertThat(dead).singleElement().satisfies(d -> {
                assertThat(d.getReason()).isEqualTo("embedding_dimensions");
                assertThat(d.getSampleId()).isEqualTo("s-1");
                assertThat(d.getMessage())
                        .contains(FakeOpenAiServer.EMBEDDING_DIMENSIONS + " dimensions")
                        .contains("384 are expected")
                        .contains("emb-x@127.0.0.1");
            });
        }
    }

    @Test
    void finishedEmbeddingsAreTakenEveryDrainInterval() {
        try (CuratorSettingsTest.Curator c =
                new CuratorSettingsTest.Curator(settings(CuratorConfig.EMBEDDING_DRAIN_MS.key(), 5_000L), SEMANTIC)) {
            c.send("s-1", "r-1", ORIGINAL, NOW);
            c.advance(Duration.ofMillis(5_000)); // the first drain sends the embedding out
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            List<Sample> curated = new ArrayList<>();
            for (int i = 0; i < 20 && curated.isEmpty(); i++) {
                c.advance(Duration.ofMillis(200));
                curated.addAll(c.curated.readValuesToList());
            }
            assertThat(curated).as("within 4 s of a 5 s drain interval").isEmpty();
            while (curated.isEmpty() && System.nanoTime() < deadline) {
                c.advance(Duration.ofMillis(1_000));
                curated.addAll(c.curated.readValuesToList());
            }
            assertThat(curated).hasSize(1);
        }
    }

    @Test
    void theEmbeddingThreadsAreHowManyTextsAreEmbeddedAtOnce() throws Exception {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1/embeddings", exchange -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            now.decrementAndGet();
            byte[] body =
                    "{\"data\": [{\"index\": 0, \"embedding\": [0.6, 0.8, 0.0]}]}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            IntUnaryOperator mostAtOnce = threads -> {
                most.set(0);
                try (CuratorSettingsTest.Curator c = new CuratorSettingsTest.Curator(
                        settings(
                                CuratorConfig.EMBEDDING.source().key(), "openai",
                                CuratorConfig.EMBEDDING.baseUrl().key(), url,
                                CuratorConfig.EMBEDDING.threads().key(), threads),
                        SEMANTIC)) {
                    List<Sample> curated = new ArrayList<>();
                    List<Rejection> rejected = new ArrayList<>();
                    for (int i = 0; i < 3; i++) {
                        c.send("s-" + i, "r-1", ORIGINAL + " Number " + i + ".", NOW.plusMillis(i));
                    }
                    pump(c, 3, curated, rejected, new ArrayList<>());
                    assertThat(curated.size() + rejected.size()).isEqualTo(3);
                }
                return most.get();
            };
            assertThat(mostAtOnce.applyAsInt(1)).isEqualTo(1);
            assertThat(mostAtOnce.applyAsInt(3)).isGreaterThan(1);
        } finally {
            server.stop(0);
        }
    }

    /** The pair at cosine about 0.94: a duplicate at the default 0.80, not at 0.97; not compared at all without semantic_dedup. */
    @Test
    void theSemanticDedupAndThresholdOfARequestDecideWhatIsASemanticDuplicate() {
        Map<Double, Integer> keptByThreshold = new HashMap<>();
        for (double threshold : new double[] {0.80, 0.97}) {
            try (CuratorSettingsTest.Curator c = new CuratorSettingsTest.Curator(
                    settings(),
                    spec -> spec.setCuration(CurationSettings.newBuilder()
                            .setSemanticDedup(true)
                            .setSemanticThreshold(threshold)
                            .build()))) {
                List<Sample> curated = new ArrayList<>();
                c.send("s-1", "r-1", ORIGINAL, NOW);
                c.send("s-2", "r-1", PARAPHRASE, NOW.plusMillis(1));
                pump(c, 2, curated, new ArrayList<>(), new ArrayList<>());
                keptByThreshold.put(threshold, curated.size());
            }
        }
        assertThat(keptByThreshold).containsEntry(0.80, 1).containsEntry(0.97, 2);
        try (CuratorSettingsTest.Curator c = new CuratorSettingsTest.Curator(
                settings(),
                spec -> spec.setCuration(
                        CurationSettings.newBuilder().setSemanticDedup(false).build()))) {
            List<Sample> curated = new ArrayList<>();
            c.send("s-1", "r-1", ORIGINAL, NOW);
            c.send("s-2", "r-1", PARAPHRASE, NOW.plusMillis(1));
            pump(c, 2, curated, new ArrayList<>(), new ArrayList<>());
            assertThat(curated).as("semantic_dedup false").hasSize(2);
        }
    }

    /**
     * A backlog larger than the embedding pool's queue: the stage stores the samples beyond it
     * without waiting (the gauge counts them), and begins them as the pool frees room; each sample
     * ends exactly once.
     */
    @Test
    void aBacklogBeyondThePoolsQueueIsDeferredCountedAndThenEmbedded() throws Exception {
        java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger requests = new AtomicInteger();
        java.util.Random random = new java.util.Random(7);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1/embeddings", exchange -> {
            requests.incrementAndGet();
            try {
                open.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            StringBuilder vector = new StringBuilder();
            synchronized (random) { // random directions: no two texts are semantic duplicates
                for (int i = 0; i < 64; i++) {
                    vector.append(i == 0 ? "" : ",").append(random.nextGaussian());
                }
            }
            byte[] body =
                    ("{\"data\": [{\"index\": 0, \"embedding\": [" + vector + "]}]}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        int backlog = 200;
        try (CuratorSettingsTest.Curator c = new CuratorSettingsTest.Curator(
                settings(
                        CuratorConfig.EMBEDDING.source().key(),
                        "openai",
                        CuratorConfig.EMBEDDING.baseUrl().key(),
                        "http://127.0.0.1:" + server.getAddress().getPort() + "/v1",
                        CuratorConfig.EMBEDDING.threads().key(),
                        1),
                SEMANTIC)) {
            for (int i = 0; i < backlog; i++) {
                c.send("s-" + i, "r-1", "Sample number " + i + " says something of its own.", NOW.plusMillis(i));
            }
            c.advance(Duration.ofMillis(20));

            assertThat(deferred(c))
                    .as("stored beyond the pool's queue, not begun")
                    .isEqualTo(backlog - io.synthstream.embedding.Embeddings.MAX_QUEUED_PER_THREAD);
            assertThat(requests.get()).as("one embedding thread").isEqualTo(1);

            open.countDown();
            List<Sample> curated = new ArrayList<>();
            List<Rejection> rejected = new ArrayList<>();
            List<DeadLetter> dead = new ArrayList<>();
            pump(c, backlog, curated, rejected, dead);

            assertThat(rejected).isEmpty();
            assertThat(dead).isEmpty();
            assertThat(curated).extracting(Sample::getSampleId).hasSize(backlog).doesNotHaveDuplicates();
            assertThat(curated)
                    .allSatisfy(
                            s -> assertThat(s.getCuration().getSemanticDedup()).isEqualTo("checked"));
            assertThat(deferred(c)).isZero();
            assertThat(requests.get()).as("each text embedded once").isEqualTo(backlog);
        } finally {
            open.countDown();
            server.stop(0);
        }
    }

    private static double deferred(CuratorSettingsTest.Curator c) {
        return c.meters
                .get("synth.async.deferred")
                .tag("stage", "embed")
                .gauge()
                .value();
    }
}
