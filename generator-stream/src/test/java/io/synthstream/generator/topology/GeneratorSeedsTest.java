package io.synthstream.generator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.PlanStatus;
import io.synthstream.avro.Sample;
import io.synthstream.avro.SeedRecord;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.SimulatedProvider;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.logic.PromptBuilder;
import io.synthstream.generator.logic.StepPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Seeded requests on the generator's topology: inline, file-style (seeds before the request), topic-style with a stop. */
class GeneratorSeedsTest {
    private static final String PASSAGE = "The lighthouse keeper logged every ship that passed the cape. "
            + "In winter the lamp burned whale oil, and in summer it burned kerosene. "
            + "Storms in 1887 broke the lantern glass twice, and the keeper rebuilt it by hand. "
            + "Visitors climbed one hundred and twelve steps to reach the gallery. ";

    private static GeneratorFixture fixture() {
        return new GeneratorFixture(
                new SimulatedProvider(SimulatedProvider.Settings.INSTANT),
                Map.of(GeneratorConfig.PLAN_BATCH.key(), 7, GeneratorConfig.SEED_ORPHAN_MS.key(), 60_000));
    }

    static String qaRequest(String id, String seeds, int count) {
        return """
                {"request_id": "%s", "dataset": "docs-qa",
                 "task": {"kind": "custom",
                          "instruction_template": "Passage:\\n{{ seed.text }}\\n\\nWrite a question about {{ seed.title }} and its answer.",
                          "output_fields": [{"name": "question", "type": "string"}, {"name": "answer", "type": "string"},
                                            {"name": "title", "type": "string"}]},
                 "count": %d, "seed": 3, "model": {},
                 "seeds": %s}
                """.formatted(id, count, seeds);
    }

    private static SeedRecord seed(String requestId, String id, Map<String, String> fields) {
        return SeedRecord.newBuilder()
                .setRequestId(requestId)
                .setSeedId(id)
                .setSource("file:docs.jsonl")
                .setFields(fields)
                .setCreatedAt(Instant.EPOCH)
                .build();
    }

    private static SeedRecord stop(String requestId) {
        return SeedRecord.newBuilder()
                .setRequestId(requestId)
                .setSeedId("stop")
                .setSource("synth stop")
                .setStop(true)
                .setCreatedAt(Instant.EPOCH)
                .build();
    }

    private static PlanStatus last(List<PlanStatus> plans) {
        return plans.get(plans.size() - 1);
    }

    @Test
    void inlineSeedsAreChunkedAndEachChunkYieldsSamplesPerSeedSamplesWithProvenance() {
        String seeds = """
                {"source": "inline", "samples_per_seed": 2, "keep": {"title": "title"},
                 "chunking": {"field": "text", "unit": "chars", "size": 120, "overlap": 20},
                 "records": [{"title": "Cape light", "text": "%s"}, {"title": "Short", "text": "One sentence only."}]}
                """.formatted(PASSAGE.repeat(2));
        try (GeneratorFixture f = fixture()) {
            f.jsonRequests.pipeInput("r-inline", qaRequest("r-inline", seeds, 1000));
            List<PlanStatus> plans = new ArrayList<>();
            f.pumpUntil(() -> {
                plans.addAll(f.plan.readValuesToList());
                return !plans.isEmpty() && last(plans).getStopped();
            });
            List<ConditionTuple> tuples = f.conditions.readValuesToList();
            int longChunks = (int) tuples.stream()
                    .filter(t -> t.getSeed().getSeedId().equals("1"))
                    .map(t -> t.getSeed().getChunk())
                    .distinct()
                    .count();
            assertThat(longChunks).isGreaterThan(4);
            assertThat(tuples).hasSize(2 * (longChunks + 1));
            assertThat(tuples).allSatisfy(t -> {
                assertThat(t.getSeed().getFields().get("text").length()).isLessThanOrEqualTo(120);
                assertThat(t.getSeed().getChunks())
                        .isEqualTo(t.getSeed().getSeedId().equals("1") ? longChunks : 1);
            });
            assertThat(tuples.stream().map(ConditionTuple::getConditionIndex).toList())
                    .isEqualTo(java.util.stream.LongStream.range(0, tuples.size())
                            .boxed()
                            .toList());
            PlanStatus done = last(plans);
            assertThat(done.getPlanned()).isEqualTo(tuples.size());
            assertThat(done.getNotPlannedReason()).isNull();
            assertThat(done.getSeedsReceived()).isEqualTo(2);
            assertThat(done.getSeedsPlanned()).isEqualTo(2);

            tuples.forEach(t -> f.conditionsIn.pipeInput(t.getConditionId(), t));
            f.pumpOutcomes(tuples.size());
            assertThat(f.deadLetterLog).isEmpty();
            for (Sample s : f.sampleLog) {
                assertThat(s.getSeed()).isNotNull();
                String title = s.getSeed().getSeedId().equals("1") ? "Cape light" : "Short";
                assertThat(s.getFields()).containsEntry("title", title); // kept from the seed, not the model
                assertThat(s.getFields().get("answer")).startsWith("The passage states that");
                String restated = s.getFields().get("answer").substring("The passage states that ".length());
                assertThat(s.getSeed().getFields().get("text").toLowerCase(java.util.Locale.ROOT))
                        .contains(restated.toLowerCase(java.util.Locale.ROOT));
            }
            GenerationRequest spec = f.specs.readValuesToList().get(0);
            ConditionTuple first = tuples.get(0);
            LlmRequest call = PromptBuilder.build(
                    spec, first, StepPlan.of(spec), 0, Map.of(), LlmRequest.ResponseFormat.TEXT, "s");
            assertThat(call.messages().get(1).content())
                    .contains("Passage:\n" + first.getSeed().getFields().get("text"))
                    .contains("Write a question about Cape light");
        }
    }

