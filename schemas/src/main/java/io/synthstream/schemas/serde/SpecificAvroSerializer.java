package io.synthstream.schemas.serde;

import io.synthstream.schemas.registry.SchemaRegistryClient;
import io.synthstream.schemas.registry.SchemaRegistryException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes Avro SpecificRecords in the Confluent wire format, registering the record's schema
 * under the TopicNameStrategy subject (or, with {@code auto.register.schemas=false}, only looking
 * it up). Schema ids are cached, so the registry is asked once per schema and subject.
 */
public final class SpecificAvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    private final Map<Schema, DatumWriter<T>> writers = new ConcurrentHashMap<>();
    private SchemaRegistryClient client;
    private boolean ownsClient;
    private boolean autoRegister = true;
    private boolean isKey;

    /** For configuration through {@link #configure} (Kafka's reflective construction). */
    public SpecificAvroSerializer() {}

    /** With an explicit client (not closed by this serializer). */
    public SpecificAvroSerializer(SchemaRegistryClient client, boolean autoRegister) {
        this.client = client;
        this.autoRegister = autoRegister;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        if (client == null) {
            client = AvroSerdeConfig.clientFrom(configs);
            ownsClient = true;
            autoRegister = AvroSerdeConfig.autoRegister(configs);
        }
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null; // tombstones stay tombstones
        }
        if (client == null) {
            throw new SerializationException("SpecificAvroSerializer used before configure()");
        }
        String subject = WireFormat.subject(topic, isKey);
        int id;
        try {
            id = autoRegister
                    ? client.register(subject, record.getSchema())
                    : client.getId(subject, record.getSchema());
        } catch (SchemaRegistryException e) {
            throw new SerializationException(
                    "Could not " + (autoRegister ? "register" : "find") + " schema "
                            + record.getSchema().getFullName() + " under subject " + subject + ": " + e.getMessage(),
                    e);
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            byte[] header = new byte[WireFormat.HEADER_SIZE];
            WireFormat.writeHeader(ByteBuffer.wrap(header), id);
            out.write(header);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writers.computeIfAbsent(
                            record.getSchema(),
                            schema -> new SpecificDatumWriter<>(schema, SpecificData.getForClass(record.getClass())))
                    .write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "Could not serialize " + record.getSchema().getFullName() + " for topic " + topic + ": " + e, e);
        }
    }

    @Override
    public void close() {
        if (ownsClient && client != null) {
            client.close();
        }
    }
}
