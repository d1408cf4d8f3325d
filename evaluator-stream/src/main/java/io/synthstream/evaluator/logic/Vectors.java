package io.synthstream.evaluator.logic;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Embeddings as bytes in the evaluator's internal records: float32s, little endian. */
public final class Vectors {
    private Vectors() {}

    public static ByteBuffer encode(float[] vector) {
        ByteBuffer b = ByteBuffer.allocate(4 * vector.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : vector) {
            b.putFloat(x);
        }
        return b.flip();
    }

    /** The vector, or null for null bytes; {@code bytes} is not consumed. */
    public static float[] decode(ByteBuffer bytes) {
        if (bytes == null) {
            return null;
        }
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = b.getFloat();
        }
        return v;
    }
}