    @Test
    void seedsThatArriveBeforeTheirRequestWaitAndASeedWithoutAUsedFieldIsDeadLettered() {
        String seeds = """
                {"source": "file", "file": "docs.jsonl", "expected": 4, "samples_per_seed": 3}
                """;
        try (GeneratorFixture f = fixture()) {
            f.seeds.pipeInput("r-file", seed("r-file", "1", Map.of("title", "a", "text", PASSAGE)));
            f.seeds.pipeInput("r-file", seed("r-file", "2", Map.of("title", "b")));
            f.jsonRequests.pipeInput("r-file", qaRequest("r-file", seeds, 1000));
            f.seeds.pipeInput("r-file", seed("r-file", "3", Map.of("title", "c", "text", "Short text.")));
            f.seeds.pipeInput("r-file", seed("r-file", "4", Map.of("title", "d", "text", "Other text.")));
            List<PlanStatus> plans = new ArrayList<>();
            f.pumpUntil(() -> {
                plans.addAll(f.plan.readValuesToList());
                return !plans.isEmpty() && last(plans).getStopped();
            });
            List<ConditionTuple> tuples = f.conditions.readValuesToList();
            assertThat(tuples).hasSize(9);
            Set<String> planned =
                    tuples.stream().map(t -> t.getSeed().getSeedId()).collect(Collectors.toCollection(TreeSet::new));
            assertThat(planned).containsExactly("1", "3", "4");
            assertThat(f.deadLetterLog).singleElement().satisfies(letter -> {
                assertThat(letter.getReason()).isEqualTo("invalid_seed");
                assertThat(letter.getMessage()).contains("seed 2", "lacks text");
                assertThat(letter.getSamples()).isZero();
                assertThat(letter.getRequestId()).isEqualTo("r-file");
            });
            PlanStatus done = last(plans);
            assertThat(done.getSeedsReceived()).isEqualTo(4);
            assertThat(done.getSeedsPlanned()).isEqualTo(3);
            assertThat(done.getSeedsFailed()).isEqualTo(1);
            assertThat(done.getPlanned()).isEqualTo(9);
        }
    }

