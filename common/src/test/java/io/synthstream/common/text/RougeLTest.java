package io.synthstream.common.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class RougeLTest {
    @Test
    void f1OfTheLongestCommonSubsequenceAgainstHandComputedValues() {
        // "the cat on the mat" is common: LCS 5 of 6 and 6 words, P = R = 5/6.
        assertThat(RougeL.f1("The cat sat on the mat.", "the cat is on the mat"))
                .isCloseTo(5.0 / 6, within(1e-12));
        // Lin's example: "police killed" or "the gunman", LCS 2 of 4 and 4: 0.5.
        assertThat(RougeL.f1("police killed the gunman", "the gunman police killed"))
                .isCloseTo(0.5, within(1e-12));
        // Different lengths: LCS "a b d" = 3; P = 3/4, R = 3/6, F = 2PR/(P+R) = 0.6.
        assertThat(RougeL.f1("a b c d", "a x b y d z")).isCloseTo(0.6, within(1e-12));
        assertThat(RougeL.f1("Same words, SAME order!", "same words same order"))
                .isEqualTo(1.0);
        assertThat(RougeL.f1("nothing shared", "entirely different")).isZero();
        assertThat(RougeL.f1("", "something")).isZero();
        assertThat(RougeL.lcs(List.of("a", "b", "c", "b", "d", "a", "b"), List.of("b", "d", "c", "a", "b", "a")))
                .as("the textbook LCS example (BCBA)")
                .isEqualTo(4);
    }

    @Test
    void longTextsAreCutToTheWordBound() {
        String many = "word ".repeat(RougeL.MAX_WORDS + 500);
        assertThat(RougeL.words(many)).hasSize(RougeL.MAX_WORDS);
        assertThat(RougeL.f1(many, many)).isEqualTo(1.0);
    }

    @Test
    void theIdFormIsTheSameMeasureAndTheSharedWordsBoundIt() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (int trial = 0; trial < 2000; trial++) {
            int[] a = random.ints(random.nextInt(0, 12), 0, 6).toArray();
            int[] b = random.ints(random.nextInt(0, 12), 0, 6).toArray();
            List<String> wordsA =
                    java.util.Arrays.stream(a).mapToObj(i -> "w" + i).toList();
            List<String> wordsB =
                    java.util.Arrays.stream(b).mapToObj(i -> "w" + i).toList();
            double f1 = RougeL.f1(a, b);
            assertThat(f1).isCloseTo(RougeL.f1(wordsA, wordsB), within(1e-12));
            long[] sortedA = java.util.Arrays.stream(a).asLongStream().toArray();
            long[] sortedB = java.util.Arrays.stream(b).asLongStream().toArray();
            java.util.Arrays.sort(sortedA);
            java.util.Arrays.sort(sortedB);
            assertThat(RougeL.bound(sortedA, sortedB)).isGreaterThanOrEqualTo(f1);
        }
        // "a b" against "b a": both words shared (bound 1) but the LCS is 1 (F1 0.5).
        assertThat(RougeL.bound(new long[] {1, 2}, new long[] {1, 2})).isEqualTo(1.0);
        assertThat(RougeL.f1(new int[] {1, 2}, new int[] {2, 1})).isEqualTo(0.5);
    }
}
