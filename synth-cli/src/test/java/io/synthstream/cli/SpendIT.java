package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.Spend;
import io.synthstream.common.llm.Spends;
import io.synthstream.common.topics.Topics;
import io.synthstream.local.FakeOpenAiServer;
import io.synthstream.local.FakeOpenAiServer.Fault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a request's calls cost, against an OpenAI-compatible server that reports no {@code usage}
 * and sometimes answers with broken JSON (a repair turn) or a reply cut at {@code max_tokens} (a
 * dead-lettered sample): every reply the server sent is in the ledger, generation apart from the
 * judge, with estimated tokens marked as such and priced at the model's price; {@code synth report}
 * says so.
 */
class SpendIT {
    @TempDir
    Path dir;

    @Test
    void everyReplyTheServerSentIsCountedAndPricedEvenWithoutUsage() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(
                        FakeOpenAiServer.Settings.instant()
                                .withLatency(Duration.ofMillis(5), 0.3)
                                .withRates(Map.of(Fault.MALFORMED_CONTENT, 0.1, Fault.LENGTH, 0.05))
                                .withoutUsage(),
                        0);
                LocalPlatform platform = LocalPlatform.start(
                        dir,
                        LocalPlatform.Ports.FREE,
                        3,
                        Map.of("SYNTH_LLM_BASE_URL", server.baseUrl(), "SYNTH_LLM_MODEL", "gpt-4o-mini"))) {
            // The first calls are generation calls: one cut at max_tokens and one broken reply are
            // certain, whatever the rates draw afterwards.
            server.script(Fault.LENGTH, Fault.MALFORMED_CONTENT);
            ClusterOptions cluster = platform.cluster();
            GenerationRequest request = SpecFiles.load(Path.of("../examples/sentiment.json"));
            request.setRequestId("spend-1");
            request.setDataset("spent");
            request.setCount(40);
            SubmitCommand.publish(cluster, request);

            RequestStatus done = PipelineReads.completed(cluster, "spend-1", Duration.ofMinutes(3));
            Spend generation = done.getGenerationSpend();
            Spend judge = done.getJudgeSpend();
            assertThat(generation.getPromptTokens()).isPositive();
            assertThat(generation.getCompletionTokens()).isPositive();
            assertThat(judge.getCalls()).isPositive();
            assertThat(generation.getCalls() + judge.getCalls())
                    .as("every reply the server sent was paid and counted, repairs and truncated replies too")
                    .isEqualTo(server.completionsAnswered());
            assertThat(generation.getCalls())
                    .as("broken replies were repaired")
                    .isGreaterThan(done.getGenerated() + done.getFailed());
            assertThat(done.getFailed())
                    .as("replies cut at max_tokens are dead-lettered")
                    .isPositive();
            Spend total = Spends.plus(generation, judge);
            assertThat(total.getEstimatedTokens()).isEqualTo(Spends.tokens(total));
            assertThat(total.getUnpricedTokens()).isZero();
            assertThat(total.getCostUsd())
                    .isCloseTo(
                            (total.getPromptTokens() * 0.15 + total.getCompletionTokens() * 0.60) / 1e6,
                            org.assertj.core.data.Offset.offset(1e-9));
            assertThat(done.getPromptTokens() + done.getCompletionTokens()).isEqualTo(Spends.tokens(total));

            DatasetReport report = PipelineReads.first(
                    cluster,
                    Topics.REPORTS,
                    "spent",
                    r -> judge.equals(r.getJudgeSpend()) && generation.equals(r.getGenerationSpend()));
            assertThat(report.getEstimatedCostUsd())
                    .isCloseTo(total.getCostUsd(), org.assertj.core.data.Offset.offset(1e-12));
            String printed = ReviewChecks.run(new ReportCommand(), "", cluster, "spent");
            assertThat(printed)
                    .contains("spend, generation")
                    .contains("spend, judge")
                    .contains("tokens estimated: the server reported no usage");
        }
    }
}
