package io.synthstream.curator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MinHasherTest {
    private final MinHasher minHasher = MinHasher.defaults();
    private final Shingler shingler = new Shingler(5);
    private final Random random = new Random(7);
    private final List<String> vocabulary = vocabulary(5000);

    @Test
    void shouldEstimateJaccardWithinTheStatisticalErrorOfItsSlots() {
        int slots = minHasher.bands() * minHasher.rows();
        double sumAbsoluteError = 0;
        int pairs = 300;
        for (int p = 0; p < pairs; p++) {
            List<String> a = randomWords(150);
            List<String> b = edit(a, random.nextDouble() * 0.5);
            long[] sa = shingler.shingles(a);
            long[] sb = shingler.shingles(b);
            double exact = Jaccard.exact(sa, sb);
            double estimate = MinHasher.estimateJaccard(minHasher.signature(sa), minHasher.signature(sb));
            double standardError = Math.sqrt(exact * (1 - exact) / slots);

            assertThat(Math.abs(estimate - exact))
                    .as("pair %d: exact %.3f, estimate %.3f", p, exact, estimate)
                    .isLessThanOrEqualTo(4.5 * standardError + 1.0 / slots);
            sumAbsoluteError += Math.abs(estimate - exact);
        }
        assertThat(sumAbsoluteError / pairs).as("mean absolute error").isLessThan(0.03);
    }

    @Test
    void shouldMakeNearDuplicatesCandidatesAndDissimilarTextsNot() {
        int missedNear = 0;
        int falseCandidates = 0;
        for (int p = 0; p < 200; p++) {
            List<String> a = randomWords(200);
            List<String> near = edit(a, 0.01); // Jaccard of 5-gram sets around 0.9
            List<String> far = edit(a, 0.5); // Jaccard well below 0.3
            List<String> keysA = keys(a);
            if (Collections.disjoint(keysA, keys(near))) {
                missedNear++;
            }
            if (!Collections.disjoint(keysA, keys(far))) {
                falseCandidates++;
            }
        }
        assertThat(missedNear).as("near duplicates that share no band").isLessThanOrEqualTo(2);
        assertThat(falseCandidates).as("dissimilar texts that share a band").isLessThanOrEqualTo(2);
    }

    @Test
    void shouldGiveIdenticalTextsIdenticalSignaturesAndKeysOnEveryInstance() {
        List<String> words = randomWords(80);
        MinHasher other = new MinHasher(MinHasher.DEFAULT_BANDS, MinHasher.DEFAULT_ROWS, MinHasher.DEFAULT_SEED);

        long[] signature = minHasher.signature(shingler.shingles(words));

        assertThat(other.signature(shingler.shingles(words))).isEqualTo(signature);
        assertThat(MinHasher.estimateJaccard(signature, signature)).isEqualTo(1.0);
        assertThat(minHasher.bandKeys(signature))
                .hasSize(14)
                .doesNotHaveDuplicates()
                .allMatch(key -> key.matches("\\d+:[0-9a-f]{16}"));
        assertThat(new MinHasher(14, 8, 43).bandKeys(new MinHasher(14, 8, 43).signature(shingler.shingles(words))))
                .isNotEqualTo(minHasher.bandKeys(signature));
    }

    @Test
    void shouldHaveNoBandKeysForAnEmptyText() {
        assertThat(minHasher.bandKeys(minHasher.signature(new long[0]))).isEmpty();
    }

    @Test
    void shouldPlaceTheDefaultThresholdNearDatatrove() {
        assertThat(minHasher.threshold()).isBetween(0.71, 0.73);
    }

    private List<String> keys(List<String> words) {
        return minHasher.bandKeys(minHasher.signature(shingler.shingles(words)));
    }

    private List<String> randomWords(int count) {
        List<String> words = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            words.add(vocabulary.get(random.nextInt(vocabulary.size())));
        }
        return words;
    }

    /** Replaces each word with probability {@code rate}. */
    private List<String> edit(List<String> words, double rate) {
        List<String> edited = new ArrayList<>(words);
        for (int i = 0; i < edited.size(); i++) {
            if (random.nextDouble() < rate) {
                edited.set(i, vocabulary.get(random.nextInt(vocabulary.size())));
            }
        }
        return edited;
    }

    private static List<String> vocabulary(int size) {
        List<String> words = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            words.add("w" + Integer.toString(i * 7919, 36));
        }
        return words;
    }
}
