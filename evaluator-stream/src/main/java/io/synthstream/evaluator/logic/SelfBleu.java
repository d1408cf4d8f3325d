package io.synthstream.evaluator.logic;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Self-BLEU (Zhu et al. 2018, Texygen): the mean, over the samples of a set, of the BLEU-4 of each
 * sample against all the others as references. Higher means the samples repeat each other's
 * phrasing. Per hypothesis this is NLTK's {@code sentence_bleu} with uniform weights (¼ each), the
 * brevity penalty against the closest reference length, and {@code SmoothingFunction().method1}
 * (an ε of 0.1 added to an n-gram order with no match); a hypothesis with no matching unigram
 * scores 0.
 *
 * <p>Cost is linear in the total number of n-grams: for every n-gram the largest and second
 * largest count over the set are kept, so "the largest count among the <em>other</em> samples" is
 * known without an O(N²) pass. The evaluator runs it on a bounded sample of the dataset.
 */
public final class SelfBleu {
    public static final int MAX_N = 4;
    static final double EPSILON = 0.1;

    private SelfBleu() {}

    /** Self-BLEU of tokenised texts, or null with fewer than two texts. */
    public static Double of(List<List<String>> texts) {
        int size = texts.size();
        if (size < 2) {
            return null;
        }
        // For each order: n-gram -> {largest count, its text, second largest count}.
        List<Map<Long, long[]>> top = new java.util.ArrayList<>();
        List<List<Map<Long, Integer>>> counts = new java.util.ArrayList<>();
        for (int n = 1; n <= MAX_N; n++) {
            Map<Long, long[]> best = new HashMap<>();
            List<Map<Long, Integer>> perText = new java.util.ArrayList<>();
            for (int d = 0; d < size; d++) {
                Map<Long, Integer> c = new HashMap<>();
                for (long g : NGrams.hashes(texts.get(d), n)) {
                    c.merge(g, 1, Integer::sum);
                }
                perText.add(c);
                for (Map.Entry<Long, Integer> e : c.entrySet()) {
                    long[] b = best.computeIfAbsent(e.getKey(), k -> new long[] {0, -1, 0});
                    int v = e.getValue();
                    if (v > b[0]) {
                        b[2] = b[0];
                        b[0] = v;
                        b[1] = d;
                    } else if (v > b[2]) {
                        b[2] = v;
                    }
                }
            }
            top.add(best);
            counts.add(perText);
        }
        double total = 0;
        for (int h = 0; h < size; h++) {
            total += bleu(h, texts, top, counts);
        }
        return total / size;
    }

    private static double bleu(
            int h, List<List<String>> texts, List<Map<Long, long[]>> top, List<List<Map<Long, Integer>>> counts) {
        double logSum = 0;
        for (int n = 1; n <= MAX_N; n++) {
            Map<Long, Integer> mine = counts.get(n - 1).get(h);
            Map<Long, long[]> best = top.get(n - 1);
            long matched = 0;
            long hypTotal = 0;
            for (Map.Entry<Long, Integer> e : mine.entrySet()) {
                long[] b = best.get(e.getKey());
                long otherMax = b[1] == h ? b[2] : b[0];
                matched += Math.min(e.getValue(), otherMax);
                hypTotal += e.getValue();
            }
            if (n == 1 && matched == 0) {
                return 0;
            }
            double denominator = Math.max(1, hypTotal);
            double precision = matched == 0 ? EPSILON / denominator : matched / denominator;
            logSum += Math.log(precision) / MAX_N;
        }
        int hypLength = texts.get(h).size();
        int closest = -1;
        for (int r = 0; r < texts.size(); r++) {
            if (r == h) {
                continue;
            }
            int len = texts.get(r).size();
            if (closest < 0
                    || Math.abs(len - hypLength) < Math.abs(closest - hypLength)
                    || (Math.abs(len - hypLength) == Math.abs(closest - hypLength) && len < closest)) {
                closest = len;
            }
        }
        double brevity = hypLength > closest ? 1 : hypLength == 0 ? 0 : Math.exp(1 - (double) closest / hypLength);
        return brevity * Math.exp(logSum);
    }
}
