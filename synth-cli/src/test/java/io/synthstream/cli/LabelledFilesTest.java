package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.cli.indirect.LabelledText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sets synth evaluate reads, and the one clear error for each way a set is unusable. */
class LabelledFilesTest {
    private static final LabelledFiles.Mapping DEFAULT = new LabelledFiles.Mapping("text", "label");

    @TempDir
    Path dir;

    @Test
    void readsJsonlAndCsvWithMappedFields() throws Exception {
        Path jsonl = dir.resolve("real.jsonl");
        Files.writeString(jsonl, """
                {"body": "Win a prize now", "kind": "spam", "id": 1}
                {"body": "Minutes of Monday's meeting", "kind": "ham", "id": 2}
                """);
        Path csv = dir.resolve("real.csv");
        Files.writeString(csv, "body,kind\n\"Cheap pills, today\",spam\nSee you at lunch,ham\n");
        LabelledFiles.Mapping mapping = new LabelledFiles.Mapping("body", "kind");

        assertThat(LabelledFiles.read(jsonl, mapping, "the real test set"))
                .containsExactly(
                        new LabelledText("Win a prize now", "spam"),
                        new LabelledText("Minutes of Monday's meeting", "ham"));
        assertThat(LabelledFiles.read(csv, mapping, "the real test set"))
                .containsExactly(
                        new LabelledText("Cheap pills, today", "spam"), new LabelledText("See you at lunch", "ham"));
    }

    @Test
    void anExportedRowGivesItsFinalLabelAndWeight() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode row = (ObjectNode) json.readTree("""
                {"sample_id": "s-1", "fields": {"text": "Refinance today", "label": "spam"},
                 "quality": {"label": "ham", "original_label": "spam", "weight": 0.25}}
                """);
        assertThat(LabelledFiles.fromRows(List.of(row), DEFAULT, "dataset 'd'"))
                .containsExactly(new LabelledText("Refinance today", "ham", 0.25));

        // The same row as a file: synth export writes one JSON object per line.
        Path export = dir.resolve("d.jsonl");
        Files.writeString(export, json.writeValueAsString(row) + "\n");
        assertThat(LabelledFiles.read(export, DEFAULT, "the synthetic set"))
                .containsExactly(new LabelledText("Refinance today", "ham", 0.25));
    }

    @Test
    void aMissingFieldNamesTheLineAndTheFieldsFound() throws Exception {
        Path file = dir.resolve("real.jsonl");
        Files.writeString(file, """
                {"text": "fine", "label": "ham"}
                {"body": "no text field here", "label": "spam"}
                """);
        assertThatThrownBy(() -> LabelledFiles.read(file, DEFAULT, "the real test set"))
                .isInstanceOf(LabelledFiles.UnusableSetException.class)
                .hasMessageContaining("the real test set")
                .hasMessageContaining("line 2: no text field 'text'; its fields are [body, label]");
        assertThatThrownBy(() ->
                        LabelledFiles.read(file, new LabelledFiles.Mapping("text", "category"), "the real test set"))
                .hasMessageContaining("line 1: no label field 'category'; its fields are [text, label]");
    }

    @Test
    void anEmptySetIsOneError() throws Exception {
        Path file = dir.resolve("empty.csv");
        Files.writeString(file, "text,label\n");
        assertThatThrownBy(() -> LabelledFiles.read(file, DEFAULT, "the real test set"))
                .isInstanceOf(LabelledFiles.UnusableSetException.class)
                .hasMessage("the real test set (" + file + ") has no records");
    }

    @Test
    void labelsOutsideTheTaskAndSingleClassSetsAreRefusedListingWhatWasFound() {
        List<LabelledText> foreign =
                List.of(new LabelledText("a", "spam"), new LabelledText("b", "phishing"), new LabelledText("c", "ham"));
        assertThatThrownBy(() -> LabelledFiles.check(foreign, List.of("spam", "ham"), "the real test set (t.jsonl)"))
                .isInstanceOf(LabelledFiles.UnusableSetException.class)
                .hasMessage("the real test set (t.jsonl) has labels that are not the task's [spam, ham]: [phishing]"
                        + " (found {ham=1, phishing=1, spam=1})");

        List<LabelledText> single = List.of(new LabelledText("a", "spam"), new LabelledText("b", "spam"));
        assertThatThrownBy(() -> LabelledFiles.check(single, List.of("spam", "ham"), "the synthetic set"))
                .hasMessage("the synthetic set has a single label {spam=2}; training and testing a classifier need"
                        + " examples of at least two labels");
    }

    @Test
    void onlyAClassificationDatasetCanBeEvaluatedIndirectly() throws Exception {
        GenerationRequest reviews = SpecFiles.load(Path.of("../examples/spam-or-ham.json"));
        assertThat(EvaluateCommand.taskLabels(List.of(reviews), "spam-or-ham")).containsExactly("spam", "ham");

        GenerationRequest code = SpecFiles.load(Path.of("../examples/instruction-evolve.json"));
        code.setDataset("spam-or-ham");
        assertThatThrownBy(() -> EvaluateCommand.taskLabels(List.of(reviews, code), "spam-or-ham"))
                .isInstanceOf(LabelledFiles.UnusableSetException.class)
                .hasMessageContaining("dataset 'spam-or-ham' is not a classification task")
                .hasMessageContaining("{" + code.getRequestId() + "=instruction}");
        assertThatThrownBy(() -> EvaluateCommand.taskLabels(List.of(reviews), "nope"))
                .hasMessageContaining("no request of dataset 'nope'");
    }

    @Test
    void aBenchmarksScoreIsTheLastNumberItPrintsOnALineOfItsOwn() {
        assertThat(EvaluateCommand.lastNumber(List.of("loading", "accuracy", " 0.873 ", "done in 3 s")))
                .isEqualTo(0.873);
        assertThat(EvaluateCommand.lastNumber(List.of("12", "NaN", "score: 7"))).isEqualTo(12.0);
        assertThat(EvaluateCommand.lastNumber(List.of("no score"))).isNull();
    }
}
