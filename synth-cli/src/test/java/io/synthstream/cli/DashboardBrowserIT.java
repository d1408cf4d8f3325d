package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.GenerationRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Loads the dashboard in headless Chromium ({@link HeadlessChromium})
 * while a small pipeline runs, and checks that every chart and the progress table receive data;
 * that a ledger record whose request id and dataset hold markup (published straight to the topic,
 * past the generator's validation, as an attacker with write access could) is shown as text and
 * never runs; that the Content-Security-Policy stops an inline handler even if markup did get into
 * the page; and that the token taken from {@code #token=} is what opens {@code /api/state}.
 */
class DashboardBrowserIT {
    private static final List<String> CHARTS = List.of(
            "chart-samples",
            "chart-latency",
            "chart-calls",
            "chart-tokens",
            "chart-tokens-model",
            "chart-faithfulness",
            "chart-vendi",
            "chart-distinct");

    /** A dataset name a hostile client could publish: it must reach the page as text. */
    private static final String HOSTILE_DATASET = "reviews<img src=x onerror=\"window.synthPwned=1\">";

    private static final String HOSTILE_REQUEST = "r<script>window.synthPwned=2</script>";
    private static final String TOKEN = "browser-test-token";

    @TempDir
    Path dir;

    @Test
    void everyChartReceivesDataWhileAPipelineRuns() throws Exception {
        HeadlessChromium.assumeInstalled();

        try (LocalPlatform platform = LocalPlatform.start(dir, LocalPlatform.Ports.FREE, 3, Map.of());
                DashboardServer dashboard = platform.dashboard("127.0.0.1", 0, TOKEN)) {
            GenerationRequest request = SpecFiles.load(Path.of("../examples/sentiment.json"));
            request.setRequestId("browser-1");
            request.setCount(150);
            SubmitCommand.publish(platform.cluster(), request);
            publishHostileLedger(platform.cluster());
            publishHostileEvaluation(platform.cluster());

            var http = java.net.http.HttpClient.newHttpClient();
            var page = http.send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(dashboard.url()))
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(page.headers().firstValue("Content-Security-Policy"))
                    .hasValue(DashboardServer.CONTENT_SECURITY_POLICY);
            var api = java.net.URI.create(dashboard.url() + "api/state");
            assertThat(http.send(
                                    java.net.http.HttpRequest.newBuilder(api).build(),
                                    java.net.http.HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .as("no token")
                    .isEqualTo(401);
            assertThat(http.send(
                                    java.net.http.HttpRequest.newBuilder(api)
                                            .header("Authorization", "Bearer " + TOKEN)
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(200);

            ChromeDriver browser = HeadlessChromium.start();
            try {
                browser.get(dashboard.url() + "#token=" + TOKEN);
                JavascriptExecutor js = browser;
                assertThat(js.executeScript("return window.location.hash"))
                        .as("the token leaves the address bar")
                        .isEqualTo("");
                long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                Map<String, Object> points = Map.of();
                long rows = 0;
                while (System.nanoTime() < deadline) {
                    Thread.sleep(1000);
                    @SuppressWarnings("unchecked")
                    Map<String, Object> now =
                            (Map<String, Object>) js.executeScript("return window.synthDashboard.nonZeroPoints()");
                    points = now;
                    rows = (Long) js.executeScript("return window.synthDashboard.requestRows()");
                    Map<String, Object> seen = points;
                    if (rows >= 2
                            && (Long) js.executeScript("return window.synthDashboard.evaluationRows()") >= 2
                            && CHARTS.stream().allMatch(c -> ((Number) seen.getOrDefault(c, 0L)).longValue() > 0)) {
                        break;
                    }
                }
                assertThat(rows).as("progress table rows").isGreaterThanOrEqualTo(2);
                assertThat(js.executeScript("return window.synthDashboard.evaluationRows()"))
                        .as("an indirect evaluation's model and its benchmark, from synth.evaluations")
                        .isEqualTo(2L);
                assertThat(js.executeScript("return [...document.querySelectorAll('#evaluations tbody td')]"
                                + ".map(td => td.textContent)"))
                        .asList()
                        .contains(HOSTILE_DATASET, "synthetic", "tfidf", "0.812", "benchmark " + HOSTILE_REQUEST);
                assertThat(js.executeScript("return document.querySelectorAll('#evaluations img, #evaluations script')"
                                + ".length"))
                        .as("markup in an evaluation is not rendered")
                        .isEqualTo(0L);
                for (String chart : CHARTS) {
                    assertThat(((Number) points.getOrDefault(chart, 0L)).longValue())
                            .as("data points above zero in %s (all: %s)", chart, points)
                            .isPositive();
                }
                assertThat(browser.getTitle()).isEqualTo("SynthStream dashboard");
                assertThat(js.executeScript("return document.querySelectorAll('#requests img').length"))
                        .as("markup in a dataset name is not rendered")
                        .isEqualTo(0L);
                assertThat(js.executeScript("return window.synthPwned === undefined"))
                        .as("a dataset name never runs script")
                        .isEqualTo(true);
                assertThat(js.executeScript("return [...document.querySelectorAll('#requests tbody td')]"
                                + ".map(td => td.textContent)"))
                        .asList()
                        .contains(HOSTILE_DATASET, HOSTILE_REQUEST);
                // Were markup ever to get into the page, the policy forbids its inline handlers.
                js.executeScript("document.body.insertAdjacentHTML('beforeend',"
                        + " '<img src=\"/nowhere.png\" onerror=\"window.synthPwned=3\">')");
                Thread.sleep(1000);
                assertThat(js.executeScript("return window.synthPwned === undefined"))
                        .as("the Content-Security-Policy blocks an inline handler")
                        .isEqualTo(true);
            } finally {
                browser.quit();
            }
        }
    }

    /** An indirect evaluation with markup in its dataset and benchmark name, straight onto synth.evaluations. */
    private static void publishHostileEvaluation(ClusterOptions cluster) throws Exception {
        var evaluation = io.synthstream.avro.IndirectEvaluation.newBuilder()
                .setDataset(HOSTILE_DATASET)
                .setEvaluatedAt(java.time.Instant.parse("2026-12-03T10:00:00Z"))
                .setClassifier(EvaluateCommand.CLASSIFIER)
                .setLabels(java.util.List.of("spam", "ham"))
                .setRealTest("real-test.jsonl")
                .setRealTestSize(200)
                .setSyntheticSize(40)
                .setScores(java.util.List.of(io.synthstream.avro.TrainedModelScore.newBuilder()
                        .setTrainedOn("synthetic")
                        .setFeatures("tfidf")
                        .setTrainSize(40)
                        .setAccuracy(0.83)
                        .setMacroF1(0.8121)
                        .build()))
                .setBenchmark(io.synthstream.avro.BenchmarkScore.newBuilder()
                        .setName(HOSTILE_REQUEST)
                        .setScore(7)
                        .setSeconds(1)
                        .build())
                .build();
        SubmitCommand.publishOne(cluster, io.synthstream.common.topics.Topics.EVALUATIONS, HOSTILE_DATASET, evaluation);
    }

    /** A ledger record with markup in its request id and dataset, straight onto the topic. */
    private static void publishHostileLedger(ClusterOptions cluster) throws Exception {
        var status = io.synthstream.schemas.TestRecords.status();
        status.setRequestId(HOSTILE_REQUEST);
        status.setDataset(HOSTILE_DATASET);
        var serializer = cluster.serdes()
                .value(io.synthstream.common.topics.Topics.REQUEST_STATUS)
                .serializer();
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(
                Map.of("bootstrap.servers", cluster.bootstrapServers),
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            String topic = io.synthstream.common.topics.Topics.REQUEST_STATUS.name();
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                            topic, HOSTILE_REQUEST, serializer.serialize(topic, status)))
                    .get();
        }
    }
}
