package io.synthstream.common.streams;

import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.schemas.registry.SchemaRegistryClient;
import io.synthstream.schemas.registry.SchemaRegistryClients;
import io.synthstream.schemas.serde.SpecificAvroSerde;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Value serdes for catalogue topics, all sharing one caching registry client per app: Avro
 * SpecificRecords in the Confluent wire format, {@code String} as UTF-8 (the JSON ingest topic).
 */
public final class SynthSerdes implements AutoCloseable {
    private final SchemaRegistryClient registry;

    public SynthSerdes(SchemaRegistryClient registry) {
        this.registry = registry;
    }

    /** Serdes backed by the registry that {@code config} names. */
    public static SynthSerdes from(SynthConfig config) {
        return new SynthSerdes(
                SchemaRegistryClients.create(config.schemaRegistryUrl(), config.schemaRegistryUserInfo()));
    }

    /** The serde of {@code topic}'s values. */
    public <V> Serde<V> value(TopicSpec<?, V> topic) {
        return valueSerde(topic.valueType());
    }

    /** A serde for values of {@code type}, wherever they are stored (topics or state stores). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <V> Serde<V> valueSerde(Class<V> type) {
        if (SpecificRecord.class.isAssignableFrom(type)) {
            return new SpecificAvroSerde(type, registry, true);
        }
        if (type == String.class) {
            return (Serde<V>) Serdes.String();
        }
        if (type == byte[].class) {
            return (Serde<V>) Serdes.ByteArray();
        }
        throw new IllegalArgumentException("No serde for value type " + type.getName());
    }

    public SchemaRegistryClient registry() {
        return registry;
    }

    @Override
    public void close() {
        registry.close();
    }
}
