package io.synthstream.generator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Lineage;
import io.synthstream.avro.Sample;
import io.synthstream.avro.StepTrace;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Multi-round Evol-Instruct in the generator's topology: rounds, the eliminator, lineage and the plan. */
class GeneratorEvolutionsTest {
    private static final String REQUEST = """
            {"request_id": "e1", "dataset": "evol", "count": 1, "task": {"kind": "instruction"},
             "evolution": {"rounds": 3, "operators": ["add_constraints"],
                           "evolve_model": {"provider": "simulated", "model": "evolver", "temperature": 0.7,
                                            "top_p": 0.95, "max_tokens": 400, "seed": 4,
                                            "extra": {"presence_penalty": "0.3"}}}}
            """;

    @Test
    void everyRoundIsASampleWithItsLineageAndAFailedEvolutionIsNeverAParent() {
        ScriptedProvider provider = new ScriptedProvider()
                .then(
                        "{\"instruction\": \"List three prime numbers.\", \"input\": \"\","
                                + " \"output\": \"2, 3 and 5.\"}",
                        "stop")
                // round 1 copies the evolving prompt: eliminated
                .then("{\"instruction\": \"#Rewritten Prompt#: list primes\", \"input\": \"\"}", "stop")
                .then("{\"output\": \"2, 3, 5 and 7 are primes.\"}", "stop")
                // round 2 evolves the root again and survives
                .then(
                        "{\"instruction\": \"List three prime numbers above 100 and prove each is prime.\","
                                + " \"input\": \"\"}",
                        "stop")
                .then("{\"output\": \"101, 103 and 107: none has a divisor up to its square root.\"}", "stop")
                // round 3 evolves round 2 and survives
                .then(
                        "{\"instruction\": \"List three twin-prime pairs above 100, prove each member prime, and"
                                + " explain the sieve you used.\", \"input\": \"\"}",
                        "stop")
                .then("{\"output\": \"(101, 103), (107, 109), (137, 139), each checked by trial division.\"}", "stop");
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("e1", REQUEST);
            f.pumpOutcomes(4);
            assertThat(f.deadLetterLog).isEmpty();
            assertThat(f.sampleLog).hasSize(4);
            String root = f.sampleLog.get(0).getSampleId();
            assertThat(f.sampleLog)
                    .extracting(Sample::getSampleId)
                    .containsExactly(root, root + "-r1", root + "-r2", root + "-r3");
            List<Lineage> lineage =
                    f.sampleLog.stream().map(s -> s.getTrace().getLineage()).toList();
            assertThat(lineage.get(0).getRound()).isZero();
            assertThat(lineage.get(0).getParentId()).isNull();
            assertThat(lineage.get(1).getEliminated()).startsWith("copied_prompt");
            assertThat(lineage.get(1).getParentId()).isEqualTo(root);
            assertThat(lineage.get(2).getParentId())
                    .as("round 1 failed: round 2 evolves the root again")
                    .isEqualTo(root);
            assertThat(lineage.get(2).getEliminated()).isNull();
            assertThat(lineage.get(3).getParentId()).isEqualTo(root + "-r2");
            assertThat(lineage).allSatisfy(l -> assertThat(l.getRootId()).isEqualTo(root));
            assertThat(lineage.subList(1, 4))
                    .allSatisfy(l -> assertThat(l.getOperator()).isEqualTo("add_constraints"));

            Sample third = f.sampleLog.get(3);
            assertThat(third.getFields())
                    .containsEntry("output", "(101, 103), (107, 109), (137, 139), each checked by trial division.")
                    .containsKey("instruction");
            assertThat(third.getTrace().getSteps())
                    .extracting(StepTrace::getName)
                    .as("a round's sample carries the round's own steps")
                    .containsExactly("evolve_3", "answer_3");
            assertThat(provider.requests.get(3).messages().get(1).content())
                    .as("round 2 rewrites the root, not the failed round 1")
                    .contains("Instruction: List three prime numbers.")
                    .contains("Add one more constraint");
            assertThat(provider.requests.get(3).model()).isEqualTo("evolver");
            var evolve = provider.requests.get(3);
            assertThat(List.of(evolve.temperature(), evolve.topP(), evolve.maxTokens(), evolve.seed()))
                    .containsExactly(0.7, 0.95, 400, 4L);
            assertThat(evolve.provider()).isEqualTo("simulated");
            assertThat(evolve.extra()).containsEntry("presence_penalty", "0.3");
            assertThat(provider.requests.get(4).model())
                    .as("the answers use the request's model")
                    .isNotEqualTo("evolver");
            assertThat(provider.requests.get(4).messages().get(1).content())
                    .contains("Instruction: List three prime numbers above 100 and prove each is prime.");

            assertThat(f.plan.readValuesToList())
                    .last()
                    .satisfies(p -> assertThat(p.getPlanned())
                            .as("1 + 3 rounds per instruction")
                            .isEqualTo(4));
        }
    }

    @Test
    void aFailedRoundDeadLettersEveryRoundNotYetEmitted() {
        ScriptedProvider provider = new ScriptedProvider()
                .then(
                        "{\"instruction\": \"List three prime numbers.\", \"input\": \"\", \"output\": \"2, 3, 5.\"}",
                        "stop")
                .then("not json", "stop")
                .then("still not json", "stop");
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("e1", REQUEST);
            f.pumpOutcomes(2);
            assertThat(f.sampleLog).hasSize(1);
            assertThat(f.deadLetterLog).singleElement().satisfies(d -> {
                assertThat(d.getReason()).isEqualTo("unparseable_output");
                assertThat(d.getSamples())
                        .as("rounds 1 to 3 will never be made")
                        .isEqualTo(3);
            });
        }
    }

    @Test
    void evolutionSettingsOutOfRangeAreRefusedNamingTheField() {
        try (GeneratorFixture f = new GeneratorFixture(new ScriptedProvider(), Map.of())) {
            f.jsonRequests.pipeInput("bad", """
                    {"request_id": "bad", "dataset": "evol", "count": 1, "task": {"kind": "qa"},
                     "evolution": {"rounds": 11, "operators": ["shorten"], "max_similarity": 0.2,
                                   "min_output_words": 0}}
                    """);
            f.pumpUntil(() -> f.deadLetterLog.size() == 1);
            assertThat(f.deadLetterLog.get(0).getMessage())
                    .contains("evolution needs task.kind instruction")
                    .contains("evolution.rounds must be within [1, 10], got 11")
                    .contains("evolution.operators: 'shorten' is unknown")
                    .contains("evolution.max_similarity must be within [0.5, 1], got 0.2")
                    .contains("evolution.min_output_words must be within [1, 1000], got 0");
        }
    }
}
