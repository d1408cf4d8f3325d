package io.synthstream.generator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Sample;
import io.synthstream.avro.SelfInstructDecision;
import io.synthstream.common.llm.LlmRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Self-Instruct in the generator's topology: rounds in order, the pool, the filters and the instances. */
class GeneratorSelfInstructTest {
    private static final String REQUEST = """
            {"request_id": "si1", "dataset": "self", "count": 2, "task": {"kind": "instruction"},
             "examples": [
               {"fields": {"instruction": "Give three tips for staying healthy.", "output": "Eat well."}},
               {"fields": {"instruction": "Translate the sentence into French.", "input": "Good morning"}},
               {"fields": {"instruction": "Is this review positive or negative?", "input": "Great food"}}],
             "self_instruct": {"instructions_per_round": 4, "seed_demonstrations": 2,
                               "pool_demonstrations": 2,
                               "instruction_model": {"provider": "simulated", "model": "instructor",
                                                     "temperature": 1.0, "top_p": 0.9, "max_tokens": 600,
                                                     "seed": 3, "extra": {"presence_penalty": "0.5"}}}}
            """;

    private static final String A = "Classify the sentiment of the following tweet as positive, negative or neutral.";
    private static final String B = "Write a short poem about the sea in the style of a limerick.";
    private static final String C = "Explain the difference between a list and a tuple in Python with examples.";

    /** Replies to a round's call from {@code rounds} in order, and to an instance call with its instruction. */
    private static Function<LlmRequest, String> responder(ConcurrentLinkedQueue<String> rounds) {
        return request -> {
            String user = request.messages().get(request.messages().size() - 1).content();
            if (request.schema() != null && request.schema().path("properties").has("instructions")) {
                return rounds.poll();
            }
            int at = user.indexOf("Task: ");
            String instruction = user.substring(at + 6, user.indexOf('\n', at));
            return "{\"input\": \"input for " + instruction.length() + "\", \"output\": \"output for "
                    + instruction.length() + "\"}";
        };
    }

    private static String round(String... items) {
        StringBuilder json = new StringBuilder("{\"instructions\": [");
        for (int i = 0; i < items.length; i++) {
            json.append(i == 0 ? "" : ", ").append(items[i]);
        }
        return json.append("]}").toString();
    }

    private static String item(String instruction, boolean classification) {
        return "{\"instruction\": \"" + instruction + "\", \"classification\": " + classification + "}";
    }

