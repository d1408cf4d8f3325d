package io.synthstream.evaluator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.EvaluationSettings;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.ScoredSample;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.common.llm.SimulatedProvider;
import io.synthstream.evaluator.config.EvaluatorConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each evaluator setting changes what the evaluator does: which calls it makes and what it publishes. */
class EvaluatorSettingsTest {
    private static final String TEXT =
            "A gripping story about a lighthouse keeper and the storm that changed everything.";

    /** The steering updates of a dataset whose garden topic is starved, under {@code overrides}. */
    private static List<SteeringUpdate> steering(Map<String, Object> overrides) {
        return steering(overrides, 0);
    }

    /** As {@link #steering(Map)}, with {@code gardenRejections} garden samples rejected by the curator. */
    private static List<SteeringUpdate> steering(Map<String, Object> overrides, int gardenRejections) {
        Map<String, Object> all = new HashMap<>(Map.of(EvaluatorConfig.EMBEDDINGS.key(), "none"));
        all.putAll(overrides);
        try (EvaluatorFixture f =
                new EvaluatorFixture(new SimulatedProvider(SimulatedProvider.Settings.INSTANT), all)) {
            GenerationRequest spec = Samples.spec("r-1", 100);
            spec.setEvaluation(
                    EvaluationSettings.newBuilder().setTargetPerCell(10).build());
            f.specs.pipeInput("r-1", spec);
            for (int i = 0; i < 12; i++) {
                String topic = i < 10 ? "books" : "phones";
                f.curated.pipeInput("s-" + i, Samples.sample("r-1", "s-" + i, topic, "positive", TEXT + " " + i));
            }
            for (int i = 0; i < gardenRejections; i++) {
                f.rejected.pipeInput(
                        "g-" + i,
                        Samples.rejection("r-1", "g-" + i, "garden", io.synthstream.avro.RejectionReason.REFUSAL));
            }
            f.pumpUntil(() -> f.scoredLog.size() == 12);
            f.report();
            return new ArrayList<>(f.steeringLog);
        }
    }

    @Test
    void steeringIsPublishedOnlyWhenEnabledAndAfterEnoughSamplesWithTheConfiguredExemplars() {
        List<SteeringUpdate> steered = steering(Map.of());
        assertThat(steered)
                .singleElement()
                .satisfies(u -> assertThat(u.getExemplars()).hasSize(2));

        assertThat(steering(Map.of(EvaluatorConfig.STEERING_ENABLED.key(), false)))
                .as("evaluator.steering.enabled=false")
                .isEmpty();
        assertThat(steering(Map.of(EvaluatorConfig.STEERING_MIN_SAMPLES.key(), 50)))
                .as("12 samples are fewer than evaluator.steering.min.samples=50")
                .isEmpty();
        assertThat(steering(Map.of(EvaluatorConfig.EXEMPLARS_PER_GROUP.key(), 1)))
                .singleElement()
                .satisfies(u -> assertThat(u.getExemplars()).hasSize(1));
    }

    /** The judge calls and scores of one sample, under {@code overrides}. */
    private static Map.Entry<List<io.synthstream.common.llm.LlmRequest>, ScoredSample> judged(
            Map<String, Object> overrides) {
        FixedProvider judge = FixedProvider.replying("{\"score\": 4, \"rationale\": \"fine\"}");
        Map<String, Object> all = new HashMap<>(Map.of(EvaluatorConfig.EMBEDDINGS.key(), "none"));
        all.putAll(overrides);
        try (EvaluatorFixture f = new EvaluatorFixture(judge, all)) {
            f.specs.pipeInput("r-1", Samples.spec("r-1", 1));
            f.curated.pipeInput("s-1", Samples.sample("r-1", "s-1", "books", "positive", TEXT));
            f.pumpUntil(() -> f.scoredLog.size() == 1);
            return Map.entry(judge.requests, f.scoredLog.get(0));
        }
    }

