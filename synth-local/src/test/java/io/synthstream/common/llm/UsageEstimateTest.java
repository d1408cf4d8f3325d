package io.synthstream.common.llm;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.local.FakeOpenAiServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A server that reports no {@code usage}: its replies are still counted (estimated) and priced. */
class UsageEstimateTest {
    @Test
    void aReplyWithoutUsageIsCountedWithEstimatedTokensAndPricedByItsModel() throws Exception {
        try (FakeOpenAiServer withUsage = FakeOpenAiServer.start(FakeOpenAiServer.Settings.instant(), 0);
                FakeOpenAiServer without = FakeOpenAiServer.start(
                        FakeOpenAiServer.Settings.instant().withoutUsage(), 0);
                LlmRuntime reported = runtime(withUsage);
                LlmRuntime estimated = runtime(without)) {
            LlmRuntime.Completion counted = call(reported);
            LlmRuntime.Completion guessed = call(estimated);

            assertThat(counted.response().usageEstimated()).isFalse();
            assertThat(counted.spend().getEstimatedTokens()).isZero();
            assertThat(guessed.response().usageEstimated()).isTrue();
            assertThat(guessed.response().promptTokens()).isPositive();
            assertThat(guessed.response().completionTokens())
                    .isEqualTo(TokenEstimates.completion(guessed.response().content(), "gpt-4o-mini"));
            assertThat(guessed.spend().getEstimatedTokens())
                    .isEqualTo(guessed.response().promptTokens()
                            + guessed.response().completionTokens());
            // both replies come from the same prompt: the estimate is within a factor of the server's own count
            assertThat((double) guessed.response().promptTokens()
                            / counted.response().promptTokens())
                    .isBetween(0.5, 2.0);
            assertThat(guessed.spend().getCostUsd())
                    .isEqualTo(new PriceTable.Price(0.15, 0.60)
                            .cost(
                                    guessed.response().promptTokens(),
                                    guessed.response().completionTokens()));
        }
    }

    private static LlmRuntime runtime(FakeOpenAiServer server) {
        return new LlmRuntime(
                new OpenAiProvider(
                        server.baseUrl(),
                        null,
                        "gpt-4o-mini",
                        Map.of(),
                        LlmRequest.ResponseFormat.JSON_SCHEMA,
                        Duration.ofSeconds(2)),
                LlmLimits.defaults(),
                PriceTable.builtIn());
    }

    private static LlmRuntime.Completion call(LlmRuntime runtime) throws InterruptedException {
        LlmRuntime.Client client = runtime.client("t");
        client.submit("c1", FakeOpenAiServer.textRequest());
        return LlmRuntimeFaultsTest.await(client, Duration.ofSeconds(10));
    }
}
