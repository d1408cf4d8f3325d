package io.synthstream.common.text;

/** Counting what two sorted arrays share, in one merge pass. */
public final class SortedArrays {
    private SortedArrays() {}

    /**
     * How many values {@code a} and {@code b}, both sorted ascending, have in common, a value
     * counted as often as both hold it: the size of their intersection as sets (shingle sets) or
     * as multisets (an instruction's words).
     */
    public static int shared(long[] a, long[] b) {
        int i = 0;
        int j = 0;
        int common = 0;
        while (i < a.length && j < b.length) {
            if (a[i] == b[j]) {
                common++;
                i++;
                j++;
            } else if (a[i] < b[j]) {
                i++;
            } else {
                j++;
            }
        }
        return common;
    }
}