    @Test
    void aContinuousRequestPlansSeedsAsTheyComeAndStopsAfterTheSeedsBeforeItsStopRecord() {
        String seeds = """
                {"source": "topic", "topic": "support-tickets", "samples_per_seed": 1}
                """;
        try (GeneratorFixture f = fixture()) {
            f.jsonRequests.pipeInput("r-live", qaRequest("r-live", seeds, 1000));
            List<PlanStatus> plans = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                f.seeds.pipeInput(
                        "r-live", seed("r-live", "t" + i, Map.of("title", "t" + i, "text", "Ticket " + i + ".")));
            }
            f.pumpUntil(() -> {
                plans.addAll(f.plan.readValuesToList());
                return !plans.isEmpty() && last(plans).getPlanned() == 20;
            });
            assertThat(last(plans).getStopped()).isFalse();
            f.seeds.pipeInput("r-live", seed("r-live", "t21", Map.of("title", "t21", "text", "Ticket 21.")));
            f.seeds.pipeInput("r-live", stop("r-live"));
            f.seeds.pipeInput("r-live", seed("r-live", "t22", Map.of("title", "t22", "text", "Ticket 22.")));
            f.pumpUntil(() -> {
                plans.addAll(f.plan.readValuesToList());
                return last(plans).getStopped();
            });
            assertThat(f.conditions.readValuesToList()).hasSize(21);
            PlanStatus done = last(plans);
            assertThat(done.getPlanned()).isEqualTo(21);
            assertThat(done.getNotPlannedReason()).isNull();
            assertThat(done.getSeedsReceived()).isEqualTo(21);
            assertThat(done.getSeedsFailed()).isEqualTo(1);
            List<DeadLetter> letters = List.copyOf(f.deadLetterLog);
            assertThat(letters).singleElement().satisfies(letter -> {
                assertThat(letter.getReason()).isEqualTo("orphan_seed");
                assertThat(letter.getMessage()).contains("after a stop record");
            });
            // a seed after planning stopped is dead-lettered too, and counted
            f.seeds.pipeInput("r-live", seed("r-live", "t23", Map.of("title", "t23", "text", "Ticket 23.")));
            f.pumpUntil(() -> {
                plans.addAll(f.plan.readValuesToList());
                return last(plans).getSeedsFailed() == 2;
            });
            assertThat(f.deadLetterLog.subList(1, f.deadLetterLog.size()))
                    .extracting(DeadLetter::getMessage)
                    .singleElement()
                    .asString()
                    .contains("has stopped planning");
        }
    }

    @Test
    void aContinuousRequestStopsAtItsCountAndReportsTheSeedsLeft() {
        String seeds = """
                {"source": "topic", "topic": "support-tickets", "samples_per_seed": 2}
                """;
        try (GeneratorFixture f = fixture()) {
            for (int i = 1; i <= 10; i++) {
                f.seeds.pipeInput(
                        "r-cap", seed("r-cap", "t" + i, Map.of("title", "t" + i, "text", "Ticket " + i + ".")));
            }
            f.jsonRequests.pipeInput("r-cap", qaRequest("r-cap", seeds, 7));
            List<PlanStatus> plans = new ArrayList<>();
            f.pumpUntil(() -> {
                plans.addAll(f.plan.readValuesToList());
                return !plans.isEmpty() && last(plans).getStopped();
            });
            PlanStatus done = last(plans);
            assertThat(done.getPlanned()).isEqualTo(7);
            assertThat(done.getNotPlannedReason()).isEqualTo("cap_reached");
            assertThat(done.getSeedsPlanned()).isEqualTo(3);
            assertThat(done.getSeedsUnused()).isEqualTo(7); // the half-planned seed 4 and seeds 5..10
            assertThat(done.getSeedsReceived()).isEqualTo(10);
        }
    }

    @Test
    void seedsWithoutARequestBecomeOrphansAndARefusedRequestOrphansItsSeedsAtOnce() {
        try (GeneratorFixture f = fixture()) {
            f.seeds.pipeInput("nobody", seed("nobody", "1", Map.of("text", "x")));
            f.seeds.pipeInput("bad", seed("bad", "1", Map.of("text", "x")));
            f.jsonRequests.pipeInput("bad", qaRequest("bad", "{\"source\": \"inline\"}", 10));
            f.driver.advanceWallClockTime(Duration.ofMillis(100));
            List<DeadLetter> letters = f.deadLetters.readValuesToList();
            assertThat(letters).extracting(DeadLetter::getReason).containsExactly("invalid_request", "orphan_seed");
            assertThat(letters.get(0).getMessage()).contains("seeds.records is empty");
            f.driver.advanceWallClockTime(Duration.ofMinutes(2));
            assertThat(f.deadLetters.readValuesToList()).singleElement().satisfies(letter -> {
                assertThat(letter.getReason()).isEqualTo("orphan_seed");
                assertThat(letter.getRequestId()).isEqualTo("nobody");
                assertThat(letter.getMessage()).contains("generator.seeds.orphan.ms");
            });
        }
    }

    @Test
    void aStopRecordStopsAnUnseededRequest() {
        try (GeneratorFixture f = fixture()) {
            f.jsonRequests.pipeInput("r-big", Requests.sentimentJson("r-big", 100_000));
            f.driver.advanceWallClockTime(Duration.ofMillis(100));
            f.seeds.pipeInput("r-big", stop("r-big"));
            List<PlanStatus> plans = new ArrayList<>();
            f.pumpUntil(() -> {
                plans.addAll(f.plan.readValuesToList());
                return !plans.isEmpty() && last(plans).getStopped();
            });
            assertThat(last(plans).getNotPlannedReason()).isEqualTo("stopped");
            assertThat(last(plans).getPlanned()).isLessThan(100);
        }
    }

    @Test
    void aReplayedSeedPlanIsTheSame() {
        String seeds = """
                {"source": "inline", "samples_per_seed": 2,
                 "chunking": {"field": "text", "unit": "tokens", "size": 24, "overlap": 4},
                 "records": [{"title": "Cape light", "text": "%s"}]}
                """.formatted(PASSAGE);
        List<Set<String>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (GeneratorFixture f = fixture()) {
                f.jsonRequests.pipeInput("r-same", qaRequest("r-same", seeds, 1000));
                List<PlanStatus> plans = new ArrayList<>();
                f.pumpUntil(() -> {
                    plans.addAll(f.plan.readValuesToList());
                    return !plans.isEmpty() && last(plans).getStopped();
                });
                runs.add(f.conditions.readValuesToList().stream()
                        .map(t -> t.getConditionId() + "|" + t.getSeed().getChunk() + "|"
                                + t.getSeed().getFields().get("text") + "|" + t.getAttributes())
                        .collect(Collectors.toCollection(TreeSet::new)));
            }
        }
        assertThat(runs.get(0)).hasSizeGreaterThan(4).isEqualTo(runs.get(1));
    }

    @Test
    void idFieldNamesTheSeedAndCrossAttributesDecidesWhetherAttributesAreSampled() {
        String base = """
                {"request_id": "%s", "dataset": "d",
                 "task": {"kind": "custom", "instruction_template": "Rewrite {{ seed.text }} for {{ audience }}",
                          "output_fields": [{"name": "text", "type": "string"}]},
                 "count": 100, "model": {},
                 "attributes": [{"name": "audience", "values": [{"value": "children"}, {"value": "experts"}]}],
                 "seeds": {"source": "inline", "id_field": "key", "cross_attributes": %s, "samples_per_seed": 4,
                           "records": [{"key": "K-1", "text": "One."}, {"text": "Two."}]}}
                """;
        try (GeneratorFixture f = fixture()) {
            f.jsonRequests.pipeInput("crossed", base.formatted("crossed", "true"));
            f.pumpUntil(() -> f.conditions.getQueueSize() >= 8);
            List<ConditionTuple> crossed = f.conditions.readValuesToList();
            assertThat(crossed).extracting(t -> t.getSeed().getSeedId()).containsOnly("K-1", "2");
            assertThat(crossed)
                    .extracting(t -> t.getAttributes().get("audience"))
                    .contains("children", "experts");
        }
        try (GeneratorFixture f = fixture()) {
            f.jsonRequests.pipeInput("refused", base.formatted("refused", "false"));
            f.pumpUntil(() -> !f.deadLetterLog.isEmpty());
            assertThat(f.deadLetterLog.get(0).getMessage()).contains("audience"); // not sampled without crossing
        }
        try (GeneratorFixture f = fixture()) {
            f.jsonRequests.pipeInput("alone", base.formatted("alone", "false").replace(" for {{ audience }}", ""));
            f.pumpUntil(() -> f.conditions.getQueueSize() >= 8);
            assertThat(f.conditions.readValuesToList())
                    .allSatisfy(t -> assertThat(t.getAttributes()).isEmpty());
        }
    }
}
