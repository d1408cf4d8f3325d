package io.synthstream.schemas.serde;

import io.synthstream.schemas.registry.SchemaRegistryClient;
import io.synthstream.schemas.registry.SchemaRegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent wire-format Avro into SpecificRecords: the writer schema comes from the registry
 * by the id in the header, the reader schema from the target class, and Avro's schema resolution
 * bridges the two (so data written with an older, compatible schema still reads).
 *
 * <p>Every malformed payload becomes a {@link SerializationException} naming the problem (unknown
 * magic byte, truncated header, unknown schema id, truncated or trailing Avro bytes), which the
 * Streams apps turn into {@code synth.dlq} records.
 */
public final class SpecificAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final Class<T> type;
    private final Map<Integer, DatumReader<T>> readersBySchemaId = new ConcurrentHashMap<>();
    private SchemaRegistryClient client;
    private boolean ownsClient;

    /** Reads into {@code type}; configure through {@link #configure}. */
    public SpecificAvroDeserializer(Class<T> type) {
        this.type = type;
    }

    /** Reads into {@code type} with an explicit client (not closed by this deserializer). */
    public SpecificAvroDeserializer(Class<T> type, SchemaRegistryClient client) {
        this.type = type;
        this.client = client;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (client == null) {
            client = AvroSerdeConfig.clientFrom(configs);
            ownsClient = true;
        }
    }

    @Override
    public T deserialize(String topic, byte[] payload) {
        if (payload == null) {
            return null;
        }
        if (client == null) {
            throw new SerializationException("SpecificAvroDeserializer used before configure()");
        }
        int schemaId = WireFormat.schemaId(payload, topic);
        DatumReader<T> reader = readersBySchemaId.computeIfAbsent(schemaId, id -> newReader(id, topic));
        BinaryDecoder decoder = DecoderFactory.get()
                .binaryDecoder(payload, WireFormat.HEADER_SIZE, payload.length - WireFormat.HEADER_SIZE, null);
        try {
            T value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new SerializationException("Corrupt payload on topic " + topic + ": trailing bytes after the "
                        + type.getSimpleName() + " written with schema id " + schemaId);
            }
            return value;
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new SerializationException(
                    "Truncated or corrupt Avro payload on topic " + topic + " (schema id " + schemaId + ", "
                            + payload.length + " bytes) for " + type.getSimpleName() + ": " + e,
                    e);
        }
    }

    private DatumReader<T> newReader(int schemaId, String topic) {
        Schema writer;
        try {
            writer = client.getById(schemaId);
        } catch (SchemaRegistryException e) {
            throw new SerializationException(
                    "Unknown schema id " + schemaId + " on topic " + topic + ": " + e.getMessage(), e);
        }
        SpecificData model = SpecificData.getForClass(type);
        Schema reader = model.getSchema(type);
        return new SpecificDatumReader<>(writer, reader, model);
    }

    @Override
    public void close() {
        if (ownsClient && client != null) {
            client.close();
        }
    }
}
