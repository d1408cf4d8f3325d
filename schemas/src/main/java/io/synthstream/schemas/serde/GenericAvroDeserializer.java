package io.synthstream.schemas.serde;

import io.synthstream.schemas.registry.SchemaRegistryClient;
import io.synthstream.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format Avro written with any schema into generic values (a {@code
 * GenericRecord} for a record schema), with the writer schema from the registry: for topics whose
 * schema SynthStream does not own, such as a user's seed topic. Malformed payloads become a
 * {@link SerializationException} naming the problem, as in {@link SpecificAvroDeserializer}.
 */
public final class GenericAvroDeserializer implements Deserializer<Object> {
    private final SchemaRegistryClient client;
    private final Map<Integer, GenericDatumReader<Object>> readers = new ConcurrentHashMap<>();

    /** @param client the registry (not closed by this deserializer) */
    public GenericAvroDeserializer(SchemaRegistryClient client) {
        this.client = client;
    }

    @Override
    public Object deserialize(String topic, byte[] payload) {
        if (payload == null) {
            return null;
        }
        int schemaId = WireFormat.schemaId(payload, topic);
        GenericDatumReader<Object> reader = readers.computeIfAbsent(schemaId, id -> {
            try {
                Schema writer = client.getById(id);
                return new GenericDatumReader<>(writer);
            } catch (SchemaRegistryException e) {
                throw new SerializationException(
                        "Unknown schema id " + id + " on topic " + topic + ": " + e.getMessage(), e);
            }
        });
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(payload, WireFormat.HEADER_SIZE, payload.length - WireFormat.HEADER_SIZE, null);
        try {
            Object value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerializationException("Corrupt payload on topic " + topic
                        + ": trailing bytes after the value (schema id " + schemaId + ")");
            }
            return value;
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new SerializationException(
                    "Truncated or corrupt Avro payload on topic " + topic + " (schema id " + schemaId + ", "
                            + payload.length + " bytes): " + e,
                    e);
        }
    }
}
