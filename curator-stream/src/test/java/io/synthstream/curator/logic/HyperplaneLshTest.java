package io.synthstream.curator.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HyperplaneLshTest {
    private final HyperplaneLsh lsh = HyperplaneLsh.defaults();

    /** The S-curve the docs print, measured on random pairs at a set cosine against the formula. */
    @Test
    void theShareOfCandidatePairsFollowsTheSCurve() {
        Random random = new Random(3);
        for (double cosine : new double[] {0.5, 0.7, 0.8, 0.9}) {
            int candidates = 0;
            int trials = 400;
            for (int t = 0; t < trials; t++) {
                float[] a = unit(gaussian(random, 384));
                float[] noise = unit(orthogonal(gaussian(random, 384), a));
                float[] b = new float[384];
                double sine = Math.sqrt(1 - cosine * cosine);
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (cosine * a[i] + sine * noise[i]);
                }
                if (!Collections.disjoint(lsh.bandKeys(a), lsh.bandKeys(b))) {
                    candidates++;
                }
            }
            assertThat((double) candidates / trials)
                    .as("candidate share at cosine %s", cosine)
                    .isCloseTo(lsh.candidateProbability(cosine), within(0.07));
        }
        assertThat(lsh.candidateProbability(0.8)).isCloseTo(0.88, within(0.005));
        assertThat(lsh.candidateProbability(0.5)).isCloseTo(0.30, within(0.005));
    }

    @Test
    void keysAreTheSameOnEveryInstanceAndNameTheVectorSize() {
        float[] v = unit(gaussian(new Random(1), 64));
        List<String> keys = new HyperplaneLsh(20, 10, HyperplaneLsh.DEFAULT_SEED).bandKeys(v);
        assertThat(keys).hasSize(20).isEqualTo(lsh.bandKeys(v.clone()));
        assertThat(keys.get(0)).startsWith("s64.0:");
        assertThat(lsh.bandKeys(unit(gaussian(new Random(1), 384))).get(0)).startsWith("s384.0:");
    }

    private static float[] gaussian(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static float[] orthogonal(float[] v, float[] to) {
        double dot = 0;
        for (int i = 0; i < v.length; i++) {
            dot += v[i] * to[i];
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] - dot * to[i]);
        }
        return out;
    }

    private static float[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / Math.sqrt(norm));
        }
        return out;
    }
}
