package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.synthstream.avro.Budget;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.Spend;
import io.synthstream.common.llm.LlmLimits;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.OpenAiProvider;
import io.synthstream.common.llm.PriceTable;
import io.synthstream.local.FakeOpenAiServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dashboard's spend: cost and tokens over time by model from the runtime's meters, and each budget's use. */
class DashboardStateTest {
    @Test
    void spendIsChartedByThePriceTablesModelNameAndEachBudgetBurnsDown() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DashboardState state = new DashboardState(List.of(registry));
        try (FakeOpenAiServer server = FakeOpenAiServer.start(FakeOpenAiServer.Settings.instant(), 0);
                LlmRuntime runtime = new LlmRuntime(
                        new OpenAiProvider(
                                server.baseUrl(),
                                null,
                                "gpt-4o-mini-2024-07-18",
                                Map.of(),
                                LlmRequest.ResponseFormat.JSON_SCHEMA,
                                Duration.ofSeconds(2)),
                        LlmLimits.defaults(),
                        PriceTable.builtIn())) {
            runtime.bindMetrics(registry, "synth-generator");
            state.sample(1_000);
            LlmRuntime.Client client = runtime.client("t");
            double cost = 0;
            for (int i = 0; i < 3; i++) {
                client.submit("c" + i, FakeOpenAiServer.textRequest());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            for (int done = 0; done < 3; ) {
                assertThat(System.nanoTime()).as("three replies within 30 s").isLessThan(deadline);
                for (LlmRuntime.Completion c : client.drain(3)) {
                    cost += c.spend().getCostUsd();
                    done++;
                }
                Thread.sleep(5);
            }
            state.status(
                    ledger("r-budget", Budget.newBuilder().setMaxCostUsd(0.02).build(), 0.005));
            state.status(ledger("r-free", null, 0.001));
            state.sample(61_000);

            JsonNode out = state.json();
            JsonNode point = out.path("points").get(1);
            assertThat(point.path("cost_per_min").fieldNames())
                    .toIterable()
                    .containsExactly("gpt-4o-mini")
                    .as("a dated snapshot is tagged by the table's name, a bounded set");
            assertThat(point.path("cost_per_min").path("gpt-4o-mini").asDouble())
                    .isCloseTo(cost, within(1e-12));
            assertThat(point.path("tokens_per_s_by_model").path("gpt-4o-mini").asDouble())
                    .isPositive();
            assertThat(point.path("budget_left_pct").path("r-budget").asDouble())
                    .isCloseTo(75.0, within(1e-9));
            assertThat(point.path("budget_left_pct").has("r-free")).isFalse();
            JsonNode row = out.path("requests").get(0);
            assertThat(row.path("request_id").asText()).isEqualTo("r-budget");
            assertThat(row.path("budget_used_pct").asDouble()).isCloseTo(25.0, within(1e-9));
            assertThat(row.path("cost_usd").asDouble()).isEqualTo(0.005);
        }
    }

    private static RequestStatus ledger(String id, Budget budget, double cost) {
        return RequestStatus.newBuilder()
                .setRequestId(id)
                .setDataset("d")
                .setRequested(10)
                .setBudget(budget)
                .setGenerationSpend(Spend.newBuilder()
                        .setCalls(1)
                        .setPromptTokens(100)
                        .setCostUsd(cost)
                        .build())
                .setUpdatedAt(Instant.EPOCH)
                .build();
    }
}
