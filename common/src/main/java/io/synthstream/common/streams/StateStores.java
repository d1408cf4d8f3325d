package io.synthstream.common.streams;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.common.topics.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/** State-store choices shared by the apps' topologies. */
public final class StateStores {
    private StateStores() {}

    /**
     * A key-value store supplier: RocksDB (timestamped or plain), or in memory for topology tests.
     */
    public static KeyValueBytesStoreSupplier keyValue(String name, boolean inMemory, boolean timestamped) {
        if (inMemory) {
            return Stores.inMemoryKeyValueStore(name);
        }
        return timestamped ? Stores.persistentTimestampedKeyValueStore(name) : Stores.persistentKeyValueStore(name);
    }

    /**
     * The global table of accepted request specs ({@code synth.specs}) that every app looks
     * requests up in, materialised as {@code storeName}.
     */
    public static void specsGlobalTable(
            StreamsBuilder builder, SynthSerdes serdes, String storeName, String nodeName, boolean inMemory) {
        builder.globalTable(
                Topics.SPECS.name(),
                Consumed.with(Topics.SPECS.keySerde(), serdes.value(Topics.SPECS))
                        .withName(nodeName),
                Materialized.<String, GenerationRequest>as(keyValue(storeName, inMemory, true))
                        .withKeySerde(Serdes.String())
                        .withValueSerde(serdes.value(Topics.SPECS)));
    }
}
