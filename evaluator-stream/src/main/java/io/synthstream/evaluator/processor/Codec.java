package io.synthstream.evaluator.processor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Encodings of values nested in the evaluator's internal records. */
final class Codec {
    private Codec() {}

    interface Encoder {
        ByteBuffer encode() throws IOException;
    }

    interface Decoder<T> {
        T decode(ByteBuffer bytes) throws IOException;
    }

    /** An Avro record's single-object encoding. */
    static ByteBuffer encode(Encoder encoder) {
        try {
            return encoder.encode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T decode(Decoder<T> decoder, ByteBuffer bytes) {
        try {
            return decoder.decode(bytes.duplicate());
        } catch (IOException e) {
            throw new UncheckedIOException("Corrupt evaluator state or event", e);
        }
    }

    /** A float vector as little-endian float32s. */
    static ByteBuffer vector(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.flip();
    }

    static float[] vector(ByteBuffer bytes) {
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
