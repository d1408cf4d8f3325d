package io.synthstream.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VectorCodecTest {

    @Test
    void theLargestComponentIsPlusOrMinus127AndTheDecodedVectorHasUnitLength() {
        ByteBuffer encoded = VectorCodec.encode(new float[] {0.5f, -0.25f, 0.0f, -0.5f});
        assertThat(encoded.array()).containsExactly(127, -63, 0, -127); // -63.5 rounds half up
        float[] decoded = VectorCodec.decode(encoded);
        double norm = 0;
        for (float v : decoded) {
            norm += v * v;
        }
        assertThat(norm).isCloseTo(1.0, within(1e-6));
        assertThat(VectorCodec.encode(new float[3]).array()).containsExactly(0, 0, 0);
    }

    /** The error bound the schema's doc and the architecture page quote, measured on sentence-like vectors. */
    @Test
    void cosinesOfEncodedVectorsAreWithinTwoThousandthsOfTheOriginals() {
        Random random = new Random(7);
        double worst = 0;
        for (int pair = 0; pair < 2_000; pair++) {
            float[] a = Embedder.normalize(gaussian(random, 384));
            float[] b = Embedder.normalize(mix(a, gaussian(random, 384), random.nextDouble()));
            double exact = 0;
            for (int i = 0; i < a.length; i++) {
                exact += a[i] * b[i];
            }
            double coded = VectorCodec.cosine(VectorCodec.encode(a), VectorCodec.encode(b));
            worst = Math.max(worst, Math.abs(coded - exact));
        }
        assertThat(worst).isLessThan(0.002).isGreaterThan(0.0);
    }

    @Test
    void vectorsOfDifferentSizesOrZeroVectorsHaveCosineZero() {
        assertThat(VectorCodec.cosine(ByteBuffer.wrap(new byte[] {1, 2}), ByteBuffer.wrap(new byte[] {1, 2, 3})))
                .isZero();
        assertThat(VectorCodec.cosine(ByteBuffer.wrap(new byte[] {0, 0}), ByteBuffer.wrap(new byte[] {1, 2})))
                .isZero();
        assertThat(VectorCodec.cosine(ByteBuffer.wrap(new byte[] {3, 4}), ByteBuffer.wrap(new byte[] {6, 8})))
                .isCloseTo(1.0, within(1e-12));
    }

    private static float[] gaussian(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static float[] mix(float[] a, float[] noise, double weight) {
        float[] v = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            v[i] = (float) (a[i] * (1 - weight) + noise[i] * weight * 0.05);
        }
        return v;
    }
}
