package io.synthstream.generator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Evolution;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.schemas.TestRecords;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvolutionsTest {
    private static final Evolution DEFAULTS = Evolution.newBuilder().build();
    private static final Map<String, String> PARENT =
            Map.of("instruction", "Write a function that reverses a string.", "input", "");

    private static Map<String, String> evolved(String instruction) {
        return Map.of("instruction", instruction, "input", "");
    }

    private static Map<String, String> answer(String output) {
        return Map.of("output", output);
    }

    @Test
    void theEliminatorDropsCopiesNoGainRefusalsAndShortAnswersAndKeepsARealEvolution() {
        String good = "Write a function that reverses a string in place without extra memory, and explain its"
                + " complexity for Unicode input.";
        String answer = "Swap characters from both ends towards the middle; this takes linear time.";
        assertThat(Evolutions.eliminated(DEFAULTS, PARENT, evolved(good), answer(answer)))
                .isNull();

        assertThat(Evolutions.eliminated(
                        DEFAULTS, PARENT, evolved("#Rewritten Prompt#: reverse a string"), answer(answer)))
                .startsWith("copied_prompt");
        assertThat(Evolutions.eliminated(
                        DEFAULTS, PARENT, evolved("Given instruction: reverse it, recursively."), answer(answer)))
                .startsWith("copied_prompt");
        assertThat(Evolutions.eliminated(
                        DEFAULTS, PARENT, evolved("Write a function that reverses a string!"), answer(answer)))
                .isEqualTo("no_gain: ROUGE-L 1.00 against the parent reaches max_similarity 0.90");
        // one word added to seven: LCS 7, P = 7/8, R = 1, F = 0.933 >= 0.9; a lower bar keeps it
        Map<String, String> oneWord = evolved("Write a function that quickly reverses a string.");
        assertThat(Evolutions.eliminated(DEFAULTS, PARENT, oneWord, answer(answer)))
                .startsWith("no_gain: ROUGE-L 0.93");
        assertThat(Evolutions.eliminated(
                        Evolution.newBuilder().setMaxSimilarity(0.95).build(), PARENT, oneWord, answer(answer)))
                .isNull();
        assertThat(Evolutions.eliminated(
                        DEFAULTS, PARENT, evolved(good), answer("I'm sorry, but I cannot help with that.")))
                .isEqualTo("refusal: the answer apologises or refuses in 9 words");
        assertThat(Evolutions.eliminated(DEFAULTS, PARENT, evolved(good), answer("Done.")))
                .isEqualTo("too_short: the answer has 1 words, below min_output_words 3");
        String longApology = "Sorry for the delay: " + "here is a careful step of the algorithm. ".repeat(12);
        assertThat(Evolutions.eliminated(DEFAULTS, PARENT, evolved(good), answer(longApology)))
                .as("an apology in a long, real answer is not a refusal")
                .isNull();
    }

    @Test
    void operatorsAreDrawnPerSampleAndRoundTheSameEveryTimeAndCoverTheList() {
        GenerationRequest spec = TestRecords.request("r-evol");
        spec.setEvolution(DEFAULTS);
        Map<String, Integer> counts = new HashMap<>();
        for (int s = 0; s < 600; s++) {
            for (int round = 1; round <= 4; round++) {
                String op = Evolutions.operator(spec, "sample-" + s, round);
                assertThat(Evolutions.operator(spec, "sample-" + s, round)).isEqualTo(op);
                counts.merge(op, 1, Integer::sum);
            }
        }
        assertThat(counts.keySet()).containsExactlyInAnyOrderElementsOf(Evolutions.OPERATORS.keySet());
        // 2400 draws over 6 operators: 400 each expected, every one within 25 %
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(300, 500));

        spec.setEvolution(Evolution.newBuilder()
                .setOperators(List.of("deepen", "breadth"))
                .build());
        for (int s = 0; s < 50; s++) {
            assertThat(Evolutions.operator(spec, "sample-" + s, 1)).isIn("deepen", "breadth");
        }
        assertThat(Evolutions.outputs(spec)).as("1 + the default 4 rounds").isEqualTo(5);
    }
}
