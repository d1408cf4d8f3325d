package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.ModelParams;
import io.synthstream.avro.Preference;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code synth report} says how a preference request's pairs are made and warns of self-preference. */
class ReportPreferencesTest {
    private static String report(GenerationRequest spec) {
        StringWriter out = new StringWriter();
        ReportCommand.preferences(new PrintWriter(out, true), List.of(spec), "helpful-pairs");
        return out.toString();
    }

    @Test
    void theJudgeWritingCandidatesIsWarnedOfAndAnotherJudgeIsNot() {
        GenerationRequest spec = SpecFiles.read(Path.of("../examples/preference-pairs.json"));
        assertThat(report(spec))
                .contains("preference preference-demo-1")
                .contains("3 candidates, absolute rating (3 judge calls per pair), min_margin 1.0, ties reject")
                .as("no model named anywhere: the app's default judges its own candidates")
                .contains("WARNING self-preference")
                .contains("the judge (the app's default model) also wrote candidates");

        spec.setPreference(Preference.newBuilder(spec.getPreference())
                .setJudgeModel(ModelParams.newBuilder().setModel("judge-70b").build())
                .build());
        assertThat(report(spec)).doesNotContain("WARNING");

        spec.setPreference(Preference.newBuilder(spec.getPreference())
                .setRating("pairwise")
                .setCandidateModels(List.of(
                        ModelParams.newBuilder().setModel("small-8b").build(),
                        ModelParams.newBuilder().setModel("judge-70b").build()))
                .build());
        assertThat(report(spec))
                .contains("pairwise rating (6 judge calls per pair)")
                .contains("the judge (judge-70b) also wrote candidates");

        StringWriter other = new StringWriter();
        ReportCommand.preferences(new PrintWriter(other, true), List.of(spec), "another-dataset");
        assertThat(other.toString()).isEmpty();
    }
}