    @Test
    void theJudgeSettingsSwitchItOffNameItsModelAndCapItsReply() {
        var plain = judged(Map.of());
        assertThat(plain.getKey()).singleElement().satisfies(call -> {
            assertThat(call.model()).isEqualTo("gpt-4o-mini"); // unset: llm.model
            assertThat(call.maxTokens()).isEqualTo(256);
        });
        assertThat(plain.getValue().getFaithfulness().getScore()).isEqualTo(4.0);

        var off = judged(Map.of(EvaluatorConfig.JUDGE_ENABLED.key(), false));
        assertThat(off.getKey()).as("evaluator.judge.enabled=false: no call").isEmpty();
        assertThat(off.getValue().getFaithfulness().getStatus()).isEqualTo("disabled");

        var configured = judged(
                Map.of(EvaluatorConfig.JUDGE_MODEL.key(), "judge-9", EvaluatorConfig.JUDGE_MAX_TOKENS.key(), 77));
        assertThat(configured.getKey()).singleElement().satisfies(call -> {
            assertThat(call.model()).isEqualTo("judge-9");
            assertThat(call.maxTokens()).isEqualTo(77);
        });
    }

    /** The scored samples of {@code texts} (one request, topic books, label positive), under {@code overrides}. */
    private static List<ScoredSample> scored(Map<String, Object> overrides, List<String> texts) {
        try (EvaluatorFixture f =
                new EvaluatorFixture(new SimulatedProvider(SimulatedProvider.Settings.INSTANT), overrides)) {
            f.specs.pipeInput("r-1", Samples.spec("r-1", 100));
            for (int i = 0; i < texts.size(); i++) {
                f.curated.pipeInput("s-" + i, Samples.sample("r-1", "s-" + i, "books", "positive", texts.get(i)));
                int n = i + 1;
                f.pumpUntil(() -> f.scoredLog.size() == n); // in order: each sees the ones before
            }
            return new ArrayList<>(f.scoredLog);
        }
    }

    @Test
    void theWindowHoldsOnlyTheLatestSamplesForNovelty() {
        List<String> texts = List.of(
                TEXT,
                "Quarterly tax filing deadlines for small companies and their accountants.",
                "A recipe for sourdough bread with a long cold fermentation in the fridge.",
                TEXT);
        assertThat(scored(Map.of(), texts).get(3).getNovelty())
                .as("the copy of s-0 is in the default window")
                .isLessThan(1e-5);
        assertThat(scored(Map.of(EvaluatorConfig.WINDOW_SIZE.key(), 2), texts)
                        .get(3)
                        .getNovelty())
                .as("evaluator.window.size=2: s-0 has left the window")
                .isGreaterThan(0.3);
    }

    @Test
    void theTextLimitCutsWhatTheEmbeddingReads() {
        String head = "The lighthouse keeper wrote in his log every single night of the long winter, by the light"
                + " of one small oil lamp,"; // more than 100 characters, the least the setting takes
        List<String> texts = List.of(
                head + " and the storm of 1912 filled twelve pages of it.",
                head + " while tax deadlines for small companies came and went unnoticed.");
        assertThat(scored(Map.of(), texts).get(1).getNovelty()).isGreaterThan(0.05);
        assertThat(scored(Map.of(EvaluatorConfig.TEXT_MAX_CHARS.key(), 100), texts)
                        .get(1)
                        .getNovelty())
                .as("evaluator.text.max.chars cuts both texts to the same head")
                .isLessThan(1e-5);
    }

    @Test
    void theReservoirBoundsTheTextSampleOfTheCumulativeMetrics() {
        for (int reservoir : new int[] {300, 3}) {
            try (EvaluatorFixture f = new EvaluatorFixture(
                    new SimulatedProvider(SimulatedProvider.Settings.INSTANT),
                    Map.of(
                            EvaluatorConfig.EMBEDDINGS.key(),
                            "none",
                            EvaluatorConfig.RESERVOIR_SIZE.key(),
                            reservoir))) {
                f.specs.pipeInput("r-1", Samples.spec("r-1", 100));
                for (int i = 0; i < 6; i++) {
                    f.curated.pipeInput("s-" + i, Samples.sample("r-1", "s-" + i, "books", "positive", TEXT + " " + i));
                }
                f.pumpUntil(() -> f.scoredLog.size() == 6);
                f.report();
                assertThat(f.lastReport().getCumulative().getTextSample()).isEqualTo(Math.min(6, reservoir));
            }
        }
    }

    @Test
    void valuesWithALowCuratorYieldAreDampedBelowTheMinYield() {
        // every garden sample was rejected by the curator: yield 0.1
        java.util.function.Function<Double, Double> gardenWeight =
                minYield -> steering(Map.of(EvaluatorConfig.STEERING_MIN_YIELD.key(), minYield), 8)
                        .get(0)
                        .getAttributeWeights()
                        .get("topic")
                        .get("garden");
        assertThat(gardenWeight.apply(0.9))
                .as("evaluator.steering.min.yield=0.9 damps garden (yield 0.1)")
                .isLessThan(gardenWeight.apply(0.0));
    }

