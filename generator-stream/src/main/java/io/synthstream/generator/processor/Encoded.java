package io.synthstream.generator.processor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/** Avro single-object encoding of records nested in the generator's internal store values. */
final class Encoded {
    private Encoded() {}

    interface Encoder {
        ByteBuffer encode() throws IOException;
    }

    static ByteBuffer of(Encoder encoder) {
        try {
            return encoder.encode();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode an internal record", e);
        }
    }
}
