package io.synthstream.schemas.serde;

import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The Confluent wire format: magic byte {@code 0}, the schema id as a 4-byte big-endian int, then
 * the Avro binary encoding of the value. Subjects follow the TopicNameStrategy: {@code
 * <topic>-key} and {@code <topic>-value}.
 */
public final class WireFormat {
    public static final byte MAGIC_BYTE = 0x0;
    public static final int HEADER_SIZE = 5;

    private WireFormat() {}

    /** The TopicNameStrategy subject of a topic's keys or values. */
    public static String subject(String topic, boolean isKey) {
        if (topic == null) {
            throw new SerializationException("The topic name is required to derive the schema subject");
        }
        return topic + (isKey ? "-key" : "-value");
    }

    /**
     * Reads and checks the header, returning the schema id.
     *
     * @throws SerializationException for a payload shorter than the header or a wrong magic byte
     */
    public static int schemaId(byte[] payload, String topic) {
        if (payload.length < HEADER_SIZE) {
            throw new SerializationException("Truncated payload on topic " + topic + ": " + payload.length
                    + " bytes, but the Confluent wire format needs at least " + HEADER_SIZE
                    + " (magic byte and 4-byte schema id)");
        }
        if (payload[0] != MAGIC_BYTE) {
            throw new SerializationException(String.format(
                    "Unknown magic byte 0x%02x on topic %s: expected 0x00 (Confluent wire format); the record was"
                            + " not written by an Avro serializer with a schema registry",
                    payload[0] & 0xff, topic));
        }
        return ByteBuffer.wrap(payload, 1, 4).getInt();
    }

    /** Writes the 5-byte header for {@code schemaId}. */
    public static void writeHeader(ByteBuffer buffer, int schemaId) {
        buffer.put(MAGIC_BYTE).putInt(schemaId);
    }
}
