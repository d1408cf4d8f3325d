package io.synthstream.common.avro;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * The one codec for Avro records nested as bytes inside the apps' internal records (a condition
 * inside a pending sample, a sample inside a pending score, ...): Avro's single-object encoding,
 * which carries the schema fingerprint, through the generated classes' {@code toByteBuffer} and
 * {@code fromByteBuffer}. Failures become unchecked: a nested record that cannot be read means
 * corrupt state, not bad input.
 */
public final class SingleObject {
    private SingleObject() {}

    /** A generated class's {@code toByteBuffer}. */
    @FunctionalInterface
    public interface Encoder {
        ByteBuffer encode() throws IOException;
    }

    /** A generated class's static {@code fromByteBuffer}. */
    @FunctionalInterface
    public interface Decoder<T> {
        T decode(ByteBuffer bytes) throws IOException;
    }

    /** {@code encode(sample::toByteBuffer)}. */
    public static ByteBuffer encode(Encoder encoder) {
        try {
            return encoder.encode();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode an internal record", e);
        }
    }

    /** {@code decode(Sample::fromByteBuffer, bytes)}; {@code bytes} is not consumed. */
    public static <T> T decode(Decoder<T> decoder, ByteBuffer bytes) {
        try {
            return decoder.decode(bytes.duplicate());
        } catch (IOException e) {
            throw new UncheckedIOException("Corrupt internal record", e);
        }
    }
}