    @Test
    void roundsGrowThePoolInOrderAndEveryPlannedInstructionEndsKeptOrMarked() {
        ConcurrentLinkedQueue<String> rounds = new ConcurrentLinkedQueue<>(List.of(
                round(
                        item(A, true),
                        item(A.replace("tweet", "post"), true), // the same round's A: not novel
                        item("Draw a picture of a cat sitting on a mat.", false), // excluded word
                        item(B, false)),
                round(
                        item(C, false),
                        item("Give three tips for staying healthy!", false), // a seed task again
                        item(B, false)))); // the pool's B again; and one instruction short
        ScriptedProvider provider = new ScriptedProvider().answering(responder(rounds));
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("si1", REQUEST);
            f.pumpOutcomes(8);
            assertThat(f.deadLetterLog).isEmpty();
            assertThat(f.sampleLog).hasSize(8);
            Map<String, Sample> byInstruction = new java.util.HashMap<>();
            f.sampleLog.forEach(s -> byInstruction.put(
                    s.getTrace().getSelfInstruct().getRound() + ":"
                            + s.getTrace().getSelfInstruct().getCandidate(),
                    s));
            assertThat(byInstruction).hasSize(8);

            SelfInstructDecision a = byInstruction.get("0:0").getTrace().getSelfInstruct();
            assertThat(a.getJoined()).isTrue();
            assertThat(a.getFiltered()).isNull();
            assertThat(byInstruction.get("0:0").getFields())
                    .containsEntry("instruction", A)
                    .containsEntry("input", "input for " + A.length())
                    .containsEntry("output", "output for " + A.length());
            assertThat(byInstruction.get("0:1").getTrace().getSelfInstruct().getFiltered())
                    .as("compared with the instruction of the same round decided before it")
                    .startsWith("not_novel: ROUGE-L")
                    .contains("against " + byInstruction.get("0:0").getSampleId());
            assertThat(byInstruction.get("0:2").getTrace().getSelfInstruct().getFiltered())
                    .startsWith("excluded_word: names 'picture'");
            assertThat(byInstruction.get("0:3").getTrace().getSelfInstruct().getJoined())
                    .isTrue();
            assertThat(byInstruction.get("1:0").getTrace().getSelfInstruct().getJoined())
                    .isTrue();
            assertThat(byInstruction.get("1:1").getTrace().getSelfInstruct().getFiltered())
                    .startsWith("not_novel: ROUGE-L 1.00 against seed-0");
            assertThat(byInstruction.get("1:2").getTrace().getSelfInstruct().getFiltered())
                    .as("the pool of the round before")
                    .startsWith("not_novel: ROUGE-L 1.00 against "
                            + byInstruction.get("0:3").getSampleId());
            assertThat(byInstruction.get("1:3").getTrace().getSelfInstruct().getFiltered())
                    .isEqualTo("missing: the reply listed 3 of 4 instructions");
            assertThat(byInstruction.get("1:0").getTrace().getSelfInstruct().getPoolSize())
                    .as("round 1 was decided after round 0 (A and B joined)")
                    .isEqualTo(2);
            assertThat(byInstruction.get("0:2").getFields())
                    .containsEntry("instruction", "Draw a picture of a cat sitting on a mat.")
                    .containsEntry("output", "");

            List<LlmRequest> roundCalls = provider.requests.stream()
                    .filter(r ->
                            r.schema() != null && r.schema().path("properties").has("instructions"))
                    .toList();
            assertThat(roundCalls).hasSize(2);
            var instructor = roundCalls.get(0);
            assertThat(List.of(
                            instructor.model(),
                            instructor.temperature(),
                            instructor.topP(),
                            instructor.maxTokens(),
                            instructor.seed()))
                    .as("the rounds' calls use self_instruct.instruction_model")
                    .containsExactly("instructor", 1.0, 0.9, 600, 3L);
            assertThat(instructor.provider()).isEqualTo("simulated");
            assertThat(instructor.extra()).containsEntry("presence_penalty", "0.5");
            assertThat(provider.requests.stream()
                            .filter(r -> !roundCalls.contains(r))
                            .map(LlmRequest::model))
                    .as("the instances use the request's model")
                    .doesNotContain("instructor");
            String second = roundCalls.get(1).messages().get(1).content();
            assertThat(second)
                    .as("round 1 began only after round 0 was decided: it shows both pool instructions")
                    .contains(A)
                    .contains(B)
                    .contains("Come up with 4 new, diverse task instructions");
            assertThat(roundCalls.get(0).messages().get(1).content()).doesNotContain(A);
            assertThat(byInstruction.get("1:0").getTrace().getSelfInstruct().getDemonstrationIds())
                    .hasSize(4)
                    .contains(
                            byInstruction.get("0:0").getSampleId(),
                            byInstruction.get("0:3").getSampleId());

            String instanceOfA = provider.requests.stream()
                    .map(r -> r.messages().get(1).content())
                    .filter(u -> u.startsWith("Task: " + A))
                    .findFirst()
                    .orElseThrow();
            assertThat(instanceOfA)
                    .as("instance_order auto: a classification task's output (label) comes first")
                    .contains("This is a classification task");
            assertThat(provider.requests.stream()
                            .map(r -> r.messages().get(1).content())
                            .filter(u -> u.startsWith("Task: " + B))
                            .findFirst()
                            .orElseThrow())
                    .contains("Write an input for this task");

            assertThat(byInstruction.get("0:0").getTrace().getSpend().getCalls())
                    .as("candidate 0 carries the round's call and its own")
                    .isEqualTo(2);
            assertThat(byInstruction.get("0:3").getTrace().getSpend().getCalls())
                    .isEqualTo(1);
            assertThat(byInstruction.get("1:1").getTrace().getSpend())
                    .as("a filtered candidate after the first carries no call")
                    .isNull();
            assertThat(byInstruction.get("1:0").getTrace().getSpend().getCalls())
                    .isEqualTo(2);
            assertThat(f.plan.readValuesToList())
                    .last()
                    .satisfies(p -> assertThat(p.getPlanned())
                            .as("2 rounds of 4 instructions")
                            .isEqualTo(8));
        }
    }

    @Test
    void requestsOnOneDatasetShareItsPoolAndAnotherDatasetStartsEmpty() {
        ConcurrentLinkedQueue<String> rounds = new ConcurrentLinkedQueue<>(List.of(
                round(item(A, false), item(B, false), item(C, false), item(A + " Be brief.", false)),
                round(item(B, false), item("Name three rivers that flow through more than one country.", false)),
                round(item(B, false), item(C, false))));
        ScriptedProvider provider = new ScriptedProvider().answering(responder(rounds));
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("si1", REQUEST.replace("\"count\": 2", "\"count\": 1"));
            f.pumpOutcomes(4);
            f.jsonRequests.pipeInput(
                    "si2",
                    REQUEST.replace("\"count\": 2", "\"count\": 1")
                            .replace("si1", "si2")
                            .replace("\"instructions_per_round\": 4", "\"instructions_per_round\": 2"));
            f.pumpOutcomes(6);
            f.jsonRequests.pipeInput(
                    "si3",
                    REQUEST.replace("\"count\": 2", "\"count\": 1")
                            .replace("si1", "si3")
                            .replace("\"dataset\": \"self\"", "\"dataset\": \"other\"")
                            .replace("\"instructions_per_round\": 4", "\"instructions_per_round\": 2"));
            f.pumpOutcomes(8);
            assertThat(f.deadLetterLog).isEmpty();
            Map<String, Sample> byKey = new java.util.HashMap<>();
            f.sampleLog.forEach(s -> byKey.put(
                    s.getRequestId() + ":" + s.getTrace().getSelfInstruct().getCandidate(), s));
            Sample bOfFirst = byKey.get("si1:1");
            assertThat(bOfFirst.getTrace().getSelfInstruct().getJoined()).isTrue();
            SelfInstructDecision again = byKey.get("si2:0").getTrace().getSelfInstruct();
            assertThat(again.getPoolSize()).as("si1's pool of the same dataset").isEqualTo(3);
            assertThat(again.getFiltered()).startsWith("not_novel: ROUGE-L 1.00 against " + bOfFirst.getSampleId());
            assertThat(byKey.get("si2:1").getTrace().getSelfInstruct().getJoined())
                    .isTrue();
            SelfInstructDecision elsewhere = byKey.get("si3:0").getTrace().getSelfInstruct();
            assertThat(elsewhere.getPoolSize()).as("another dataset's pool").isZero();
            assertThat(elsewhere.getJoined()).isTrue();
        }
    }

    @Test
    void roundsOfTwoRequestsOnOneDatasetAreDecidedInTheOrderOfTheirPartitionNotOfTheirReplies() {
        List<String> distinct = List.of(
                "Name three rivers that flow through more than one country.",
                "Write a limerick about a forgetful astronaut on the moon.",
                "Convert this recipe from metric units to imperial units.",
                "Explain why the sky looks blue during the day but red at sunset.",
                "Rank these programming languages by how old they are.",
                "Draft a polite reminder to a colleague about an overdue report.",
                "Suggest five names for a cafe that also sells second-hand books.",
                "Summarise the story of a well-known fairy tale in two sentences.");
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        ScriptedProvider provider = new ScriptedProvider()
                .answering(request -> {
                    if (request.schema() != null
                            && request.schema().path("properties").has("instructions")) {
                        int at = next.getAndAdd(2);
                        return round(item(distinct.get(at % 8), false), item(distinct.get((at + 1) % 8), false));
                    }
                    return "{\"input\": \"\", \"output\": \"an answer\"}";
                })
                .delaying( // the first request's rounds answer late
                        request -> request.messages().get(1).content().contains("for: first"),
                        java.time.Duration.ofMillis(400));
        String two = REQUEST.replace("\"instructions_per_round\": 4", "\"instructions_per_round\": 2");
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput(
                    "si1",
                    two.replace(
                            "\"task\": {\"kind\": \"instruction\"}",
                            "\"task\": {\"kind\": \"instruction\", \"description\": \"first\"}"));
            f.pumpUntil(() -> !provider.requests.isEmpty()); // si1's rounds are on the partition
            f.jsonRequests.pipeInput("si2", two.replace("si1", "si2"));
            f.pumpOutcomes(8);
            assertThat(f.deadLetterLog).isEmpty();
            Map<String, SelfInstructDecision> decided = new java.util.HashMap<>();
            f.sampleLog.forEach(s -> decided.put(
                    s.getRequestId() + ":" + s.getTrace().getSelfInstruct().getRound() + ":"
                            + s.getTrace().getSelfInstruct().getCandidate(),
                    s.getTrace().getSelfInstruct()));
            assertThat(decided)
                    .hasSize(8)
                    .allSatisfy((k, d) -> assertThat(d.getJoined()).as(k).isTrue());
            assertThat(decided.get("si1:0:0").getPoolSize()).isZero();
            assertThat(decided.get("si1:1:0").getPoolSize()).isEqualTo(2);
            assertThat(decided.get("si2:0:0").getPoolSize())
                    .as("si2's rounds stand after si1's on the partition: they wait, though si1's replies are late")
                    .isEqualTo(4);
            assertThat(decided.get("si2:1:0").getPoolSize()).isEqualTo(6);
        }
    }

    @Test
    void aRoundWhoseCallFailsDeadLettersItsInstructionsAndTheNextRoundStillRuns() {
        ConcurrentLinkedQueue<String> rounds = new ConcurrentLinkedQueue<>(List.of(
                "not json",
                "{\"instructions\": \"still not a list\"}",
                round(item(A, false), item(B, false), item(C, false), item(A, false))));
        ScriptedProvider provider = new ScriptedProvider().answering(responder(rounds));
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("si1", REQUEST);
            f.pumpOutcomes(5);
            assertThat(f.deadLetterLog).singleElement().satisfies(d -> {
                assertThat(d.getReason()).isEqualTo("unparseable_output");
                assertThat(d.getSamples()).as("the round's 4 instructions").isEqualTo(4);
            });
            f.pumpUntil(() -> f.sampleLog.size() == 4);
            assertThat(f.sampleLog)
                    .extracting(s -> s.getTrace().getSelfInstruct().getRound())
                    .containsOnly(1L);
            assertThat(f.sampleLog)
                    .filteredOn(s -> s.getTrace().getSelfInstruct().getFiltered() == null)
                    .hasSize(3);
        }
    }

    @Test
    void selfInstructSettingsOutOfRangeAreRefusedNamingTheField() {
        try (GeneratorFixture f = new GeneratorFixture(new ScriptedProvider(), Map.of())) {
            f.jsonRequests.pipeInput("bad", """
                    {"request_id": "bad", "dataset": "self", "count": 2, "task": {"kind": "instruction"},
                     "attributes": [{"name": "topic", "values": [{"value": "math"}]}],
                     "evolution": {"rounds": 2},
                     "self_instruct": {"instructions_per_round": 21, "seed_demonstrations": -1,
                                       "pool_demonstrations": 0, "max_similarity": 1.5,
                                       "min_instruction_words": 0, "max_instruction_words": 5,
                                       "instance_order": "sideways", "pool_limit": 0,
                                       "excluded_words": [" "]}}
                    """);
            f.pumpUntil(() -> f.deadLetterLog.size() == 1);
            assertThat(f.deadLetterLog.get(0).getMessage())
                    .contains("self_instruct cannot be combined with evolution")
                    .contains("self_instruct cannot be combined with attributes or conditions")
                    .contains("self_instruct needs seed tasks: examples with an instruction field")
                    .contains("self_instruct.instructions_per_round must be within [1, 20], got 21")
                    .contains("self_instruct.seed_demonstrations must be within [0, 20], got -1")
                    .contains("self_instruct.max_similarity must be within [0.1, 1], got 1.5")
                    .contains("self_instruct.min_instruction_words must be within [1, 100], got 0")
                    .contains("self_instruct.max_instruction_words must be within [10, 1000], got 5")
                    .contains("self_instruct.instance_order 'sideways' is unknown")
                    .contains("self_instruct.pool_limit must be within [1, 100000], got 0")
                    .contains("self_instruct.excluded_words[0] is blank");
        }
    }
}
