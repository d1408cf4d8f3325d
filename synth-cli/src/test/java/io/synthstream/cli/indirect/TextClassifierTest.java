package io.synthstream.cli.indirect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TextClassifierTest {
    private static final List<String> LABELS = List.of("A", "B", "C");

    private static List<LabelledText> repeat(String text, String label, int n, double weight) {
        List<LabelledText> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new LabelledText(text, label, weight));
        }
        return out;
    }

    private static List<LabelledText> fruitTrain() {
        List<LabelledText> train = new ArrayList<>();
        train.addAll(repeat("apple fruit", "A", 5, 1));
        train.addAll(repeat("banana fruit", "B", 5, 1));
        train.addAll(repeat("cherry fruit", "C", 5, 1));
        return train;
    }

    /**
     * A test set whose predictions are known (each text names one training class) and whose truth
     * disagrees on two of nine: hand-computed, A is predicted 4 times (3 right), B 3 times (2
     * right), C twice (both right).
     */
    private static List<LabelledText> fruitTest() {
        List<LabelledText> test = new ArrayList<>();
        test.addAll(repeat("apple", "A", 3, 1));
        test.addAll(repeat("banana", "B", 2, 1));
        test.addAll(repeat("apple", "B", 1, 1));
        test.addAll(repeat("cherry", "C", 2, 1));
        test.addAll(repeat("banana", "C", 1, 1));
        return test;
    }

    @Test
    void tfidfScoresMatchTheHandComputedCase() {
        Scores s = new TextClassifier(TextClassifier.Features.tfidf, 42, null)
                .trainAndTest(fruitTrain(), false, fruitTest(), LABELS);

        assertThat(s.confusion()).isDeepEqualTo(new long[][] {{3, 0, 0}, {1, 2, 0}, {0, 1, 2}});
        assertThat(s.accuracy()).isCloseTo(7.0 / 9, within(1e-9));
        double f1A = 2 * 0.75 * 1.0 / 1.75;
        double f1B = 2.0 / 3;
        double f1C = 2 * 1.0 * (2.0 / 3) / (1 + 2.0 / 3);
        assertThat(s.perLabel().get("A").precision()).isCloseTo(0.75, within(1e-9));
        assertThat(s.perLabel().get("A").recall()).isCloseTo(1.0, within(1e-9));
        assertThat(s.perLabel().get("A").f1()).isCloseTo(f1A, within(1e-9));
        assertThat(s.perLabel().get("B").f1()).isCloseTo(f1B, within(1e-9));
        assertThat(s.perLabel().get("C").precision()).isCloseTo(1.0, within(1e-9));
        assertThat(s.perLabel().get("C").recall()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(s.perLabel().get("C").f1()).isCloseTo(f1C, within(1e-9));
        assertThat(s.perLabel().get("C").support()).isEqualTo(3);
        assertThat(s.macroF1()).isCloseTo((f1A + f1B + f1C) / 3, within(1e-9));
        assertThat(s.trainSize()).isEqualTo(15);
        assertThat(s.testSize()).isEqualTo(9);
    }

    @Test
    void weightsDecideAnAmbiguousTextOnlyWhenTrainingIsWeighted() {
        List<LabelledText> train = new ArrayList<>(fruitTrain());
        // "kiwi" is A three times at weight 0.05 and B once at weight 1.
        train.addAll(repeat("kiwi", "A", 3, 0.05));
        train.addAll(repeat("kiwi", "B", 1, 1));
        List<LabelledText> test = List.of(new LabelledText("kiwi", "B"));
        TextClassifier classifier = new TextClassifier(TextClassifier.Features.tfidf, 42, null);

        assertThat(classifier.trainAndTest(train, false, test, LABELS).accuracy())
                .as("unweighted, the majority (A) wins")
                .isZero();
        assertThat(classifier.trainAndTest(train, true, test, LABELS).accuracy())
                .as("weighted, B's single heavy example wins")
                .isEqualTo(1.0);
    }

    @Test
    void theSameInputsGiveTheSameFiguresEveryRun() {
        List<LabelledText> train = new ArrayList<>(fruitTrain());
        train.addAll(repeat("apple banana", "B", 2, 1));
        train.addAll(repeat("banana cherry", "A", 2, 1));
        Scores first = new TextClassifier(TextClassifier.Features.tfidf, 7, null)
                .trainAndTest(train, false, fruitTest(), LABELS);
        Scores second = new TextClassifier(TextClassifier.Features.tfidf, 7, null)
                .trainAndTest(train, false, fruitTest(), LABELS);
        assertThat(second.confusion()).isDeepEqualTo(first.confusion());
        assertThat(second.macroF1()).isEqualTo(first.macroF1());
    }

    @Test
    void embeddingFeaturesEmbedEachDistinctTextOnceAcrossModels() {
        AtomicInteger embedded = new AtomicInteger();
        // A stand-in embedder: a one-hot vector by fruit, so the expected predictions are known.
        TextClassifier classifier = new TextClassifier(TextClassifier.Features.embeddings, 42, texts -> {
            embedded.addAndGet(texts.size());
            return texts.stream()
                    .map(t -> new float[] {
                        t.contains("apple") ? 1 : 0, t.contains("banana") ? 1 : 0, t.contains("cherry") ? 1 : 0
                    })
                    .toList();
        });

        Scores s = classifier.trainAndTest(fruitTrain(), false, fruitTest(), LABELS);
        classifier.trainAndTest(fruitTrain(), true, fruitTest(), LABELS);

        assertThat(s.confusion()).isDeepEqualTo(new long[][] {{3, 0, 0}, {1, 2, 0}, {0, 1, 2}});
        assertThat(embedded).as("3 training texts and 3 test texts, each once").hasValue(6);
    }
}
