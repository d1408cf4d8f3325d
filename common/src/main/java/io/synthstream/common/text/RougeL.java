package io.synthstream.common.text;

import java.util.List;

/**
 * ROUGE-L (Lin, 2004): the longest common subsequence of two texts' words, as an F1 of its
 * precision (over the candidate's words) and recall (over the reference's). Self-Instruct keeps a
 * new instruction only when its ROUGE-L against every earlier one is below 0.7; Evol-Instruct's
 * eliminator reads a high score against the parent as no information gain. Words are those of
 * {@link TextNormalizer} (NFKC, lower case, punctuation folded). Written here rather than taken
 * from a library: the Java ROUGE packages on Maven Central are unmaintained research code, and the
 * measure is one dynamic programme.
 */
public final class RougeL {
    /** Texts are cut to this many words, which bounds a comparison to 4M cells. */
    public static final int MAX_WORDS = 2000;

    private RougeL() {}

    /** ROUGE-L F1 of {@code candidate} against {@code reference}, in [0, 1]; 0 when either has no word. */
    public static double f1(String candidate, String reference) {
        return f1(words(candidate), words(reference));
    }

    /** ROUGE-L F1 of two word lists. */
    public static double f1(List<String> candidate, List<String> reference) {
        if (candidate.isEmpty() || reference.isEmpty()) {
            return 0;
        }
        int lcs = lcs(candidate, reference);
        if (lcs == 0) {
            return 0;
        }
        double precision = (double) lcs / candidate.size();
        double recall = (double) lcs / reference.size();
        return 2 * precision * recall / (precision + recall);
    }

    /** The length of the longest common subsequence, in two rows of the table. */
    static int lcs(List<String> a, List<String> b) {
        int[] previous = new int[b.size() + 1];
        int[] current = new int[b.size() + 1];
        for (String x : a) {
            for (int j = 1; j <= b.size(); j++) {
                current[j] = x.equals(b.get(j - 1)) ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.size()];
    }

    /**
     * ROUGE-L F1 of two word lists given as ids (equal words have equal ids), as {@code 2 LCS / (m
     * + n)}, which equals the F1 of precision {@code LCS / m} and recall {@code LCS / n}.
     */
    public static double f1(int[] candidate, int[] reference) {
        if (candidate.length == 0 || reference.length == 0) {
            return 0;
        }
        return 2.0 * lcs(candidate, reference) / (candidate.length + reference.length);
    }

    /**
     * An upper bound of {@link #f1(int[], int[])} from the words two lists share in any order: their
     * longest common subsequence is at most their multiset intersection. Both arrays sorted.
     */
    public static double bound(long[] sortedCandidate, long[] sortedReference) {
        if (sortedCandidate.length == 0 || sortedReference.length == 0) {
            return 0;
        }
        return 2.0
                * SortedArrays.shared(sortedCandidate, sortedReference)
                / (sortedCandidate.length + sortedReference.length);
    }

    static int lcs(int[] a, int[] b) {
        int[] previous = new int[b.length + 1];
        int[] current = new int[b.length + 1];
        for (int x : a) {
            for (int j = 1; j <= b.length; j++) {
                current[j] = x == b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length];
    }

    /** The normalised words of a text, at most {@link #MAX_WORDS}. */
    public static List<String> words(String text) {
        List<String> words = TextNormalizer.words(TextNormalizer.normalize(text == null ? "" : text));
        return words.size() > MAX_WORDS ? words.subList(0, MAX_WORDS) : words;
    }
}
