package io.synthstream.curator.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.synthstream.avro.RejectionReason;
import io.synthstream.common.text.TextNormalizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContaminationTest {
    private static final String TEST = "one two three four five six seven eight nine ten eleven twelve";

    private static List<String> words(String text) {
        return TextNormalizer.words(TextNormalizer.normalize(text));
    }

    @Test
    void theShareOfTheSamplesEightGramsInOneRecordDecides() {
        Contamination index = new Contamination();
        index.put("d|t-1", "d", "t-1", TEST);

        // 10 words: three 8-grams, of which the first two occur in the record (hand-counted).
        List<String> sample = words("One two three four five six seven eight nine TEN? no: eleven");
        sample = sample.subList(0, 9);
        sample = new java.util.ArrayList<>(sample);
        sample.add("zebra");
        assertThat(sample).hasSize(10);
        Contamination.Found found = index.check("d", sample, 0.5).orElseThrow();
        assertThat(found.overlap()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(found.recordId()).isEqualTo("t-1");
        assertThat(found.verdict().reason()).isEqualTo(RejectionReason.CONTAMINATED);
        assertThat(found.verdict().stage()).isEqualTo("decontamination");
        assertThat(found.verdict().detail())
                .isEqualTo("0.67 of the sample's 8-word n-grams occur in test record t-1 > 0.50");

        assertThat(index.check("d", sample, 0.7)).as("2/3 is not above 0.7").isEmpty();
    }

    @Test
    void onlyTheDatasetsOwnRecordsCountAndATombstoneUnregisters() {
        Contamination index = new Contamination();
        index.put("d|t-1", "d", "t-1", TEST);
        List<String> copy = words(TEST);

        assertThat(index.check("other", copy, 0.5)).isEmpty();
        assertThat(index.check("d", words("one two three four five six seven"), 0.0))
                .as("fewer than 8 words: no 8-gram, never checked")
                .isEmpty();
        assertThat(index.records("d")).isEqualTo(1);

        index.remove("d|t-1");
        assertThat(index.check("d", copy, 0.5)).isEmpty();
        assertThat(index.records("d")).isZero();
    }

    @Test
    void theRecordSharingTheMostIsNamedAndTiesGoToTheSmallestKey() {
        Contamination index = new Contamination();
        index.put("d|b", "d", "b", TEST);
        index.put("d|a", "d", "a", TEST);
        index.put("d|c", "d", "c", "one two three four five six seven eight nine and then something else");

        assertThat(index.check("d", words(TEST), 0.5).orElseThrow().recordId()).isEqualTo("a");
        // Re-registering a key replaces its text.
        index.put("d|a", "d", "a", "nothing in common with the sample at all, not a single phrase");
        assertThat(index.check("d", words(TEST), 0.5).orElseThrow().recordId()).isEqualTo("b");
    }
}
