package io.synthstream.evaluator.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class EmbeddingMetricsTest {
    private static final SplittableRandom SEEDS = new SplittableRandom(20261122);

    private static List<float[]> randomUnitVectors(SplittableRandom random, int n, int d) {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[d];
            double norm = 0;
            for (int j = 0; j < d; j++) {
                v[j] = (float) (random.nextDouble() * 2 - 1 + (j == 0 ? 0.5 : 0)); // correlated a little
                norm += v[j] * v[j];
            }
            for (int j = 0; j < d; j++) {
                v[j] = (float) (v[j] / Math.sqrt(norm));
            }
            out.add(v);
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    @RepeatedTest(5)
    void meanPairwiseCosineFromTheRunningSumEqualsTheQuadraticComputation() {
        SplittableRandom random = SEEDS.split();
        int n = 2 + random.nextInt(60);
        int d = 1 + random.nextInt(40);
        List<float[]> vectors = randomUnitVectors(random, n, d);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    sum += dot(vectors.get(i), vectors.get(j));
                }
            }
        }
        double quadratic = sum / ((double) n * (n - 1));

        assertThat(EmbeddingMoments.of(vectors, d).meanPairwiseCosine()).isCloseTo(quadratic, within(1e-9));
    }

    @Test
    void vendiFromTheDualMatrixEqualsTheEigenDecompositionOfTheKernel() {
        for (int[] shape : new int[][] {{20, 8}, {6, 16}, {40, 40}}) {
            int n = shape[0];
            int d = shape[1];
            List<float[]> vectors = randomUnitVectors(new SplittableRandom(n * 31L + d), n, d);
            DMatrixRMaj kernel = new DMatrixRMaj(n, n);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    kernel.set(i, j, dot(vectors.get(i), vectors.get(j)) / n);
                }
            }
            double direct = EmbeddingMoments.Vendi.fromSymmetric(kernel);

            assertThat(EmbeddingMoments.of(vectors, d).vendi())
                    .as("N=%d d=%d", n, d)
                    .isCloseTo(direct, within(1e-9));
        }
    }

    @Test
    void vendiIsOneForCopiesAndNForOrthogonalVectors() {
        List<float[]> copies = List.of(new float[] {1, 0, 0}, new float[] {1, 0, 0}, new float[] {1, 0, 0});
        List<float[]> orthogonal = List.of(new float[] {1, 0, 0}, new float[] {0, 1, 0}, new float[] {0, 0, 1});

        assertThat(EmbeddingMoments.of(copies, 3).vendi()).isCloseTo(1.0, within(1e-12));
        assertThat(EmbeddingMoments.of(orthogonal, 3).vendi()).isCloseTo(3.0, within(1e-12));
        assertThat(EmbeddingMoments.of(copies, 3).meanPairwiseCosine()).isCloseTo(1.0, within(1e-12));
        assertThat(EmbeddingMoments.of(orthogonal, 3).meanPairwiseCosine()).isCloseTo(0.0, within(1e-12));
        assertThat(new EmbeddingMoments(3).vendi()).isNull();
    }

    @Test
    void momentsSurviveSerialisation() {
        List<float[]> vectors = randomUnitVectors(new SplittableRandom(1), 30, 12);
        EmbeddingMoments m = EmbeddingMoments.of(vectors, 12);
        ByteBuffer bytes = m.toBytes();
        EmbeddingMoments restored = EmbeddingMoments.fromBytes(bytes);
        restored.add(vectors.get(0));
        m.add(vectors.get(0));

        assertThat(restored.count()).isEqualTo(31);
        assertThat(restored.vendi()).isEqualTo(m.vendi());
        assertThat(restored.meanPairwiseCosine()).isEqualTo(m.meanPairwiseCosine());
    }

    @Test
    void neighboursVoteOnLabelsAndMeasureNovelty() {
        List<Neighbours.Point> earlier = List.of(
                new Neighbours.Point("a", "pos", new float[] {1, 0}),
                new Neighbours.Point("b", "pos", new float[] {0.8f, 0.6f}),
                new Neighbours.Point("c", "neg", new float[] {0, 1}),
                new Neighbours.Point("d", null, new float[] {1, 0}));
        float[] x = {0.6f, 0.8f}; // closest: b (0.96), then c (0.8), then a (0.6)

        assertThat(Neighbours.labelConsistency(x, "pos", earlier, 1)).isEqualTo(1.0);
        assertThat(Neighbours.labelConsistency(x, "pos", earlier, 2)).isEqualTo(0.5);
        assertThat(Neighbours.labelConsistency(x, "pos", earlier, 3)).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(Neighbours.labelConsistency(x, null, earlier, 3)).isNull();
        assertThat(Neighbours.novelty(x, earlier)).isCloseTo(1 - 0.96, within(1e-6));
        assertThat(Neighbours.novelty(x, List.of())).isNull();
    }
}
