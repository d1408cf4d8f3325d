package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.synthstream.avro.RequestStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new user's producer in another language: kafkajs and its Confluent registry client fetch the
 * latest {@code synth.requests-value} (registered by the platform at start, before any Java client
 * wrote), encode a request with it, publish it to {@code synth.requests}, and the request completes.
 * Needs Node.js and the packages of {@code schemas/src/test/node/registry-interop} ({@code .ci/run}
 * installs them); skipped without them unless {@code SYNTH_REQUIRE_NODE_INTEROP=true}.
 */
class KafkajsProducerIT {
    private static final Path SCRIPT_DIR = Path.of("../schemas/src/test/node/registry-interop");

    @TempDir
    Path dir;

    @Test
    void aRequestEncodedAndPublishedByKafkajsCompletes() throws Exception {
        boolean present = Files.isDirectory(SCRIPT_DIR.resolve("node_modules/kafkajs"));
        if (!present && "true".equals(System.getenv("SYNTH_REQUIRE_NODE_INTEROP"))) {
            throw new AssertionError("SYNTH_REQUIRE_NODE_INTEROP=true but kafkajs is not installed in " + SCRIPT_DIR);
        }
        assumeTrue(present, "kafkajs not installed (npm ci --prefix " + SCRIPT_DIR + "); skipping");

        Path request = dir.resolve("request.json");
        // What a Node.js user would write: the fields they care about; the schema's defaults do the rest.
        Files.writeString(request, """
                {"request_id": "from-kafkajs-1", "dataset": "node-reviews", "created_at": 1767225600000,
                 "task": {"kind": "classification", "description": "short product reviews",
                          "labels": ["positive", "negative"]},
                 "count": 6,
                 "model": {"temperature": 0.7}}
                """);
        Map<String, String> env = Map.of("SYNTH_LLM_SIM_LATENCY_MEDIAN_MS", "20");
        try (LocalPlatform platform = LocalPlatform.start(dir.resolve("up"), LocalPlatform.Ports.FREE, 1, env)) {
            Process node = new ProcessBuilder(
                            "node",
                            "publish-request.mjs",
                            platform.bootstrapServers(),
                            platform.registryUrl(),
                            request.toAbsolutePath().toString())
                    .directory(SCRIPT_DIR.toFile())
                    .start();
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node finished").isTrue();
            String err = new String(node.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(node.exitValue()).as(err).isZero();
            int schemaId = new ObjectMapper()
                    .readTree(node.getInputStream().readAllBytes())
                    .path("schemaId")
                    .asInt();
            assertThat(schemaId).isPositive();

            RequestStatus status =
                    PipelineReads.completed(platform.cluster(), "from-kafkajs-1", Duration.ofSeconds(120));
            assertThat(status.getDataset()).isEqualTo("node-reviews");
            assertThat(status.getCurated() + status.getRejected() + status.getFailed())
                    .isEqualTo(6);
        }
    }
}
