package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code synth up} with an authenticated registry ({@code SYNTH_REGISTRY_USERS}): the apps and the
 * commands send {@code SYNTH_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO}, a request runs to completion;
 * a client with the wrong password gets a one-line 401 error; users without client credentials
 * are refused before anything starts.
 */
class RegistryAuthIT {
    @TempDir
    Path dir;

    @Test
    void theWholePipelineRunsAgainstARegistryThatRequiresBasicAuth() throws Exception {
        Map<String, String> env = Map.of(
                LocalPlatform.REGISTRY_USERS_ENV,
                "synth:pl4tform-pass,reader:r3ad",
                "SYNTH_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO",
                "synth:pl4tform-pass",
                "SYNTH_LLM_SIM_LATENCY_MEDIAN_MS",
                "20");
        try (LocalPlatform platform = LocalPlatform.start(dir.resolve("up"), LocalPlatform.Ports.FREE, 1, env)) {
            GenerationRequest request = SpecFiles.load(Path.of("../examples/sentiment.json"));
            request.setRequestId("registry-auth-1");
            request.setCount(12);
            SubmitCommand.publish(platform.cluster(), request);
            RequestStatus status =
                    PipelineReads.completed(platform.cluster(), "registry-auth-1", Duration.ofSeconds(120));
            assertThat(status.getAccepted()).isEqualTo(12);

            ClusterOptions intruder = ClusterOptions.of(
                    platform.bootstrapServers(),
                    platform.registryUrl(),
                    Map.of("SYNTH_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "synth:guess"));
            assertThatThrownBy(() -> SubmitCommand.publish(intruder, request))
                    .hasStackTraceContaining("HTTP 401")
                    .hasStackTraceContaining("refused the credentials")
                    .satisfies(e -> assertThat(e.toString()).doesNotContain("guess"));
        }
        assertThatThrownBy(() -> LocalPlatform.start(
                        dir.resolve("half"),
                        LocalPlatform.Ports.FREE,
                        1,
                        Map.of(LocalPlatform.REGISTRY_USERS_ENV, "synth:pl4tform-pass")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("set SYNTH_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO=user:password too");
    }
}
