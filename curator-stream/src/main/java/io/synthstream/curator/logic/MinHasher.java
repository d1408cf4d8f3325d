package io.synthstream.curator.logic;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * MinHash signatures and LSH band keys for near-duplicate detection.
 *
 * <p>A signature has {@code bands × rows} slots; slot {@code i} is the minimum over the shingle set
 * of {@code h_i(s) = fmix64(s ^ seed_i)}, a family of independently seeded 64-bit hash functions.
 * Two sets agree in a slot with probability close to their Jaccard similarity, so the share of
 * equal slots estimates it. Banding: the signature is cut into {@code bands} bands of {@code rows}
 * slots and each band is hashed into a key; two samples become candidates when any band key is
 * equal, which happens with probability {@code 1 - (1 - J^rows)^bands} — an S-curve whose midpoint
 * is about {@code (1/bands)^(1/rows)} (0.72 for the default 14 × 8, as in datatrove).
 *
 * <p>Written here because no maintained MinHash/LSH library for Java is on Maven Central; the hash
 * family is the well-known seeded-finalizer construction, and the estimator is checked against
 * exact Jaccard in the tests. Instances are immutable and thread-safe; the same seed gives the same
 * signatures on every instance, which is what makes band keys comparable across the cluster.
 */
public final class MinHasher {
    public static final int DEFAULT_BANDS = 14;
    public static final int DEFAULT_ROWS = 8;
    public static final long DEFAULT_SEED = 42L;

    private final int bands;
    private final int rows;
    private final long[] seeds;

    public MinHasher(int bands, int rows, long seed) {
        if (bands < 1 || rows < 1) {
            throw new IllegalArgumentException("bands and rows must be at least 1: " + bands + " x " + rows);
        }
        this.bands = bands;
        this.rows = rows;
        SplittableRandom random = new SplittableRandom(seed);
        this.seeds = new long[bands * rows];
        for (int i = 0; i < seeds.length; i++) {
            seeds[i] = random.nextLong();
        }
    }

    public static MinHasher defaults() {
        return new MinHasher(DEFAULT_BANDS, DEFAULT_ROWS, DEFAULT_SEED);
    }

    public int bands() {
        return bands;
    }

    public int rows() {
        return rows;
    }

    /** The Jaccard similarity at which two samples are candidates with probability 1/2 (about). */
    public double threshold() {
        return Math.pow(1.0 / bands, 1.0 / rows);
    }

    /** The signature of a shingle set; all slots are {@link Long#MAX_VALUE} for an empty set. */
    public long[] signature(long[] shingles) {
        long[] signature = new long[seeds.length];
        java.util.Arrays.fill(signature, Long.MAX_VALUE);
        for (long shingle : shingles) {
            for (int i = 0; i < seeds.length; i++) {
                long h = Mix.mix64(shingle ^ seeds[i]);
                if (h < signature[i]) {
                    signature[i] = h;
                }
            }
        }
        return signature;
    }

    /** The share of equal slots: an estimate of the Jaccard similarity of the two sets. */
    public static double estimateJaccard(long[] a, long[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("signatures of different or zero length");
        }
        int equal = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                equal++;
            }
        }
        return (double) equal / a.length;
    }

    /**
     * One key per band, {@code "<band>:<16 hex digits>"}: the hash of the band's slots prefixed by
     * the band index, so equal slots in different bands never collide. Empty for a signature of an
     * empty set (nothing to compare).
     */
    public List<String> bandKeys(long[] signature) {
        if (signature.length != seeds.length) {
            throw new IllegalArgumentException(
                    "signature of length " + signature.length + ", expected " + seeds.length);
        }
        if (signature[0] == Long.MAX_VALUE && allEmpty(signature)) {
            return List.of();
        }
        List<String> keys = new ArrayList<>(bands);
        for (int band = 0; band < bands; band++) {
            long h = band;
            for (int row = 0; row < rows; row++) {
                h = Mix.mix64(h ^ signature[band * rows + row]) + row;
            }
            keys.add(band + ":" + HexFormat.of().toHexDigits(h));
        }
        return keys;
    }

    private static boolean allEmpty(long[] signature) {
        for (long slot : signature) {
            if (slot != Long.MAX_VALUE) {
                return false;
            }
        }
        return true;
    }
}
