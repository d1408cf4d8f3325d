package io.synthstream.common.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.local.FakeOpenAiServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactionTest {
    private static final String KEY = "sk-proj-abcdefghijklmnop";

    @Test
    void shouldMaskTheWholeSecretAndAnyLongRunOfIt() {
        assertThat(Redaction.redact("Incorrect API key provided: " + KEY + ".", List.of(KEY)))
                .isEqualTo("Incorrect API key provided: [redacted].");
        assertThat(Redaction.redact("key starts sk-proj-abcd and ends ijklmnop", List.of(KEY)))
                .doesNotContain("sk-proj-abcd")
                .doesNotContain("ijklmnop")
                .contains("[redacted]");
        assertThat(Redaction.redact("short sk-pro stays", List.of(KEY))).isEqualTo("short sk-pro stays");
        assertThat(Redaction.redact("nothing secret", List.of("tiny"))).isEqualTo("nothing secret");
        assertThat(Redaction.redact(null, List.of(KEY))).isNull();
    }

    @Test
    void shouldKeepTheKeyAndHeaderSecretsOutOfAFailureEvenWhenTheServerEchoesThem() throws Exception {
        String header = "hdr-secret-0987654321";
        try (FakeOpenAiServer server = FakeOpenAiServer.start(
                        FakeOpenAiServer.Settings.instant().withApiKey("sk-right-key-000"), 0);
                LlmRuntime runtime = new LlmRuntime(
                        new OpenAiProvider(
                                server.baseUrl(),
                                KEY,
                                "fake-model",
                                Map.of("X-Tenant-Token", header),
                                LlmRequest.ResponseFormat.JSON_SCHEMA,
                                Duration.ofSeconds(2)),
                        LlmLimits.defaults().withRetries(1, Duration.ZERO, Duration.ZERO))) {
            LlmRuntime.Client client = runtime.client("t");
            client.submit("c1", LlmRuntimeFaultsTest.request());

            LlmRuntime.Completion done = LlmRuntimeFaultsTest.await(client, Duration.ofSeconds(5));

            assertThat(done.failure().kind()).isEqualTo(LlmFailure.Kind.AUTH);
            assertThat(done.failure().getMessage())
                    .contains("Incorrect API key provided: [redacted]")
                    .doesNotContain(KEY)
                    .doesNotContain("sk-proj-abcd");
            assertThat(String.valueOf(done.failure())).doesNotContain(KEY);
        }
    }
}
