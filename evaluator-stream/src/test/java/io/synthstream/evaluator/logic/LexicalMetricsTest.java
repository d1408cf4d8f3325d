package io.synthstream.evaluator.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LexicalMetricsTest {
    private static List<List<String>> tokenize(String... texts) {
        return java.util.Arrays.stream(texts).map(NGrams::words).toList();
    }

    @Test
    void distinctNMatchesHandCountedValues() {
        // unigrams: the cat sat the cat ran -> 4 unique of 6; bigrams 3 of 4; trigrams 2 of 2
        List<List<String>> texts = tokenize("The cat sat.", "the CAT ran");

        assertThat(NGrams.distinct(texts, 1)).isCloseTo(4 / 6.0, within(1e-12));
        assertThat(NGrams.distinct(texts, 2)).isCloseTo(3 / 4.0, within(1e-12));
        assertThat(NGrams.distinct(texts, 3)).isEqualTo(1.0);
        assertThat(NGrams.distinct(tokenize("one"), 2)).isNull();
    }

    @Test
    void distinctCounterIsExactUpToItsBoundThenEstimatesWithHll() {
        DistinctCounter counter = new DistinctCounter(1000);
        for (long i = 0; i < 1000; i++) {
            counter.add(i * 7919);
            counter.add(i * 7919); // repeats do not count
        }
        assertThat(counter.isExact()).isTrue();
        assertThat(counter.count()).isEqualTo(1000.0);
        DistinctCounter copy = DistinctCounter.fromBytes(counter.toBytes(), 1000);
        assertThat(copy.count()).isEqualTo(1000.0);

        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 99_000; i++) {
            counter.add(random.nextLong());
        }
        assertThat(counter.isExact()).isFalse();
        // HLL lgK=12: relative standard error ~1.6 %; 5 % is over three standard errors.
        assertThat(counter.count()).isCloseTo(100_000.0, within(5_000.0));
        DistinctCounter restored = DistinctCounter.fromBytes(counter.toBytes(), 1000);
        assertThat(restored.count()).isEqualTo(counter.count());
        assertThat(restored.isExact()).isFalse();
    }

    @Test
    void compressionRatioMatchesPythonGzipLevel9() {
        // Reference: len(t) / len(gzip.compress(t, compresslevel=9)) in CPython 3.
        assertThat(CompressionRatio.of(Collections.nCopies(50, "the cat sat on the mat")))
                .isCloseTo(1149 / 51.0, within(1e-9));
        assertThat(CompressionRatio.of(List.of(
                        "The quick brown fox jumps over the lazy dog.",
                        "Pack my box with five dozen liquor jugs!",
                        "How vexingly quick daft zebras jump.")))
                .isCloseTo(122 / 120.0, within(1e-9));
        assertThat(CompressionRatio.of(List.of())).isNull();
    }

    @Test
    void selfBleuOfIdenticalTextsIsOneAndOfDisjointTextsZero() {
        assertThat(SelfBleu.of(tokenize("the cat sat on the mat", "the cat sat on the mat")))
                .isCloseTo(1.0, within(1e-12));
        assertThat(SelfBleu.of(tokenize("a b c d", "e f g h"))).isEqualTo(0.0);
        assertThat(SelfBleu.of(tokenize("alone"))).isNull();
    }

    @Test
    void selfBleuMatchesHandComputedBleu4() {
        // Each against the other: p1..p4 = 4/5, 3/4, 2/3, 1/2; equal lengths, no brevity penalty.
        assertThat(SelfBleu.of(tokenize("a b c d e", "a b c d f")))
                .isCloseTo(Math.pow(4 / 5.0 * 3 / 4.0 * 2 / 3.0 * 1 / 2.0, 0.25), within(1e-12));
        // Smoothing (NLTK method1): p3 = 0.1/2, p4 = 0.1/1 when nothing matches.
        assertThat(SelfBleu.of(tokenize("a b x c", "a b y c")))
                .isCloseTo(Math.pow(0.75 * (1 / 3.0) * 0.05 * 0.1, 0.25), within(1e-12));
    }

    @Test
    void selfBleuClipsAgainstTheBestOtherReferenceOnly() {
        // x y scores against its twin (p1 = p2 = 1, p3 = p4 = 0.1 smoothed), z w matches nothing.
        double twin = Math.pow(1 * 1 * 0.1 * 0.1, 0.25);
        assertThat(SelfBleu.of(tokenize("x y", "x y", "z w"))).isCloseTo((2 * twin + 0) / 3, within(1e-12));
    }

    @Test
    void brevityPenaltyUsesTheClosestReferenceLength() {
        // Hypothesis "a b c d" vs reference "a b c d e f g h": c = 4, r = 8, BP = exp(1 - 8/4).
        // The long one against the short one: BP = 1; p1 = 4/8, p2 = 3/7, p3 = 2/6, p4 = 1/5.
        double shortOne = Math.exp(1 - 8 / 4.0);
        double longOne = Math.pow(4 / 8.0 * 3 / 7.0 * 2 / 6.0 * 1 / 5.0, 0.25);
        assertThat(SelfBleu.of(tokenize("a b c d", "a b c d e f g h")))
                .isCloseTo((shortOne + longOne) / 2, within(1e-12));
    }
}
