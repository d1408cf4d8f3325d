package io.synthstream.curator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Preference;
import io.synthstream.avro.RejectionReason;
import io.synthstream.avro.Sample;
import io.synthstream.avro.TaskSpec;
import io.synthstream.schemas.TestRecords;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecipeChecksTest {
    private static GenerationRequest preference(Preference settings) {
        GenerationRequest spec = TestRecords.request("r-pref");
        spec.setTask(TaskSpec.newBuilder(spec.getTask())
                .setKind("preference")
                .setLabels(List.of())
                .setOutputFields(List.of())
                .build());
        spec.setPreference(settings);
        return spec;
    }

    private static Sample pair(String chosen, String rejected, String margin, boolean tie) {
        Sample s = TestRecords.sample("s-pref");
        s.setFields(Map.of(
                "prompt",
                "Name a prime.",
                "chosen",
                "Seven.",
                "rejected",
                "Nine.",
                "chosen_score",
                chosen,
                "rejected_score",
                rejected,
                "margin",
                margin,
                "tie",
                Boolean.toString(tie)));
        return s;
    }

    @Test
    void aTieIsRejectedUnlessKeptAndAMarginBelowTheMinimumIsRejected() {
        GenerationRequest defaults = preference(null);
        assertThat(RecipeChecks.check(pair("5", "2", "3", false), defaults)).isEmpty();
        assertThat(RecipeChecks.check(pair("3", "3", "0", true), defaults)).hasValueSatisfying(v -> {
            assertThat(v.reason()).isEqualTo(RejectionReason.PREFERENCE_MARGIN);
            assertThat(v.detail()).contains("tie").contains("ties is reject");
        });
        GenerationRequest keep = preference(
                Preference.newBuilder().setTies("keep").setMinMargin(2.0).build());
        assertThat(RecipeChecks.check(pair("3", "3", "0", true), keep)).isEmpty();
        assertThat(RecipeChecks.check(pair("4", "3", "1", false), keep))
                .hasValueSatisfying(v -> assertThat(v.detail())
                        .isEqualTo("margin 1 (chosen 4, rejected 3) is below preference.min_margin 2.0"));
        assertThat(RecipeChecks.check(pair("5", "3", "2", false), keep)).isEmpty();

        GenerationRequest other = TestRecords.request("r-other");
        assertThat(RecipeChecks.applies(other)).isFalse();
        assertThat(RecipeChecks.check(TestRecords.sample("s"), other)).isEmpty();
    }

    @Test
    void anEvolutionTheEliminatorFailedIsRejectedWithItsRoundOperatorAndReason() {
        GenerationRequest spec = TestRecords.request("r-evol");
        spec.setEvolution(io.synthstream.avro.Evolution.newBuilder().build());
        assertThat(RecipeChecks.applies(spec)).isTrue();
        Sample failed = TestRecords.sample("root-r2");
        failed.getTrace()
                .setLineage(io.synthstream.avro.Lineage.newBuilder()
                        .setRootId("root")
                        .setParentId("root")
                        .setRound(2)
                        .setOperator("deepen")
                        .setEliminated("no_gain: ROUGE-L 0.95 against the parent reaches max_similarity 0.90")
                        .build());
        assertThat(RecipeChecks.marked(failed)).hasValueSatisfying(v -> {
            assertThat(v.reason()).isEqualTo(RejectionReason.EVOLUTION_FAILED);
            assertThat(v.detail())
                    .isEqualTo("round 2 (deepen) of root: no_gain: ROUGE-L 0.95 against the parent reaches"
                            + " max_similarity 0.90");
        });
        Sample survivor = TestRecords.sample("root-r1");
        survivor.getTrace()
                .setLineage(io.synthstream.avro.Lineage.newBuilder()
                        .setRootId("root")
                        .setParentId("root")
                        .setRound(1)
                        .setOperator("breadth")
                        .build());
        assertThat(RecipeChecks.marked(survivor)).isEmpty();
        assertThat(RecipeChecks.check(survivor, spec)).isEmpty();
    }

    @Test
    void aSelfInstructInstructionTheFiltersDroppedIsRejectedBeforeValidationWithItsRoundAndReason() {
        GenerationRequest spec = TestRecords.request("r-self");
        spec.setSelfInstruct(io.synthstream.avro.SelfInstruct.newBuilder().build());
        assertThat(RecipeChecks.applies(spec)).isTrue();
        Sample filtered = TestRecords.sample("round-i3");
        filtered.setFields(java.util.Map.of("instruction", "Describe the image.", "input", "", "output", ""));
        filtered.getTrace()
                .setSelfInstruct(io.synthstream.avro.SelfInstructDecision.newBuilder()
                        .setRound(4)
                        .setCandidate(3)
                        .setInstruction("Describe the image.")
                        .setFiltered("excluded_word: names 'image', which a text-only model cannot do")
                        .build());
        assertThat(RecipeChecks.marked(filtered)).hasValueSatisfying(v -> {
            assertThat(v.reason()).isEqualTo(RejectionReason.INSTRUCTION_FILTERED);
            assertThat(v.detail())
                    .isEqualTo("Self-Instruct round 4, instruction 3: excluded_word: names 'image', which a"
                            + " text-only model cannot do");
        });
        Sample kept = TestRecords.sample("round-i4");
        kept.getTrace()
                .setSelfInstruct(io.synthstream.avro.SelfInstructDecision.newBuilder()
                        .setRound(4)
                        .setCandidate(4)
                        .setInstruction("Summarise the meeting notes in three bullet points.")
                        .setJoined(true)
                        .build());
        assertThat(RecipeChecks.marked(kept)).isEmpty();
    }
}
