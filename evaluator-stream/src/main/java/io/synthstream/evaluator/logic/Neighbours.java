package io.synthstream.evaluator.logic;

import java.util.Collection;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Nearest-neighbour scores of a sample against earlier samples of its dataset (unit vectors, so
 * cosine similarity is the dot product).
 *
 * <ul>
 *   <li><b>Label consistency</b>: among the k most similar earlier samples that carry a label, the
 *       share whose label equals the sample's (ties in similarity broken by sample id). A low value
 *       flags a sample whose text reads like another class: a likely mislabel.
 *   <li><b>Novelty</b>: 1 − the largest cosine similarity to an earlier sample; 1 for the first
 *       sample's vector orthogonal to all, 0 for a repeat.
 * </ul>
 */
public final class Neighbours {
    private Neighbours() {}

    /** An earlier sample: its id, label (may be null) and unit vector. */
    public record Point(String id, String label, float[] vector) {}

    public static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * The vote of the k most similar earlier labelled samples on a sample's label.
     *
     * @param consistency share of the voters that carry the sample's label
     * @param majority the label most voters carry (ties: the sample's own, else the smallest)
     * @param share share of the voters that carry {@code majority}
     * @param voters how many neighbours voted (at most k)
     * @param counts votes per label
     */
    public record Vote(double consistency, String majority, double share, int voters, Map<String, Integer> counts) {
        public Vote {
            counts = Map.copyOf(counts);
        }

        /** The share of the voters that carry {@code label}. */
        public double shareOf(String label) {
            return voters == 0 ? 0.0 : (double) counts.getOrDefault(label, 0) / voters;
        }

        /** Whether the majority names another label with at least {@code confidence} of {@code minVoters}+ votes. */
        public boolean disagrees(String label, double confidence, int minVoters) {
            return voters >= minVoters && !majority.equals(label) && share >= confidence;
        }
    }

    /** Label consistency in [0,1], or null without a label or labelled neighbours. */
    public static Double labelConsistency(float[] vector, String label, Collection<Point> earlier, int k) {
        Vote vote = vote(vector, label, earlier, k);
        return vote == null ? null : vote.consistency();
    }

    /** The neighbours' vote, or null without a label or labelled neighbours. */
    public static Vote vote(float[] vector, String label, Collection<Point> earlier, int k) {
        if (label == null || k < 1) {
            return null;
        }
        record Scored(double similarity, Point point) {}
        PriorityQueue<Scored> nearest = new PriorityQueue<>((a, b) -> {
            int c = Double.compare(a.similarity, b.similarity);
            return c != 0 ? c : b.point.id().compareTo(a.point.id());
        });
        for (Point p : earlier) {
            if (p.label() == null) {
                continue;
            }
            nearest.add(new Scored(dot(vector, p.vector()), p));
            if (nearest.size() > k) {
                nearest.poll();
            }
        }
        if (nearest.isEmpty()) {
            return null;
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (Scored s : nearest) {
            counts.merge(s.point.label(), 1, Integer::sum);
        }
        int same = counts.getOrDefault(label, 0);
        String majority = label;
        int most = same;
        for (Map.Entry<String, Integer> c : counts.entrySet()) {
            if (c.getValue() > most) {
                majority = c.getKey();
                most = c.getValue();
            }
        }
        int n = nearest.size();
        return new Vote((double) same / n, majority, (double) most / n, n, counts);
    }

    /** 1 − max cosine similarity to an earlier sample, clamped to [0, 2]; null when there is none. */
    public static Double novelty(float[] vector, Collection<Point> earlier) {
        double best = Double.NEGATIVE_INFINITY;
        for (Point p : earlier) {
            best = Math.max(best, dot(vector, p.vector()));
        }
        return earlier.isEmpty() ? null : Math.max(0, Math.min(2, 1 - best));
    }
}
