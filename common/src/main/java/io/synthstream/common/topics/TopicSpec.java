package io.synthstream.common.topics;

import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic of the catalogue: its name, key serde, value type and retention, declared once in
 * {@link Topics} and used by the apps, the CLI and the tests alike. Value serdes need the schema
 * registry, so they are made from the value type by {@link io.synthstream.common.streams.SynthSerdes}.
 *
 * @param name the topic name
 * @param keySerde serde of the keys (ids are strings; the DLQ keeps the original key bytes)
 * @param valueType an Avro SpecificRecord class, or {@code String} for plain JSON topics
 * @param compacted whether the topic is compacted (latest value per key) instead of deleted by time
 * @param doc what the topic carries
 * @param configs further topic settings used when the topic is created (e.g. {@code retention.ms})
 */
public record TopicSpec<K, V>(
        String name,
        Serde<K> keySerde,
        Class<V> valueType,
        boolean compacted,
        String doc,
        Map<String, String> configs) {
    public TopicSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueType, "valueType");
        configs = Map.copyOf(configs);
    }

    /** A topic with the broker's defaults apart from its cleanup policy. */
    public TopicSpec(String name, Serde<K> keySerde, Class<V> valueType, boolean compacted, String doc) {
        this(name, keySerde, valueType, compacted, doc, Map.of());
    }

    @Override
    public String toString() {
        return name;
    }
}
