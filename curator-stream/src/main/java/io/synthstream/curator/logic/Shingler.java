package io.synthstream.curator.logic;

import java.util.Arrays;
import java.util.List;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * Word n-gram shingles as 64-bit hashes: each word is hashed once (MurmurHash3), and a shingle's
 * hash is an order-sensitive mix of its words' hashes, so the cost is one string hash per word
 * rather than per shingle. A text shorter than {@code n} words yields one shingle of all its words,
 * so short samples still get a signature. The result is sorted and free of repeats: a set.
 */
public final class Shingler {
    private static final long WORD_SEED = 0x9E37_79B9_7F4A_7C15L;

    private final int n;

    /** @param n words per shingle (5 for near-duplicate detection, as datatrove does) */
    public Shingler(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("shingle size must be at least 1: " + n);
        }
        this.n = n;
    }

    public int size() {
        return n;
    }

    /** The shingle set of a normalised text's words. */
    public long[] shingles(List<String> words) {
        if (words.isEmpty()) {
            return new long[0];
        }
        long[] wordHashes = new long[words.size()];
        for (int i = 0; i < wordHashes.length; i++) {
            wordHashes[i] = MurmurHash3.hash(words.get(i).toCharArray(), WORD_SEED)[0];
        }
        int count = Math.max(1, wordHashes.length - n + 1);
        int width = Math.min(n, wordHashes.length);
        long[] shingles = new long[count];
        for (int start = 0; start < count; start++) {
            long h = 0;
            for (int j = 0; j < width; j++) {
                h = Mix.mix64(h ^ wordHashes[start + j]) + j;
            }
            shingles[start] = h;
        }
        Arrays.sort(shingles);
        return distinctSorted(shingles);
    }

    private static long[] distinctSorted(long[] sorted) {
        int unique = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (i == 0 || sorted[i] != sorted[i - 1]) {
                sorted[unique++] = sorted[i];
            }
        }
        return unique == sorted.length ? sorted : Arrays.copyOf(sorted, unique);
    }
}