    /**
     * An OpenAI-compatible {@code /v1/embeddings} endpoint that hands each request's body to {@code
     * seen} and answers one fixed vector, on as many threads as requests come.
     */
    private static com.sun.net.httpserver.HttpServer embeddingsEndpoint(
            java.util.function.Consumer<com.fasterxml.jackson.databind.JsonNode> seen) throws java.io.IOException {
        com.sun.net.httpserver.HttpServer server =
                com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8));
        server.createContext("/v1/embeddings", exchange -> {
            seen.accept(new com.fasterxml.jackson.databind.ObjectMapper().readTree(exchange.getRequestBody()));
            byte[] out =
                    "{\"data\": [{\"embedding\": [0.6, 0.8, 0.0]}]}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
        return server;
    }

    @Test
    void theEmbeddingsModelIsTheOneTheEndpointIsAskedFor() throws Exception {
        List<String> models = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer server =
                embeddingsEndpoint(body -> models.add(body.path("model").asText()));
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            for (String model : new String[] {null, "embed-x"}) {
                Map<String, Object> settings = new HashMap<>(Map.of(
                        EvaluatorConfig.EMBEDDINGS.key(), "openai", EvaluatorConfig.EMBEDDINGS_BASE_URL.key(), url));
                if (model != null) {
                    settings.put(EvaluatorConfig.EMBEDDINGS_MODEL.key(), model);
                }
                scored(settings, List.of(TEXT));
            }
        } finally {
            server.stop(0);
        }
        assertThat(models).containsExactly("text-embedding-3-small", "embed-x");
    }

    /**
     * Settings the dataset stage reads as they are: the idle time (DatasetProcessorTest shows gauges
     * let go after it) and the exact-count limit of distinct-n (the metric's own tests show the switch).
     */
    @Test
    void theDatasetStageGetsItsIdleTimeAndDistinctLimit() {
        java.util.function.Function<Map<String, Object>, io.synthstream.evaluator.logic.DatasetSettings> read =
                overrides -> {
                    Map<String, Object> props = new HashMap<>(Map.of("application.id", "a"));
                    props.putAll(overrides);
                    return EvaluatorConfig.from(
                                    new io.synthstream.common.config.SynthConfig(EvaluatorConfig.definition(), props))
                            .datasetSettings();
                };
        assertThat(read.apply(Map.of()).idle()).isEqualTo(java.time.Duration.ofMinutes(10));
        assertThat(read.apply(Map.of(EvaluatorConfig.DATASET_IDLE_MS.key(), 5_000L))
                        .idle())
                .isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(read.apply(Map.of()).distinctExactLimit()).isEqualTo(4096);
        assertThat(read.apply(Map.of(EvaluatorConfig.DISTINCT_EXACT_LIMIT.key(), 64))
                        .distinctExactLimit())
                .isEqualTo(64);
    }

    @Test
    void theEmbeddingThreadsAreHowManyTextsAreEmbeddedAtOnce() throws Exception {
        java.util.concurrent.atomic.AtomicInteger now = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer server = embeddingsEndpoint(body -> {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            now.decrementAndGet();
        });
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            java.util.function.IntUnaryOperator mostAtOnce = threads -> {
                most.set(0);
                try (EvaluatorFixture f = new EvaluatorFixture(
                        new SimulatedProvider(SimulatedProvider.Settings.INSTANT),
                        Map.of(
                                EvaluatorConfig.EMBEDDINGS.key(), "openai",
                                EvaluatorConfig.EMBEDDINGS_BASE_URL.key(), url,
                                EvaluatorConfig.EMBEDDING_THREADS.key(), threads))) {
                    f.specs.pipeInput("r-1", Samples.spec("r-1", 10));
                    for (int i = 0; i < 3; i++) {
                        f.curated.pipeInput("s-" + i, Samples.sample("r-1", "s-" + i, "books", "positive", TEXT + i));
                    }
                    f.pumpUntil(() -> f.scoredLog.size() == 3);
                }
                return most.get();
            };
            assertThat(mostAtOnce.applyAsInt(1)).isEqualTo(1);
            assertThat(mostAtOnce.applyAsInt(3)).isGreaterThan(1);
        } finally {
            server.stop(0);
        }
    }
}
