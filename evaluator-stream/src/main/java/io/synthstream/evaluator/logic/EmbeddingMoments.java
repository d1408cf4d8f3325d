package io.synthstream.evaluator.logic;

import java.nio.ByteBuffer;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Running first and second moments of unit-length embeddings, from which two diversity metrics
 * follow exactly in O(d²) memory, whatever the number of samples N:
 *
 * <ul>
 *   <li><b>Mean pairwise cosine similarity</b> over the N(N−1) ordered pairs of distinct samples:
 *       with s = Σ xᵢ and ‖xᵢ‖ = 1, Σ_{i≠j} xᵢ·xⱼ = ‖s‖² − N, so the mean is (‖s‖² − N) / (N(N−1)).
 *   <li><b>Vendi score</b> (Friedman &amp; Dieng 2023): exp(−Σ λ log λ) over the eigenvalues λ of
 *       K/N, K the N×N cosine kernel XXᵀ. XXᵀ and the d×d matrix XᵀX share their non-zero
 *       eigenvalues, so the score comes from G = XᵀX/N, kept as a running sum of outer products
 *       (O(d²) per sample) and decomposed when a report is made (O(d³), d = 384 for MiniLM). It
 *       is the effective number of distinct samples: 1 when all are the same, N when orthogonal.
 * </ul>
 *
 * Only the upper triangle of XᵀX is stored (d(d+1)/2 doubles, 591 KB at d = 384).
 */
public final class EmbeddingMoments {
    private final int dimension;
    private long count;
    private final double[] sum;
    private final double[] gram; // upper triangle, row-major: (i, j) with j >= i

    public EmbeddingMoments(int dimension) {
        this.dimension = dimension;
        this.sum = new double[dimension];
        this.gram = new double[dimension * (dimension + 1) / 2];
    }

    public int dimension() {
        return dimension;
    }

    public long count() {
        return count;
    }

    /** Adds one unit-length vector. */
    public void add(float[] x) {
        if (x.length != dimension) {
            throw new IllegalArgumentException("Expected a " + dimension + "-d vector, got " + x.length);
        }
        count++;
        int k = 0;
        for (int i = 0; i < dimension; i++) {
            double xi = x[i];
            sum[i] += xi;
            for (int j = i; j < dimension; j++) {
                gram[k++] += xi * x[j];
            }
        }
    }

    /** (‖Σx‖² − N) / (N(N−1)); null below two samples. */
    public Double meanPairwiseCosine() {
        if (count < 2) {
            return null;
        }
        double squared = 0;
        for (double s : sum) {
            squared += s * s;
        }
        return (squared - count) / ((double) count * (count - 1));
    }

    /** The Vendi score of the vectors added so far; null when empty. */
    public Double vendi() {
        if (count == 0) {
            return null;
        }
        DMatrixRMaj g = new DMatrixRMaj(dimension, dimension);
        int k = 0;
        for (int i = 0; i < dimension; i++) {
            for (int j = i; j < dimension; j++) {
                double v = gram[k++] / count;
                g.unsafe_set(i, j, v);
                g.unsafe_set(j, i, v);
            }
        }
        return Vendi.fromSymmetric(g);
    }

    /** Moments of a list of unit vectors, computed from scratch (windows). */
    public static EmbeddingMoments of(List<float[]> vectors, int dimension) {
        EmbeddingMoments m = new EmbeddingMoments(dimension);
        vectors.forEach(m::add);
        return m;
    }

    public ByteBuffer toBytes() {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 + 8 * (sum.length + gram.length));
        b.putInt(dimension).putLong(count);
        for (double v : sum) {
            b.putDouble(v);
        }
        for (double v : gram) {
            b.putDouble(v);
        }
        return b.flip();
    }

    public static EmbeddingMoments fromBytes(ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate();
        EmbeddingMoments m = new EmbeddingMoments(b.getInt());
        m.count = b.getLong();
        for (int i = 0; i < m.sum.length; i++) {
            m.sum[i] = b.getDouble();
        }
        for (int i = 0; i < m.gram.length; i++) {
            m.gram[i] = b.getDouble();
        }
        return m;
    }

    /** The Vendi score of a symmetric positive semi-definite matrix with unit trace. */
    public static final class Vendi {
        private Vendi() {}

        /** exp(−Σ λ log λ) over the eigenvalues of {@code matrix} (negative round-off counts as 0). */
        public static double fromSymmetric(DMatrixRMaj matrix) {
            EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(matrix.numRows, false, true);
            if (!eig.decompose(matrix.copy())) {
                throw new IllegalStateException("Eigen-decomposition did not converge");
            }
            double entropy = 0;
            for (int i = 0; i < eig.getNumberOfEigenvalues(); i++) {
                double lambda = eig.getEigenvalue(i).getReal();
                if (lambda > 0) {
                    entropy -= lambda * Math.log(lambda);
                }
            }
            return Math.exp(entropy);
        }
    }
}
