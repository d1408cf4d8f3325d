package io.synthstream.curator.logic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Random-hyperplane LSH (Charikar's SimHash) band keys for semantic dedup of sentence embeddings.
 *
 * <p>Each of {@code bands × rows} hyperplanes through the origin has a normal drawn from a seeded
 * standard normal; a vector's bit for a plane is the side it lies on. Two vectors at angle
 * {@code θ} get the same bit with probability {@code 1 − θ/π}, so a band of {@code rows} bits is
 * equal with probability {@code p^rows} and two vectors become candidates (some band equal) with
 * probability {@code 1 − (1 − p^rows)^bands}: an S-curve in the cosine. For the default 20 × 10 it
 * is 0.30 at cosine 0.5, 0.67 at 0.7, 0.88 at 0.8 and 0.95 at 0.85 ({@link #candidateProbability};
 * the docs' table). The cosine check against the stored vector then decides; the curve only bounds
 * recall.
 *
 * <p>Written here because no maintained Java library offers it on Maven Central; it is a few lines
 * over a seeded {@link Random} (whose Gaussian sequence the JDK specifies), so every instance of
 * the cluster draws the same planes and band keys are comparable. A key names the vector size, so
 * vectors of different models never meet in a bucket. Planes are made once per dimension count.
 */
public final class HyperplaneLsh {
    public static final int DEFAULT_BANDS = 20;
    public static final int DEFAULT_ROWS = 10;
    public static final long DEFAULT_SEED = 42L;

    private static final HyperplaneLsh DEFAULTS = new HyperplaneLsh(DEFAULT_BANDS, DEFAULT_ROWS, DEFAULT_SEED);

    private final int bands;
    private final int rows;
    private final long seed;
    private final Map<Integer, float[][]> planes = new ConcurrentHashMap<>();

    public HyperplaneLsh(int bands, int rows, long seed) {
        if (bands < 1 || rows < 1 || rows > 31) {
            throw new IllegalArgumentException("bands must be at least 1 and rows 1 to 31: " + bands + " x " + rows);
        }
        this.bands = bands;
        this.rows = rows;
        this.seed = seed;
    }

    /** The default 20 bands of 10 planes, shared. */
    public static HyperplaneLsh defaults() {
        return DEFAULTS;
    }

    /** The chance that two vectors at {@code cosine} share at least one band key. */
    public double candidateProbability(double cosine) {
        double p = 1 - Math.acos(Math.max(-1, Math.min(1, cosine))) / Math.PI;
        return 1 - Math.pow(1 - Math.pow(p, rows), bands);
    }

    /** The band keys of a vector: {@code s<dims>.<band>:<bits in hex>}, one per band, in band order. */
    public List<String> bandKeys(float[] vector) {
        float[][] normals = planes.computeIfAbsent(vector.length, this::draw);
        List<String> keys = new ArrayList<>(bands);
        for (int band = 0; band < bands; band++) {
            int bits = 0;
            for (int row = 0; row < rows; row++) {
                float[] normal = normals[band * rows + row];
                double dot = 0;
                for (int i = 0; i < vector.length; i++) {
                    dot += normal[i] * vector[i];
                }
                bits = (bits << 1) | (dot >= 0 ? 1 : 0);
            }
            keys.add("s" + vector.length + "." + band + ":" + Integer.toHexString(bits));
        }
        return keys;
    }

    private float[][] draw(int dimensions) {
        Random random = new Random(seed ^ dimensions);
        float[][] normals = new float[bands * rows][dimensions];
        for (float[] normal : normals) {
            for (int i = 0; i < dimensions; i++) {
                normal[i] = (float) random.nextGaussian();
            }
        }
        return normals;
    }
}
