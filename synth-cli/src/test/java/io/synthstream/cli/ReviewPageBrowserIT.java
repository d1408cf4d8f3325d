package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.ReviewRequest;
import io.synthstream.common.topics.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The review page in headless Chromium, behind the dashboard's token: a reviewer accepts (key
 * {@code a}), tries a reject without a reason (refused on the page, nothing sent), rejects with
 * one, relabels and edits; the rest by keyboard; and the dataset, the ledger and a later request's
 * prompts (their demonstrations) show it. A review
 * record whose sample text holds a script and an {@code onerror} attribute (published straight to
 * the topic, as a client with write access could) shows as text and runs nothing. A decision
 * posted from another origin, or not as JSON, or without the token, is refused.
 */
class ReviewPageBrowserIT {
    private static final String TOKEN = "review-page-token";
    private static final String HOSTILE_TEXT =
            "<img src=x onerror=\"window.synthPwned=1\"><script>window.synthPwned=2</script>";

    @TempDir
    Path dir;

    @Test
    void aReviewerDecidesOnThePageAndTheDecisionsApply() throws Exception {
        HeadlessChromium.assumeInstalled();
        try (LocalPlatform platform = LocalPlatform.start(dir, LocalPlatform.Ports.FREE, 3, ReviewChecks.ENV);
                DashboardServer dashboard = platform.dashboard("127.0.0.1", 0, TOKEN)) {
            ClusterOptions cluster = platform.cluster();
            ReviewChecks.reviewedRequest(cluster, "review-page-1");
            List<ReviewRequest> pending = ReviewCommand.queue(cluster, null, "review-page-1", Instant.now())
                    .pending();
            publishHostile(cluster, pending.get(0));
            refusesCrossSiteDecisions(dashboard, pending.get(0).getSampleId());

            ChromeDriver browser = HeadlessChromium.start();
            try {
                browser.get(dashboard.url() + "review#token=" + TOKEN);
                JavascriptExecutor js = browser;
                await(js, "return window.synthReview.shown()", n -> ((Number) n).longValue() == pending.size() + 1);

                // The hostile record waits longest, so it is shown first: as text, running nothing.
                assertThat(browser.findElement(By.id("sample-id")).getText()).isEqualTo("hostile-1");
                assertThat(js.executeScript(
                                "return [...document.querySelectorAll('#details td')]" + ".map(td => td.textContent)"))
                        .asList()
                        .contains(HOSTILE_TEXT);
                assertThat(js.executeScript("return document.querySelectorAll('#details img, #details script').length"))
                        .isEqualTo(0L);
                assertThat(js.executeScript("return window.synthPwned === undefined"))
                        .isEqualTo(true);
                key(browser, "n"); // skip it

                key(browser, "a"); // accept pending[0]
                awaitSent(js, 1);
                key(browser, "n"); // the hostile one is first again
                browser.findElement(By.id("reject")).click(); // no reason: refused on the page
                await(
                        js,
                        "return document.getElementById('message').textContent",
                        m -> String.valueOf(m).contains("refused, nothing sent: a reject needs a reason"));
                browser.findElement(By.id("reason")).sendKeys("off topic");
                browser.findElement(By.id("reject")).click();
                awaitSent(js, 2);
                key(browser, "n");
                new Select(browser.findElement(By.id("label"))).selectByVisibleText("negative");
                browser.findElement(By.id("relabel")).click();
                awaitSent(js, 3);
                key(browser, "n");
                new Select(browser.findElement(By.id("field"))).selectByVisibleText("text");
                browser.findElement(By.id("value")).sendKeys("Corrected on the page.");
                browser.findElement(By.id("edit")).click();
                awaitSent(js, 4);
                for (int i = 4; i < pending.size(); i++) {
                    key(browser, "n");
                    key(browser, "a");
                    awaitSent(js, i + 1);
                }
                assertThat(js.executeScript("return window.synthReview.sent"))
                        .asList()
                        .containsExactlyElementsOf(
                                pending.stream().map(ReviewRequest::getSampleId).toList());
                assertThat(js.executeScript("return window.synthPwned === undefined"))
                        .isEqualTo(true);
            } finally {
                browser.quit();
            }
            ReviewChecks.decisionsApplied(cluster, "review-page-1", pending, "Corrected on the page.", "dashboard");
            ReviewChecks.correctionsReachLaterPrompts(
                    cluster,
                    pending.get(0).getDataset(),
                    List.of(
                            pending.get(0).getSampleId(),
                            pending.get(2).getSampleId(),
                            pending.get(3).getSampleId()),
                    pending.get(3).getSampleId(),
                    "Corrected on the page.");
        }
    }

    /** A shortcut key, pressed with no text field focused (as the page requires). */
    private static void key(ChromeDriver browser, String key) {
        browser.executeScript("document.activeElement && document.activeElement.blur()");
        browser.findElement(By.tagName("body")).sendKeys(key);
    }

    private static void awaitSent(JavascriptExecutor js, int n) throws InterruptedException {
        await(js, "return window.synthReview.sent.length", v -> ((Number) v).intValue() >= n);
    }

    private static void await(JavascriptExecutor js, String script, java.util.function.Predicate<Object> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Object value = null;
        while (System.nanoTime() < deadline) {
            value = js.executeScript(script);
            if (value != null && done.test(value)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(script + " still " + value);
    }

    /** A copy of a real review with markup in its text, waiting longest, straight onto the topic. */
    private static void publishHostile(ClusterOptions cluster, ReviewRequest model) throws Exception {
        ReviewRequest hostile = ReviewRequest.newBuilder(model)
                .setSampleId("hostile-1")
                .setRequestedAt(model.getRequestedAt().minusSeconds(3600))
                .build();
        Map<String, String> fields = new HashMap<>(hostile.getCandidate().getFields());
        fields.put("text", HOSTILE_TEXT);
        hostile.getCandidate().setFields(fields);
        String topic = Topics.REVIEW.name();
        try (var producer = new KafkaProducer<String, byte[]>(
                Map.of("bootstrap.servers", cluster.bootstrapServers),
                new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            topic,
                            "hostile-1",
                            cluster.serdes().value(Topics.REVIEW).serializer().serialize(topic, hostile)))
                    .get();
        }
    }

    private static void refusesCrossSiteDecisions(DashboardServer dashboard, String sampleId) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI decide = URI.create(dashboard.url() + "api/review/decision");
        String accept = "{\"sample_id\": \"" + sampleId + "\", \"action\": \"accept\"}";
        assertThat(http.send(
                                HttpRequest.newBuilder(decide)
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(accept))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .as("no token")
                .isEqualTo(401);
        assertThat(http.send(
                                HttpRequest.newBuilder(decide)
                                        .header("Authorization", "Bearer " + TOKEN)
                                        .header("Content-Type", "text/plain")
                                        .POST(HttpRequest.BodyPublishers.ofString(accept))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .as("a form post, not JSON")
                .isEqualTo(403);
        assertThat(http.send(
                                HttpRequest.newBuilder(decide)
                                        .header("Authorization", "Bearer " + TOKEN)
                                        .header("Content-Type", "application/json")
                                        .header("Origin", "http://evil.example")
                                        .POST(HttpRequest.BodyPublishers.ofString(accept))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .as("another origin")
                .isEqualTo(403);
        HttpResponse<String> unknown = http.send(
                HttpRequest.newBuilder(decide)
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"sample_id\": \"no-such-sample\", \"action\": \"accept\", \"colour\": 1}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("colour: is not a field of ReviewDecision");
    }
}
