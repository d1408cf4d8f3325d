package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.synthstream.avro.GenerationRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Loads the dashboard in headless Chromium (Debian's {@code chromium} and {@code chromium-driver})
 * while a small pipeline runs, and checks that every chart and the progress table receive data,
 * and that a dataset name holding markup is shown as text, never run.
 * Skips where Chromium is missing, unless {@code SYNTH_REQUIRE_BROWSER=true} (set by {@code
 * .ci/run}), which turns the skip into a failure.
 */
class DashboardBrowserIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    private static final List<String> CHARTS = List.of(
            "chart-samples",
            "chart-latency",
            "chart-calls",
            "chart-tokens",
            "chart-faithfulness",
            "chart-vendi",
            "chart-distinct");

    /** A dataset name a hostile client could publish: it must reach the page as text. */
    private static final String HOSTILE_DATASET = "reviews<img src=x onerror=\"window.synthPwned=1\">";

    @TempDir
    Path dir;

    @Test
    void everyChartReceivesDataWhileAPipelineRuns() throws Exception {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!present && "true".equals(System.getenv("SYNTH_REQUIRE_BROWSER"))) {
            fail("SYNTH_REQUIRE_BROWSER=true but " + CHROMIUM + " or " + DRIVER
                    + " is missing: apt-get install chromium chromium-driver");
        }
        assumeTrue(
                present,
                "Chromium not installed (apt-get install chromium chromium-driver); skipping the browser test");

        try (LocalPlatform platform = LocalPlatform.start(dir, LocalPlatform.Ports.FREE, 3, Map.of());
                DashboardServer dashboard = platform.dashboard(0)) {
            GenerationRequest request = SpecFiles.load(Path.of("../examples/sentiment.json"));
            request.setRequestId("browser-1");
            request.setDataset(HOSTILE_DATASET);
            request.setCount(150);
            SubmitCommand.publish(platform.cluster(), request);

            ChromeOptions options = new ChromeOptions()
                    .setBinary(CHROMIUM.toFile())
                    .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(DRIVER.toFile())
                    .build();
            ChromeDriver browser = new ChromeDriver(service, options);
            try {
                browser.get(dashboard.url());
                JavascriptExecutor js = browser;
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
                    if (rows >= 1
                            && CHARTS.stream().allMatch(c -> ((Number) seen.getOrDefault(c, 0L)).longValue() > 0)) {
                        break;
                    }
                }
                assertThat(rows).as("progress table rows").isGreaterThanOrEqualTo(1);
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
                assertThat(js.executeScript(
                                "return document.querySelector('#requests tbody tr td:nth-child(2)').textContent"))
                        .isEqualTo(HOSTILE_DATASET);
            } finally {
                browser.quit();
            }
        }
    }
}
