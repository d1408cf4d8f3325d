package io.synthstream.embedding;

import io.synthstream.avro.Embedding;
import java.nio.ByteBuffer;

/**
 * The compact encoding of a sentence embedding ({@link Embedding}): one signed byte per dimension,
 * the vector scaled so its largest component is ±127. A quarter of float32's size (384 bytes for
 * MiniLM) and, since only cosines are read, no scale needs storing: the decoded vector is
 * normalised again. The rounding error per component is at most half a step (1/254 of the largest
 * component), which moves a cosine by about 0.002 at most for 384 dimensions ({@code
 * VectorCodecTest} measures it).
 */
public final class VectorCodec {
    private VectorCodec() {}

    /** {@code vector} as an {@link Embedding} of {@code model}. */
    public static Embedding embedding(String model, float[] vector) {
        return new Embedding(model, vector.length, encode(vector));
    }

    /** One signed byte per component, the largest at ±127. */
    public static ByteBuffer encode(float[] vector) {
        float max = 0;
        for (float v : vector) {
            max = Math.max(max, Math.abs(v));
        }
        byte[] bytes = new byte[vector.length];
        if (max > 0) {
            for (int i = 0; i < vector.length; i++) {
                bytes[i] = (byte) Math.round(vector[i] / max * 127f);
            }
        }
        return ByteBuffer.wrap(bytes);
    }

    /** The unit vector an encoding stands for (a zero vector stays zero). */
    public static float[] decode(ByteBuffer encoded) {
        float[] vector = new float[encoded.remaining()];
        for (int i = 0; i < vector.length; i++) {
            vector[i] = encoded.get(encoded.position() + i);
        }
        return Embedder.normalize(vector);
    }

    /** The vector of an embedding. */
    public static float[] decode(Embedding embedding) {
        return decode(embedding.getVector());
    }

    /** The cosine of two encoded vectors of the same size; 0 when the sizes differ or one is empty. */
    public static double cosine(ByteBuffer a, ByteBuffer b) {
        int n = a.remaining();
        if (n == 0 || n != b.remaining()) {
            return 0.0;
        }
        long dot = 0;
        long na = 0;
        long nb = 0;
        for (int i = 0; i < n; i++) {
            int x = a.get(a.position() + i);
            int y = b.get(b.position() + i);
            dot += (long) x * y;
            na += (long) x * x;
            nb += (long) y * y;
        }
        return na == 0 || nb == 0 ? 0.0 : dot / Math.sqrt((double) na * nb);
    }
}
