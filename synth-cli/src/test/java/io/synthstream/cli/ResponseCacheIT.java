package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.CurationSettings;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.Spend;
import io.synthstream.local.FakeOpenAiServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The opt-in response cache ({@code llm.cache.enabled}, docs/spend.md): a request run again with
 * other curation settings pays for nothing, its ledger says how many replies came from the cache
 * and what they had cost, and {@code synth report} prints it.
 */
class ResponseCacheIT {
    @TempDir
    Path dir;

    @Test
    void aRequestRunAgainWithOtherCurationSettingsTakesEveryReplyFromTheCache() throws Exception {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(
                        FakeOpenAiServer.Settings.instant().withLatency(Duration.ofMillis(5), 0.3), 0);
                LocalPlatform platform = LocalPlatform.start(
                        dir,
                        LocalPlatform.Ports.FREE,
                        3,
                        Map.of(
                                "SYNTH_LLM_BASE_URL",
                                server.baseUrl(),
                                "SYNTH_LLM_MODEL",
                                "gpt-4o-mini",
                                "SYNTH_LLM_CACHE_ENABLED",
                                "true"))) {
            ClusterOptions cluster = platform.cluster();
            GenerationRequest first = request("cache-1", "cached-first");
            SubmitCommand.publish(cluster, first);
            RequestStatus firstDone = PipelineReads.completed(cluster, "cache-1", Duration.ofMinutes(3));
            long paid = server.completionsAnswered();
            Spend firstGeneration = firstDone.getGenerationSpend();
            assertThat(firstGeneration.getCalls()).isPositive();
            assertThat(firstGeneration.getCachedCalls()).isZero();

            GenerationRequest again = request("cache-2", "cached-again");
            again.setCuration(CurationSettings.newBuilder().setMinWords(26).build());
            SubmitCommand.publish(cluster, again);
            RequestStatus againDone = PipelineReads.completed(cluster, "cache-2", Duration.ofMinutes(3));

            assertThat(server.completionsAnswered()).as("nothing paid again").isEqualTo(paid);
            Spend generation = againDone.getGenerationSpend();
            assertThat(generation.getCalls()).isZero();
            assertThat(generation.getCostUsd()).isZero();
            assertThat(generation.getCachedCalls()).isEqualTo(firstGeneration.getCalls());
            assertThat(generation.getSavedCostUsd()).isCloseTo(firstGeneration.getCostUsd(), Offset.offset(1e-12));
            assertThat(againDone.getRejected())
                    .as("the other curation settings decided otherwise")
                    .isGreaterThan(firstDone.getRejected());
            Spend judge = againDone.getJudgeSpend();
            assertThat(judge.getCalls()).isZero();
            assertThat(judge.getCachedCalls())
                    .as("the verdicts on the same texts")
                    .isPositive();

            PipelineReads.first( // the dataset's report follows its ledger at the report interval
                    cluster,
                    io.synthstream.common.topics.Topics.REPORTS,
                    "cached-again",
                    r -> generation.equals(r.getGenerationSpend()) && judge.equals(r.getJudgeSpend()));
            String printed = ReviewChecks.run(new ReportCommand(), "", cluster, "cached-again");
            printed.lines().filter(line -> line.contains("spend,")).forEach(System.out::println);
            assertThat(printed).contains(firstGeneration.getCalls() + " replies from the cache");
        }
        assertThat(Thread.getAllStackTraces().keySet())
                .as("the platform closed its apps' LLM runtimes, and with them the producers that keep replies")
                .noneMatch(thread -> thread.isAlive() && thread.getName().contains("-llm-responses"));
    }

    private static GenerationRequest request(String id, String dataset) throws Exception {
        GenerationRequest request = SpecFiles.load(Path.of("../examples/sentiment.json"));
        request.setRequestId(id);
        request.setDataset(dataset);
        request.setCount(30);
        request.getQuality().setTarget("planned");
        return request;
    }
}
