package io.synthstream.curator.logic;

/** Exact Jaccard similarity of two sorted, distinct shingle sets (as {@link Shingler} returns). */
public final class Jaccard {
    private Jaccard() {}

    /** |A ∩ B| / |A ∪ B|; 1.0 for two empty sets. */
    public static double exact(long[] a, long[] b) {
        if (a.length == 0 && b.length == 0) {
            return 1.0;
        }
        int intersection = intersection(a, b);
        return (double) intersection / (a.length + b.length - intersection);
    }

    /** |A ∩ B| / |A|: how much of A is contained in B; 0.0 when A is empty. */
    public static double containment(long[] a, long[] b) {
        return a.length == 0 ? 0.0 : (double) intersection(a, b) / a.length;
    }

    private static int intersection(long[] a, long[] b) {
        return io.synthstream.common.text.SortedArrays.shared(a, b);
    }
}
