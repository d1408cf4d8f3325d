package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Budget;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.Spend;
import io.synthstream.common.app.StreamsApp;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.Spends;
import io.synthstream.common.topics.Topics;
import io.synthstream.generator.app.GeneratorApp;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.logic.Budgets;
import io.synthstream.generator.topology.GeneratorTopology;
import io.synthstream.local.FakeOpenAiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A request whose budget covers a fraction of its count, against an OpenAI-compatible server: the
 * planner stops when what was spent plus what the samples in flight are estimated to cost reaches
 * the budget; the request completes with {@code budget_exhausted}, its ledger balances (the
 * samples never planned are the count's remainder), and the overrun past the budget stays within
 * what the samples in flight when planning stopped could cost.
 */
class BudgetIT {
    private static final double BUDGET_USD = 0.01;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} generator instance(s)")
    @ValueSource(ints = {1, 3})
    void planningStopsAtTheBudgetAndTheRequestCompletesWithBudgetExhausted(int generators) throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(
                        FakeOpenAiServer.Settings.instant().withLatency(Duration.ofMillis(20), 0.5), 0);
                LocalPlatform platform = LocalPlatform.start(
                        dir,
                        LocalPlatform.Ports.FREE,
                        3,
                        Map.of("SYNTH_LLM_BASE_URL", server.baseUrl(), "SYNTH_LLM_MODEL", "gpt-4o-mini"));
                Generators more = new Generators(platform, server, dir, generators - 1)) {
            ClusterOptions cluster = platform.cluster();
            GenerationRequest request = SpecFiles.load(Path.of("../examples/sentiment.json"));
            request.setRequestId("budget-1");
            request.setDataset("budgeted");
            request.setCount(2000);
            request.setBudget(Budget.newBuilder().setMaxCostUsd(BUDGET_USD).build());
            SubmitCommand.publish(cluster, request);

            RequestStatus done = PipelineReads.completed(cluster, "budget-1", Duration.ofMinutes(3));
            assertThat(done.getNotPlannedReason()).isEqualTo("budget_exhausted");
            assertThat(done.getPlanningStopped()).isTrue();
            assertThat(done.getPlanned()).isBetween(10L, 1000L);
            Spend spent = Spends.plus(done.getGenerationSpend(), done.getJudgeSpend());
            double perSample = spent.getCostUsd() / done.getPlanned();
            double overrun = spent.getCostUsd() - BUDGET_USD;
            System.out.printf(
                    "%d generator instance(s), budget %.4f USD: planned %d of %d, spent %.5f USD (%.1f %% of the budget, overrun %.2f samples'"
                            + " worth)%n",
                    generators,
                    BUDGET_USD,
                    done.getPlanned(),
                    request.getCount(),
                    spent.getCostUsd(),
                    100 * spent.getCostUsd() / BUDGET_USD,
                    overrun / perSample);
            assertThat(spent.getCostUsd())
                    .as("the budget was mostly used: planning did not stop at the probe")
                    .isGreaterThan(0.5 * BUDGET_USD);
            assertThat(overrun)
                    .as("the overrun is bounded by a few samples' worth of estimate error")
                    .isLessThan(0.1 * BUDGET_USD);

            String printed = ReviewChecks.run(new ReportCommand(), "", cluster, "budgeted");
            assertThat(printed)
                    .contains("budget of budget-1")
                    .contains("planning stopped: budget_exhausted, " + done.getNotPlanned() + " samples never planned");
            // the ledger's definition: what the request wanted and will never get (its target counts
            // accepted samples in this example, planned ones otherwise)
            assertThat(done.getNotPlanned())
                    .isEqualTo(request.getCount()
                            - ("accepted".equals(done.getTarget()) ? done.getAccepted() : done.getPlanned()));
            assertThat(PipelineReads.first(cluster, Topics.REQUEST_STATUS, "budget-1", RequestStatus::getComplete)
                            .getRequested())
                    .isEqualTo(2000);
        }
    }

    @org.junit.jupiter.api.Test
    void twoRequestsOfADatasetTogetherStayWithinTheDatasetsBudget() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(
                        FakeOpenAiServer.Settings.instant().withLatency(Duration.ofMillis(20), 0.5), 0);
                LocalPlatform platform = LocalPlatform.start(
                        dir,
                        LocalPlatform.Ports.FREE,
                        3,
                        Map.of("SYNTH_LLM_BASE_URL", server.baseUrl(), "SYNTH_LLM_MODEL", "gpt-4o-mini"))) {
            ClusterOptions cluster = platform.cluster();
            for (String id : List.of("shared-1", "shared-2")) {
                GenerationRequest request = SpecFiles.load(Path.of("../examples/sentiment.json"));
                request.setRequestId(id);
                request.setDataset("shared");
                request.setCount(2000);
                request.setDatasetBudget(
                        Budget.newBuilder().setMaxCostUsd(BUDGET_USD).build());
                SubmitCommand.publish(cluster, request);
            }

            RequestStatus first = PipelineReads.completed(cluster, "shared-1", Duration.ofMinutes(3));
            RequestStatus second = PipelineReads.completed(cluster, "shared-2", Duration.ofMinutes(3));
            double spent = Spends.plus(
                            Spends.plus(first.getGenerationSpend(), first.getJudgeSpend()),
                            Spends.plus(second.getGenerationSpend(), second.getJudgeSpend()))
                    .getCostUsd();
            System.out.printf(
                    "dataset budget %.4f USD, two requests: planned %d + %d, spent %.5f USD (%.1f %% of the budget)%n",
                    BUDGET_USD, first.getPlanned(), second.getPlanned(), spent, 100 * spent / BUDGET_USD);
            assertThat(first.getNotPlannedReason()).isEqualTo("budget_exhausted");
            assertThat(second.getNotPlannedReason()).isEqualTo("budget_exhausted");
            assertThat(first.getPlanned()).as("both requests planned").isGreaterThan(Budgets.PROBE);
            assertThat(second.getPlanned()).isGreaterThan(Budgets.PROBE);
            assertThat(spent).as("the dataset's budget holds for both together").isLessThan(1.1 * BUDGET_USD);
            assertThat(spent).as("and was mostly used").isGreaterThan(0.5 * BUDGET_USD);
            PipelineReads.first(cluster, Topics.REQUEST_STATUS, "shared-2", RequestStatus::getComplete);
            String printed = ReviewChecks.run(new ReportCommand(), "", cluster, "shared");
            printed.lines().filter(line -> line.contains("budget of")).forEach(System.out::println);
            assertThat(printed)
                    .contains("dataset budget of shared-1")
                    .contains("dataset budget of shared-2")
                    .contains(String.format(java.util.Locale.ROOT, "$%.4f of $%.4f", spent, BUDGET_USD))
                    .contains("(every request of the dataset); planning stopped: budget_exhausted");
        }
    }

    /** More generator instances of the platform's generator app, each with a state directory of its own. */
    private static final class Generators implements AutoCloseable {
        private final List<StreamsApp> apps = new ArrayList<>();

        Generators(LocalPlatform platform, FakeOpenAiServer server, Path dir, int count) {
            for (int i = 0; i < count; i++) {
                Map<String, Object> settings = new HashMap<>(GeneratorApp.DEFAULTS);
                settings.put(SynthConfig.BOOTSTRAP_SERVERS.key(), platform.bootstrapServers());
                settings.put(SynthConfig.SCHEMA_REGISTRY_URL.key(), platform.registryUrl());
                settings.put(
                        SynthConfig.STATE_DIR.key(),
                        dir.resolve("generator-" + i).toString());
                settings.put(SynthConfig.HTTP_PORT.key(), -1);
                settings.put(SynthConfig.TOPIC_PARTITIONS.key(), 3);
                settings.put(GeneratorConfig.PLAN_AHEAD.key(), LocalPlatform.LOCAL_PLAN_AHEAD);
                settings.put("llm.base.url", server.baseUrl());
                settings.put("llm.model", "gpt-4o-mini");
                SynthConfig config = new SynthConfig(GeneratorConfig.definition(), settings);
                apps.add(StreamsApp.start(
                        config, owner -> GeneratorTopology.build(config, owner), GeneratorTopology.TOPICS));
            }
        }

        @Override
        public void close() {
            apps.forEach(StreamsApp::close);
        }
    }
}
