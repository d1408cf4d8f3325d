package io.synthstream.evaluator.logic;

import io.synthstream.common.text.TextNormalizer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * Word n-grams of a text for the lexical diversity metrics: the text is normalised like the
 * curator's dedup text ({@link TextNormalizer}: NFKC, lower case, punctuation folded) and split on
 * spaces; n-grams do not cross sample boundaries.
 */
public final class NGrams {
    private static final long SEED = 0x5EED_D157L;

    private NGrams() {}

    /** The words of {@code text} after normalisation. */
    public static List<String> words(String text) {
        return TextNormalizer.words(TextNormalizer.normalize(text));
    }

    /** 64-bit hashes of the n-grams of {@code words}, in order (length {@code max(0, words − n + 1)}). */
    public static long[] hashes(List<String> words, int n) {
        int count = Math.max(0, words.size() - n + 1);
        long[] out = new long[count];
        StringBuilder gram = new StringBuilder();
        for (int i = 0; i < count; i++) {
            gram.setLength(0);
            for (int j = 0; j < n; j++) {
                gram.append(words.get(i + j)).append('\u0001');
            }
            out[i] = MurmurHash3.hash(gram.toString().getBytes(StandardCharsets.UTF_8), SEED)[0];
        }
        return out;
    }

    /**
     * distinct-n of a set of texts computed exactly: unique n-grams / total n-grams (Li et al.
     * 2016), or null when the texts have no n-gram.
     */
    public static Double distinct(List<List<String>> tokenized, int n) {
        Set<List<String>> unique = new HashSet<>();
        long total = 0;
        for (List<String> words : tokenized) {
            for (int i = 0; i + n <= words.size(); i++) {
                unique.add(new ArrayList<>(words.subList(i, i + n)));
                total++;
            }
        }
        return total == 0 ? null : (double) unique.size() / total;
    }
}
