package io.synthstream.evaluator.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synthstream.common.llm.LlmFailure;
import io.synthstream.common.llm.LlmLimits;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.SimulatedProvider;
import io.synthstream.embedding.OpenAiEmbedder;
import io.synthstream.evaluator.logic.Neighbours;
import io.synthstream.local.FakeOpenAiServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenAiEmbedderTest {
    private static final String KEY = "sk-test-secret-123";
    private final FakeOpenAiServer server =
            FakeOpenAiServer.start(FakeOpenAiServer.Settings.instant().withApiKey(KEY), 0);

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void shouldReturnUnitVectorsFromTheEndpoint() {
        OpenAiEmbedder embedder = new OpenAiEmbedder(server.baseUrl(), "emb-m", KEY, Duration.ofSeconds(5));

        float[] a = embedder.embed("the phone battery lasts all day");
        float[] b = embedder.embed("the phone battery lasts all week");
        float[] c = embedder.embed("tomatoes need water every morning");

        assertThat(a).hasSize(FakeOpenAiServer.EMBEDDING_DIMENSIONS);
        assertThat(Neighbours.dot(a, a)).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
        assertThat(Neighbours.dot(a, b)).isGreaterThan(Neighbours.dot(a, c));
        assertThat(embedder.embed("the phone battery lasts all day")).isEqualTo(a);
    }

    @Test
    void shouldFailClearlyWithoutLeakingTheKey() {
        OpenAiEmbedder wrongKey = new OpenAiEmbedder(server.baseUrl(), "emb-m", "sk-wrong-456", Duration.ofSeconds(5));
        OpenAiEmbedder unreachable = new OpenAiEmbedder("http://127.0.0.1:1/v1", "emb-m", KEY, Duration.ofSeconds(2));

        assertThatThrownBy(() -> wrongKey.embed("x"))
                .hasMessageContaining("answered 401")
                .hasMessageNotContaining("sk-wrong-456");
        assertThatThrownBy(() -> unreachable.embed("x"))
                .hasMessageContaining("127.0.0.1:1")
                .hasMessageNotContaining(KEY);
    }

    @Test
    void shouldWaitForTheLimitsItSharesWithTheChatCalls() throws Exception {
        LlmLimits limits = LlmLimits.defaults().withRates(1, 0).withRetries(1, Duration.ZERO, Duration.ZERO);
        try (LlmRuntime runtime = new LlmRuntime(new SimulatedProvider(SimulatedProvider.Settings.INSTANT), limits)) {
            LlmRuntime.Client client = runtime.client("chat");
            client.submit("c1", LlmRequest.text("Write one text."));
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (client.drain(1).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            OpenAiEmbedder embedder = new OpenAiEmbedder(
                    server.baseUrl(), "emb-m", KEY, Duration.ofMillis(300), limits.retry(), runtime.gate());

            // The chat call took the minute's one request: the embedding is not sent.
            assertThatThrownBy(() -> embedder.embed("x"))
                    .isInstanceOf(LlmFailure.class)
                    .hasMessageContaining("No capacity");
            assertThat(server.requests()).isZero();
        }
    }
}
