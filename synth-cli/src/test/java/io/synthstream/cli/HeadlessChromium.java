package io.synthstream.cli;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium for the browser tests (Debian's {@code chromium} and {@code chromium-driver}).
 * Skips the test where Chromium is missing, unless {@code SYNTH_REQUIRE_BROWSER=true} (set by
 * {@code .ci/run}), which turns the skip into a failure.
 */
final class HeadlessChromium {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private HeadlessChromium() {}

    /** Skips (or fails, in CI) before anything starts when the browser is missing. */
    static void assumeInstalled() {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!present && "true".equals(System.getenv("SYNTH_REQUIRE_BROWSER"))) {
            fail("SYNTH_REQUIRE_BROWSER=true but " + CHROMIUM + " or " + DRIVER
                    + " is missing: apt-get install chromium chromium-driver");
        }
        assumeTrue(
                present,
                "Chromium not installed (apt-get install chromium chromium-driver); skipping the browser test");
    }

    static ChromeDriver start() {
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .build();
        return new ChromeDriver(service, options);
    }
}
