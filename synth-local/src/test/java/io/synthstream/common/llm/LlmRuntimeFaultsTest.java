package io.synthstream.common.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.synthstream.local.FakeOpenAiServer;
import io.synthstream.local.FakeOpenAiServer.Fault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every failure the fake server can inject ends as a retried success or a terminal failure with the right reason. */
class LlmRuntimeFaultsTest {
    private static final String KEY = "sk-test-secret-123";

    private FakeOpenAiServer server;
    private LlmRuntime runtime;

    @BeforeEach
    void start() {
        server = FakeOpenAiServer.start(FakeOpenAiServer.Settings.instant().withApiKey(KEY), 0);
        LlmLimits limits = LlmLimits.defaults()
                .withRetries(4, Duration.ofMillis(20), Duration.ofMillis(100))
                .withCallTimeout(Duration.ofMillis(500));
        runtime = new LlmRuntime(
                new OpenAiProvider(
                        server.baseUrl(),
                        KEY,
                        "fake-model",
                        Map.of("X-Test", "yes"),
                        LlmRequest.ResponseFormat.JSON_SCHEMA,
                        Duration.ofSeconds(2)),
                limits);
    }

    @AfterEach
    void stop() {
        runtime.close();
        server.close();
    }

    static LlmRequest request() {
        return FakeOpenAiServer.textRequest();
    }

    static LlmRuntime.Completion await(LlmRuntime.Client client, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<LlmRuntime.Completion> done = client.drain(1);
            if (!done.isEmpty()) {
                return done.get(0);
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no completion within " + timeout);
    }

    @Test
    void aPlainCallSucceedsWithTokenUsageAndSchemaFormat() throws Exception {
        LlmRuntime.Client client = runtime.client("t");
        client.submit("c1", request());
        LlmRuntime.Completion done = await(client, Duration.ofSeconds(5));
        assertThat(done.succeeded()).isTrue();
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(new ObjectMapper()
                        .readTree(done.response().content())
                        .path("text")
                        .asText())
                .isNotBlank();
        assertThat(done.response().promptTokens()).isPositive();
        assertThat(server.lastBodies()
                        .get(0)
                        .path("response_format")
                        .path("type")
                        .asText())
                .isEqualTo("json_schema");
        assertThat(server.lastBodies().get(0).path("model").asText()).isEqualTo("fake-model");
    }

    @ParameterizedTest
    @EnumSource(
            value = Fault.class,
            names = {
                "RATE_LIMITED_NO_RETRY_AFTER",
                "SERVER_ERROR",
                "UNAVAILABLE",
                "CONNECTION_RESET",
                "HANG",
                "MALFORMED_CONTENT",
                "LENGTH"
            })
    void transientFaultsAreRetriedToSuccess(Fault fault) throws Exception {
        boolean contentFault = fault == Fault.MALFORMED_CONTENT || fault == Fault.LENGTH;
        server.script(fault);
        LlmRuntime.Client client = runtime.client("t");
        client.submit("c1", request());
        LlmRuntime.Completion done = await(client, Duration.ofSeconds(10));
        assertThat(done.succeeded()).as("%s: %s", fault, done.failure()).isTrue();
        // Content faults are a successful transport: the caller parses, repairs or dead-letters.
        assertThat(done.attempts()).isEqualTo(contentFault ? 1 : 2);
        if (fault == Fault.LENGTH) {
            assertThat(done.response().truncated()).isTrue();
        }
        assertThat(server.faults(fault)).isEqualTo(1);
    }

    @Test
    void retryAfterIsHonoured() throws Exception {
        server.script(Fault.RATE_LIMITED);
        LlmRuntime.Client client = runtime.client("t");
        client.submit("c1", request());
        LlmRuntime.Completion done = await(client, Duration.ofSeconds(10));
        assertThat(done.succeeded()).isTrue();
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(done.elapsedMs()).as("waited for Retry-After: 1").isGreaterThanOrEqualTo(1000);
    }

    @ParameterizedTest
    @EnumSource(
            value = Fault.class,
            names = {"BAD_REQUEST", "UNAUTHORIZED", "NOT_FOUND", "CONTENT_FILTER"})
    void permanentFaultsFailAtOnceWithTheirReason(Fault fault) throws Exception {
        server.script(fault);
        LlmRuntime.Client client = runtime.client("t");
        client.submit("c1", request());
        LlmRuntime.Completion done = await(client, Duration.ofSeconds(5));
        assertThat(done.succeeded()).isFalse();
        assertThat(done.attempts()).isEqualTo(1);
        String expected = switch (fault) {
            case BAD_REQUEST -> "llm_bad_request";
            case UNAUTHORIZED -> "llm_auth";
            case NOT_FOUND -> "llm_not_found";
            default -> "llm_content_filter";
        };
        assertThat(done.failure().kind().reason()).isEqualTo(expected);
        assertThat(done.failure().getMessage()).doesNotContain(KEY);
    }

    @Test
    void persistentServerErrorsExhaustTheAttempts() throws Exception {
        server.script(Fault.UNAVAILABLE, Fault.UNAVAILABLE, Fault.SERVER_ERROR, Fault.UNAVAILABLE);
        LlmRuntime.Client client = runtime.client("t");
        client.submit("c1", request());
        LlmRuntime.Completion done = await(client, Duration.ofSeconds(10));
        assertThat(done.succeeded()).isFalse();
        assertThat(done.attempts()).isEqualTo(4);
        assertThat(done.failure().kind().reason()).isEqualTo("llm_server_error");
    }

    @Test
    void aWrongKeyIsAnAuthFailureAndTheKeyIsNeverInTheMessage() throws Exception {
        try (LlmRuntime wrong = new LlmRuntime(
                new OpenAiProvider(
                        server.baseUrl(),
                        "sk-wrong-key-456",
                        "m",
                        Map.of(),
                        LlmRequest.ResponseFormat.TEXT,
                        Duration.ofSeconds(2)),
                LlmLimits.defaults())) {
            LlmRuntime.Client client = wrong.client("t");
            client.submit("c1", request());
            LlmRuntime.Completion done = await(client, Duration.ofSeconds(5));
            assertThat(done.failure().kind()).isEqualTo(LlmFailure.Kind.AUTH);
            assertThat(done.failure().getMessage()).doesNotContain("sk-wrong-key-456");
            assertThat(server.lastBodies().get(0).has("response_format")).isFalse();
        }
    }

    @Test
    void resubmittingAnOutstandingIdDoesNotDoubleTheCall() throws Exception {
        LlmRuntime.Client client = runtime.client("t");
        assertThat(client.submit("c1", request())).isTrue();
        assertThat(client.submit("c1", request())).isFalse();
        await(client, Duration.ofSeconds(5));
        Thread.sleep(50);
        assertThat(client.drain(10)).isEmpty();
        assertThat(server.requests()).isEqualTo(1);
    }

    @Test
    void cancelledCallsAreNeverDelivered() throws Exception {
        server.script(Fault.HANG);
        LlmRuntime.Client client = runtime.client("t");
        client.submit("c1", request());
        client.cancelAll();
        Thread.sleep(1200);
        assertThat(client.drain(10)).isEmpty();
        assertThat(client.outstanding()).isZero();
    }
}
