package io.synthstream.curator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.RejectionReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptEchoTest {
    private static final String DEMONSTRATION =
            "The hinge snapped after a week and support never answered my emails about it.";

    @Test
    void shouldRejectAnOutputThatRepeatsADemonstration() {
        String leaked = "The hinge snapped after a week and support never answered my emails.";

        assertThat(PromptEcho.check(leaked, List.of("Write a review about laptops.", DEMONSTRATION), 0.5))
                .get()
                .satisfies(v -> assertThat(v.reason()).isEqualTo(RejectionReason.PROMPT_ECHO))
                .extracting(Verdict::detail)
                .asString()
                .contains("reference 1");
    }

    @Test
    void shouldKeepAnOriginalOutput() {
        String original = "Battery life is superb, though the keyboard feels a little shallow for long sessions.";

        assertThat(PromptEcho.check(original, List.of("Write a review about laptops.", DEMONSTRATION), 0.5))
                .isEmpty();
        assertThat(PromptEcho.check("Too short", List.of("Too short"), 0.5)).isEmpty();
        assertThat(PromptEcho.check(original, List.of(), 0.5)).isEmpty();
    }

    @Test
    void shouldCompareWithTheTemplatesTheGeneratorActuallyRenders() {
        var spec = io.synthstream.schemas.TestRecords.request("r-1");
        spec.getTask().setInstructionTemplate(null);
        spec.getTask().setSystemTemplate(null);
        spec.setSteps(List.of(io.synthstream.avro.Step.newBuilder()
                .setName("harder")
                .setKind("evolve")
                .setInstructionTemplate("Rewrite {{ main.instruction }} so that it needs two more constraints.")
                .build()));
        List<String> references = PromptEcho.references(spec);

        assertThat(references)
                .contains(io.synthstream.common.task.DefaultTemplates.system("classification"))
                .contains(io.synthstream.common.task.DefaultTemplates.EVOLVE_SYSTEM)
                .anySatisfy(r -> assertThat(r).contains("two more constraints"));
        // An output parroting the built-in system prompt is an echo now, not only one of the request's text.
        String parrot =
                "You are a data generator creating realistic, varied examples for a text classification dataset.";
        assertThat(PromptEcho.check(parrot, references, 0.5)).isPresent();
    }

    @Test
    void aCopyOfTheSeedIsAnEchoButQuotingOneSentenceOfItIsNot() {
        String passage = "Tides are the regular rise and fall of the sea caused mainly by the gravity of the Moon."
                + " Most coasts see two high tides and two low tides every day. When the Sun, Moon and Earth"
                + " line up, their pulls combine and produce spring tides with the largest range.";
        java.util.Map<String, String> seed = java.util.Map.of("title", "Ocean tides", "text", passage);
        java.util.function.Function<String, java.util.List<String>> words = t ->
                io.synthstream.common.text.TextNormalizer.words(io.synthstream.common.text.TextNormalizer.normalize(t));

        assertThat(PromptEcho.checkSeed(words.apply("Here it is: " + passage), seed, 0.8))
                .hasValueSatisfying(v -> assertThat(v.detail()).contains("seed field text", "a copy of the seed"));
        assertThat(PromptEcho.checkSeed(
                        words.apply("Q: What causes tides? A: The passage states that most coasts see two high tides"
                                + " and two low tides every day."),
                        seed,
                        0.8))
                .isEmpty();
        // a short seed field (a title) is never compared: keeping it is not an echo
        assertThat(PromptEcho.checkSeed(words.apply("Ocean tides explained for you"), seed, 0.8))
                .isEmpty();
    }
}
