package io.synthstream.generator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.ProviderSet;
import io.synthstream.common.llm.SimulatedProvider;
import io.synthstream.common.testing.TopologyTestSupport;
import io.synthstream.common.topics.Topics;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.logic.Ids;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GeneratorTopologyTest {

    private static GeneratorFixture fixture() {
        return new GeneratorFixture(new SimulatedProvider(SimulatedProvider.Settings.INSTANT), Map.of());
    }

    @Test
    void everyNodeIsNamed() {
        try (GeneratorFixture f = fixture()) {
            TopologyTestSupport.assertNoGeneratedNames(f.topology);
        }
    }

    @Test
    void aJsonRequestBecomesSpecConditionsAndLabelledSamples() {
        try (GeneratorFixture f = fixture()) {
            f.jsonRequests.pipeInput("r1", Requests.sentimentJson("r1", 40));
            assertThat(f.specs.readKeyValuesToList())
                    .singleElement()
                    .satisfies(kv -> assertThat(kv.key).isEqualTo("r1"));
            f.pumpOutcomes(40);
            assertThat(f.deadLetterLog).isEmpty();
            assertThat(f.sampleLog).hasSize(40);
            Set<String> ids = f.sampleLog.stream().map(Sample::getSampleId).collect(Collectors.toSet());
            assertThat(ids).hasSize(40).contains(Ids.sampleId("r1", 0, 0), Ids.sampleId("r1", 39, 0));
            for (Sample s : f.sampleLog) {
                assertThat(s.getFields()).containsKeys("text", "label");
                assertThat(s.getFields().get("label"))
                        .isEqualTo(s.getAttributes().get("label"));
                assertThat(s.getAttributes()).containsKeys("product", "length", "label");
                assertThat(s.getTrace().getSimulated()).isTrue();
                assertThat(s.getTrace().getProvider()).isEqualTo("simulated");
                assertThat(s.getTrace().getModel()).isEqualTo(SimulatedProvider.MODEL);
                assertThat(s.getTrace().getSteps()).hasSize(1);
                assertThat(s.getTaskKind()).isEqualTo("classification");
                assertThat(s.getRequestId()).isEqualTo("r1");
            }
            assertThat(f.sampleLog.stream()
                            .map(s -> s.getFields().get("text"))
                            .distinct()
                            .count())
                    .as("the simulator varies its texts")
                    .isGreaterThan(30);
        }
    }

    @Test
    void planningIsPacedInBatches() {
        try (GeneratorFixture f = new GeneratorFixture(
                new SimulatedProvider(SimulatedProvider.Settings.INSTANT),
                Map.of(GeneratorConfig.PLAN_BATCH.key(), 10))) {
            f.requests.pipeInput("r1", Requests.parse(Requests.sentimentJson("r1", 25)));
            f.driver.advanceWallClockTime(java.time.Duration.ofMillis(100));
            List<ConditionTuple> first = f.conditions.readValuesToList();
            assertThat(first).hasSize(10);
            assertThat(first.get(0).getConditionIndex()).isZero();
            f.pumpOutcomes(25);
            assertThat(f.sampleLog).hasSize(25);
        }
    }

    @Test
    void invalidRequestsGoToTheDeadLetterQueueWithEveryProblem() {
        try (GeneratorFixture f = fixture()) {
            f.jsonRequests.pipeInput("bad1", "{not json");
            f.jsonRequests.pipeInput("bad2", """
                    {"request_id": "bad2", "dataset": "d", "count": 0,
                     "task": {"kind": "classification", "labels": ["a"],
                              "instruction_template": "Write about {{ topik }}",
                              "output_fields": [{"name": "text", "type": "strng"}]},
                     "attributes": [{"name": "topic", "values": [{"value": "x"}]}]}
                    """);
            f.jsonRequests.pipeInput(
                    "bad3",
                    "{\"request_id\": \"bad3\", \"dataset\": \"d\", \"count\": 5,"
                            + " \"task\": {\"kind\": \"poetry\"}}");
            f.jsonRequests.pipeInput("bad4", Requests.sentimentJson("bad4", 2_000_000));
            f.jsonRequests.pipeInput("other-key", Requests.sentimentJson("bad5", 2));
            f.jsonRequests.pipeInput(
                    "bad6",
                    "{\"request_id\": \"bad6\", \"dataset\": \"d\", \"count\": 1, \"task\": {\"kind\": \"qa\"}, \"colour\": 1}");
            List<DeadLetter> letters = f.deadLetters.readValuesToList();
            assertThat(letters).hasSize(6).allSatisfy(l -> {
                assertThat(l.getReason()).isEqualTo("invalid_request");
                assertThat(l.getStage()).isEqualTo("ingest");
                assertThat(l.getOriginTopic()).isEqualTo("synth.requests.json");
            });
            assertThat(letters.get(0).getMessage()).startsWith("Invalid JSON request");
            assertThat(letters.get(1).getMessage())
                    .contains("count must be at least 1")
                    .contains("type 'strng'")
                    .contains("topik");
            assertThat(letters.get(2).getMessage()).contains("task.kind 'poetry' is unknown");
            assertThat(letters.get(3).getMessage()).contains("above the limit of 1000000");
            assertThat(letters.get(4).getMessage()).contains("differs from request_id");
            assertThat(letters.get(5).getMessage()).contains("colour: is not a field of GenerationRequest");
            assertThat(f.specs.isEmpty()).isTrue();
            // The app keeps running: a valid request afterwards is served.
            f.jsonRequests.pipeInput("ok", Requests.sentimentJson("ok", 3));
            f.pumpOutcomes(3);
            assertThat(f.sampleLog).hasSize(3);
        }
    }

    @Test
    void hostileRequestRecordsEachBecomeOneDeadLetterWithItsReasonAndTheAppKeepsServing() {
        try (GeneratorFixture f = fixture()) {
            // 10 MB of JSON (a broker would need max.message.bytes raised to carry it)
            f.jsonRequests.pipeInput(
                    "huge", Requests.sentimentJson("huge", 3).replace("product reviews", "x".repeat(10 << 20)));
            // nested 100,000 levels deep
            f.jsonRequests.pipeInput("deep", "[".repeat(100_000) + "]".repeat(100_000));
            // a key that is not the request's id
            f.jsonRequests.pipeInput("some-key", Requests.sentimentJson("other-id", 2));
            // bytes that are not UTF-8
            TopologyTestSupport.rawInput(f.driver, Topics.REQUESTS_JSON)
                    .pipeInput(
                            "utf".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
            // Avro in the wire format naming a schema id the registry never issued
            TopologyTestSupport.rawInput(f.driver, Topics.REQUESTS)
                    .pipeInput(
                            "ghost".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            new byte[] {0, 0, 0, 0x7F, (byte) 0xFF, 2, 'x'});

            List<DeadLetter> letters = f.deadLetters.readValuesToList();
            assertThat(letters).hasSize(5);
            assertThat(letters.get(0).getReason()).isEqualTo("invalid_request");
            assertThat(letters.get(0).getMessage())
                    .contains("above the limit of 1048576")
                    .contains("original value cut to its first 262144");
            assertThat(letters.get(0).getOriginalValue().remaining()).isEqualTo(262144);
            assertThat(letters.get(1).getReason()).isEqualTo("invalid_request");
            assertThat(letters.get(1).getMessage())
                    .startsWith("Invalid JSON request")
                    .contains("nesting depth");
            assertThat(letters.get(2).getMessage()).contains("differs from request_id");
            assertThat(letters.get(3).getReason()).isEqualTo("invalid_request");
            assertThat(letters.get(3).getMessage())
                    .isEqualTo("Invalid JSON request: the record is not UTF-8 text: malformed input at byte 6 of 10");
            assertThat(letters.get(4).getReason()).isEqualTo("deserialization_error");
            assertThat(letters.get(4).getMessage()).contains("Unknown schema id 32767");
            assertThat(letters)
                    .allSatisfy(l -> assertThat(l.getMessage().length()).isLessThan(4096));

            f.jsonRequests.pipeInput("ok", Requests.sentimentJson("ok", 2));
            f.pumpOutcomes(2);
            assertThat(f.sampleLog).as("the app still serves").hasSize(2);
        }
    }

    @Test
    void aRepeatedRequestIdIsRejectedOnce() {
        try (GeneratorFixture f = fixture()) {
            f.jsonRequests.pipeInput("r1", Requests.sentimentJson("r1", 2));
            f.jsonRequests.pipeInput("r1", Requests.sentimentJson("r1", 2));
            f.pumpOutcomes(3);
            assertThat(f.sampleLog).hasSize(2);
            assertThat(f.deadLetterLog)
                    .singleElement()
                    .satisfies(l -> assertThat(l.getReason()).isEqualTo("duplicate_request"));
        }
    }

    @Test
    void multiStepSamplesCarryEveryStepAndUseEarlierOutputs() {
        ScriptedProvider provider = new ScriptedProvider();
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("m1", """
                    {"request_id": "m1", "dataset": "math", "count": 3,
                     "task": {"kind": "qa", "description": "grade-school arithmetic"},
                     "steps": [
                       {"name": "write", "instruction_template": "Write a {{ level }} word problem about {{ task }}.",
                        "output_fields": [{"name": "question"}]},
                       {"name": "evolve", "kind": "evolve",
                        "instruction_template": "Make this problem deeper: {{ write.question }}",
                        "output_fields": [{"name": "question"}]},
                       {"name": "solve", "instruction_template": "Solve step by step: {{ evolve.question }}",
                        "output_fields": [{"name": "reasoning"}, {"name": "answer"}]}
                     ],
                     "attributes": [{"name": "level", "values": [{"value": "easy"}]}]}
                    """);
            f.pumpOutcomes(3);
            assertThat(f.deadLetterLog).isEmpty();
            Sample s = f.sampleLog.get(0);
            assertThat(s.getTrace().getSteps())
                    .extracting(t -> t.getName())
                    .containsExactly("write", "evolve", "solve");
            assertThat(s.getFields()).containsKeys("question", "reasoning", "answer");
            assertThat(s.getFields().get("question"))
                    .as("the later step's question wins")
                    .isEqualTo(s.getTrace().getSteps().get(1).getOutput().get("question"));
            String writeQuestion = s.getTrace().getSteps().get(0).getOutput().get("question");
            assertThat(provider.requests)
                    .anySatisfy(r -> assertThat(r.messages().get(1).content()).contains(writeQuestion));
            assertThat(provider.requests)
                    .anySatisfy(r -> assertThat(r.messages().get(0).content()).contains("Evol-Instruct"));
        }
    }

    @Test
    void modelProviderSendsEachStepToTheProviderItNamesAndTheTraceSaysWhich() {
        ScriptedProvider fallback = new ScriptedProvider();
        ScriptedProvider local = new ScriptedProvider();
        try (GeneratorFixture f = new GeneratorFixture(new ProviderSet(fallback, Map.of("local", local)), Map.of())) {
            f.jsonRequests.pipeInput("p1", """
                    {"request_id": "p1", "dataset": "math", "count": 2,
                     "task": {"kind": "qa"}, "model": {"provider": "local"},
                     "steps": [
                       {"name": "write", "instruction_template": "Write a word problem.",
                        "output_fields": [{"name": "question"}]},
                       {"name": "solve", "instruction_template": "Solve: {{ write.question }}",
                        "output_fields": [{"name": "answer"}], "model": {"provider": "default"}}
                     ]}
                    """);
            f.pumpOutcomes(2);
            assertThat(f.deadLetterLog).isEmpty();
            assertThat(local.requests)
                    .hasSize(2)
                    .allSatisfy(r -> assertThat(r.messages().get(1).content()).contains("Write a word problem"));
            assertThat(fallback.requests)
                    .as("the step's own provider wins over the request's")
                    .hasSize(2)
                    .allSatisfy(r -> assertThat(r.messages().get(1).content()).contains("Solve:"));
            assertThat(f.sampleLog)
                    .allSatisfy(s -> assertThat(s.getTrace().getProvider()).isEqualTo("local"));

            f.jsonRequests.pipeInput(
                    "p2",
                    Requests.sentimentJson("p2", 1).replace("\"temperature\": 0.8", "\"provider\": \"elsewhere\""));
            f.pumpUntil(() -> !f.deadLetterLog.isEmpty());
            assertThat(f.deadLetterLog.get(0).getMessage())
                    .contains("model.provider 'elsewhere' is not configured here")
                    .contains("default, local, simulated");
        }
    }

    @Test
    void theCountAndSizeLimitsOfTheGeneratorRefuseWhatTheyCap() {
        for (Map<String, Object> limits : List.<Map<String, Object>>of(
                Map.of(),
                Map.of(GeneratorConfig.MAX_COUNT.key(), 3),
                Map.of(GeneratorConfig.MAX_REQUEST_BYTES.key(), 1024L))) {
            try (GeneratorFixture f = new GeneratorFixture(new ScriptedProvider(), limits)) {
                // about 1.6 kB: within the default size limit, above 1024 bytes
                f.jsonRequests.pipeInput(
                        "l1",
                        Requests.sentimentJson("l1", 4)
                                .replace("product reviews", "product reviews " + "x".repeat(1500)));
                f.pumpOutcomes(limits.isEmpty() ? 4 : 1);
                if (limits.isEmpty()) {
                    assertThat(f.deadLetterLog).isEmpty();
                    assertThat(f.sampleLog).hasSize(4);
                } else {
                    assertThat(f.sampleLog).isEmpty();
                    assertThat(f.deadLetterLog.get(0).getMessage())
                            .contains(
                                    limits.containsKey(GeneratorConfig.MAX_COUNT.key())
                                            ? "count 4 is above the limit of 3"
                                            : "above the limit of 1024");
                }
            }
        }
    }

    @Test
    void eachPlanningTickPlansAtMostTheBatchAtTheInterval() {
        for (int[] batchAndInterval : new int[][] {{3, 1000}, {5, 200}}) {
            int batch = batchAndInterval[0];
            long interval = batchAndInterval[1];
            try (GeneratorFixture f = new GeneratorFixture(
                    new ScriptedProvider(),
                    Map.of(
                            GeneratorConfig.PLAN_BATCH.key(),
                            batch,
                            GeneratorConfig.PLAN_INTERVAL_MS.key(),
                            interval))) {
                f.jsonRequests.pipeInput("b1", Requests.sentimentJson("b1", 40));
                int before = f.conditions.readValuesToList().size();
                f.driver.advanceWallClockTime(java.time.Duration.ofMillis(interval / 2));
                assertThat(f.conditions.readValuesToList())
                        .as("before generator.plan.interval.ms")
                        .isEmpty();
                f.driver.advanceWallClockTime(java.time.Duration.ofMillis(interval / 2));
                assertThat(f.conditions.readValuesToList())
                        .as("one tick plans generator.plan.batch.size conditions")
                        .hasSize(batch);
                assertThat(before).isLessThanOrEqualTo(batch);
            }
        }
    }

    @Test
    void planningRunsAtMostPlanAheadSamplesBeyondWhatTheLedgerCountsAsGenerated() {
        try (GeneratorFixture f = new GeneratorFixture(
                new ScriptedProvider(),
                Map.of(GeneratorConfig.PLAN_AHEAD.key(), 10, GeneratorConfig.PLAN_BATCH.key(), 4))) {
            f.jsonRequests.pipeInput("a1", Requests.sentimentJson("a1", 40));
            for (int tick = 0; tick < 10; tick++) {
                f.driver.advanceWallClockTime(java.time.Duration.ofMillis(50));
            }
            assertThat(f.conditions.readValuesToList())
                    .as("no ledger yet: generator.plan.ahead=10 tuples, in batches of 4")
                    .hasSize(10);
            var ledger = io.synthstream.schemas.TestRecords.status();
            ledger.setRequestId("a1");
            ledger.setGenerated(5);
            ledger.setFailed(1);
            TopologyTestSupport.input(f.driver, Topics.REQUEST_STATUS, f.serdes).pipeInput("a1", ledger);
            for (int tick = 0; tick < 10; tick++) {
                f.driver.advanceWallClockTime(java.time.Duration.ofMillis(50));
            }
            assertThat(f.conditions.readValuesToList())
                    .as("6 counted as generated or failed: 6 more")
                    .hasSize(6);
        }
        try (GeneratorFixture f =
                new GeneratorFixture(new ScriptedProvider(), Map.of(GeneratorConfig.PLAN_AHEAD.key(), 0))) {
            f.jsonRequests.pipeInput("a2", Requests.sentimentJson("a2", 40));
            f.driver.advanceWallClockTime(java.time.Duration.ofMillis(50));
            assertThat(f.conditions.readValuesToList()).as("0: no bound").hasSize(40);
        }
    }

    @Test
    void chainOfThoughtKeepsTheRationaleInTheTraceOnly() {
        ScriptedProvider provider = new ScriptedProvider();
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            String json =
                    Requests.sentimentJson("c1", 2).replace("\"seed\": 7", "\"seed\": 7, \"chain_of_thought\": true");
            f.jsonRequests.pipeInput("c1", json);
            f.pumpOutcomes(2);
            Sample s = f.sampleLog.get(0);
            assertThat(s.getTrace().getRationale()).isNotBlank();
            assertThat(s.getFields()).doesNotContainKey("rationale");
            LlmRequest call = provider.requests.get(0);
            assertThat(call.schema().path("properties").fieldNames().next()).isEqualTo("rationale");
            assertThat(call.messages().get(1).content()).contains("Think step by step");
        }
    }

    @Test
    void structuredOutputSendsTheSchemaWithTheLabelSet() {
        ScriptedProvider provider = new ScriptedProvider();
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("s1", Requests.sentimentJson("s1", 1));
            f.pumpOutcomes(1);
            LlmRequest call = provider.requests.get(0);
            assertThat(call.format()).isEqualTo(LlmRequest.ResponseFormat.JSON_SCHEMA);
            assertThat(call.schema()
                            .path("properties")
                            .path("label")
                            .path("enum")
                            .toString())
                    .isEqualTo("[\"positive\",\"negative\"]");
            assertThat(call.schema().path("required").toString()).contains("text");
            assertThat(call.messages().get(1).content()).contains("Reply with only a JSON object");
            assertThat(call.temperature()).isEqualTo(0.8);
        }
    }

    @Test
    void inContextDemonstrationsAreChosenPerStrategy() {
        ScriptedProvider provider = new ScriptedProvider();
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            String json = Requests.sentimentJson("d1", 4).replace("\"seed\": 7", """
                            "seed": 7, "demonstrations": 2, "demonstration_strategy": "stratified",
                            "examples": [
                              {"id": "p1", "fields": {"text": "Great battery life.", "label": "positive"}},
                              {"id": "p2", "fields": {"text": "Fast and light.", "label": "positive"}},
                              {"id": "n1", "fields": {"text": "Broke in a week.", "label": "negative"}}]
                            """);
            f.jsonRequests.pipeInput("d1", json);
            f.pumpOutcomes(4);
            for (Sample s : f.sampleLog) {
                assertThat(s.getTrace().getDemonstrationIds()).hasSize(2).contains("n1");
            }
            assertThat(provider.requests.get(0).messages().get(1).content())
                    .contains("Examples of good outputs")
                    .contains("Broke in a week.");
        }
    }

    @Test
    void aReplyThatDoesNotParseGetsOneRepairTurnThenGoesToTheDeadLetterQueue() {
        ScriptedProvider provider = new ScriptedProvider()
                .then("Sure! Here is your review: {\"text\": \"cut", "stop") // sample A, first try
                .then("{\"text\": \"Solid phone.\", \"label\": \"positive\"}", "stop"); // sample A, repaired
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("p1", Requests.sentimentJson("p1", 1));
            f.pumpOutcomes(1);
            assertThat(f.sampleLog).singleElement().satisfies(s -> {
                assertThat(s.getFields().get("text")).isEqualTo("Solid phone.");
                assertThat(s.getTrace().getSteps().get(0).getAttempts()).isEqualTo(2);
            });
            assertThat(provider.requests.get(1).messages()).hasSize(4);
            assertThat(provider.requests.get(1).messages().get(3).content()).contains("could not be used");
        }
        ScriptedProvider twice =
                new ScriptedProvider().then("no json here", "stop").then("still none", "stop");
        try (GeneratorFixture f = new GeneratorFixture(twice, Map.of())) {
            f.jsonRequests.pipeInput("p2", Requests.sentimentJson("p2", 1));
            f.pumpOutcomes(1);
            assertThat(f.deadLetterLog).singleElement().satisfies(l -> {
                assertThat(l.getReason()).isEqualTo("unparseable_output");
                assertThat(l.getSamples()).isEqualTo(1);
                assertThat(l.getRequestId()).isEqualTo("p2");
                assertThat(l.getSampleId()).isEqualTo(Ids.sampleId("p2", 0, 0));
                assertThat(new String(l.getOriginalValue().array())).isEqualTo("still none");
            });
        }
    }

    @Test
    void aTruncatedReplyIsDeadLetteredWithoutRepair() {
        ScriptedProvider provider = new ScriptedProvider().then("{\"text\": \"This review goes on and", "length");
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("t1", Requests.sentimentJson("t1", 1));
            f.pumpOutcomes(1);
            assertThat(f.deadLetterLog).singleElement().satisfies(l -> {
                assertThat(l.getReason()).isEqualTo("output_truncated");
                assertThat(l.getMessage()).contains("max_tokens");
            });
            assertThat(provider.requests).hasSize(1);
        }
    }

    @Test
    void steeringReweightsLaterBatchesAndFeedsTheExemplarPool() {
        try (GeneratorFixture f =
                new GeneratorFixture(new SimulatedProvider(SimulatedProvider.Settings.INSTANT), Map.of())) {
            f.steering.pipeInput(
                    "reviews",
                    SteeringUpdate.newBuilder()
                            .setDataset("reviews")
                            .setVersion(3)
                            .setGeneratedAt(Instant.EPOCH)
                            .setAttributeWeights(Map.of("label", Map.of("positive", 0.0, "negative", 1.0)))
                            .setExemplars(List.of(io.synthstream.avro.Example.newBuilder()
                                    .setId("best-1")
                                    .setFields(Map.of("text", "Awful screen.", "label", "negative"))
                                    .build()))
                            .build());
            String json = Requests.sentimentJson("s1", 30)
                    .replace(
                            "\"seed\": 7",
                            "\"seed\": 7, \"demonstrations\": 1, \"demonstration_strategy\": \"exemplar\"");
            f.jsonRequests.pipeInput("s1", json);
            f.pumpOutcomes(30);
            assertThat(f.sampleLog).allSatisfy(s -> {
                assertThat(s.getAttributes().get("label")).isEqualTo("negative");
                assertThat(s.getTrace().getDemonstrationIds()).containsExactly("best-1");
            });
        }
    }

    @Test
    void aConditionWhoseSpecNeverArrivesIsDeadLettered() {
        try (GeneratorFixture f = new GeneratorFixture(
                new SimulatedProvider(SimulatedProvider.Settings.INSTANT),
                Map.of(GeneratorConfig.SPEC_WAIT_MS.key(), 0L))) {
            GenerationRequest orphan = Requests.parse(Requests.sentimentJson("orphan", 1));
            ConditionTuple tuple = io.synthstream.generator.logic.Planner.plan(orphan, 0, null, Instant.EPOCH);
            f.conditionsIn.pipeInput(tuple.getConditionId(), tuple);
            f.pumpOutcomes(1);
            assertThat(f.deadLetterLog).singleElement().satisfies(l -> {
                assertThat(l.getReason()).isEqualTo("unknown_spec");
                assertThat(l.getSamples()).isEqualTo(1);
            });
        }
    }

    @Test
    void terminalLlmFailuresAreDeadLetteredWithAttempts() {
        SimulatedProvider.Settings failing = new SimulatedProvider.Settings(
                1, java.time.Duration.ZERO, 0, io.synthstream.common.llm.SimulatedContent.Rates.NONE, 0, 1.0);
        try (GeneratorFixture f = new GeneratorFixture(new SimulatedProvider(failing), Map.of())) {
            f.jsonRequests.pipeInput("f1", Requests.sentimentJson("f1", 2));
            f.pumpOutcomes(2);
            assertThat(f.deadLetterLog).hasSize(2).allSatisfy(l -> {
                assertThat(l.getReason()).isEqualTo("llm_server_error");
                assertThat(l.getAttempts()).isEqualTo(3);
                assertThat(l.getStage()).isEqualTo("generate");
            });
        }
    }

    @Test
    void sampleIdsAreDeterministicAcrossRuns() {
        Set<String> first = new HashSet<>();
        Set<String> second = new HashSet<>();
        for (Set<String> ids : List.of(first, second)) {
            try (GeneratorFixture f = fixture()) {
                f.jsonRequests.pipeInput("r9", Requests.sentimentJson("r9", 5));
                f.pumpOutcomes(5);
                f.sampleLog.forEach(
                        s -> ids.add(s.getSampleId() + "|" + s.getFields().get("text")));
            }
        }
        assertThat(first).isEqualTo(second);
    }
}
