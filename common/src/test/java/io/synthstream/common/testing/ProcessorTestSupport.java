package io.synthstream.common.testing;

import io.micrometer.core.instrument.MeterRegistry;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.common.streams.StreamsDefaults;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.schemas.registry.SchemaRegistryClients;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Set-up of processor tests ({@link MockProcessorContext}): a context whose app configs carry a
 * meter registry, in-memory stores registered with it, a specs store standing in for the global
 * table, and punctuators run by interval.
 */
public final class ProcessorTestSupport {
    private ProcessorTestSupport() {}

    /** A context of app {@code applicationId} whose processors record into {@code meters}. */
    public static <K, V> MockProcessorContext<K, V> context(String applicationId, MeterRegistry meters) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsDefaults.METER_REGISTRY_CONFIG, meters);
        return new MockProcessorContext<>(props);
    }

    /**
     * Serdes over a fresh in-memory registry. A mock context gives every store the same changelog
     * topic name, hence the same subject: give each store of Avro values serdes of its own.
     */
    public static SynthSerdes serdes() {
        return new SynthSerdes(SchemaRegistryClients.create("mem://" + UUID.randomUUID(), null));
    }

    /** An in-memory key-value store (no changelog) registered with the context. */
    public static <K, V> KeyValueStore<K, V> keyValueStore(
            MockProcessorContext<?, ?> context, String name, Serde<K> keys, Serde<V> values) {
        KeyValueStore<K, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), keys, values)
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }

    /** A store standing in for an app's global table of synth.specs. */
    public static TimestampedKeyValueStore<String, GenerationRequest> specsStore(
            MockProcessorContext<?, ?> context, String name, SynthSerdes serdes) {
        TimestampedKeyValueStore<String, GenerationRequest> store = Stores.timestampedKeyValueStoreBuilder(
                        Stores.inMemoryKeyValueStore(name), Serdes.String(), serdes.valueSerde(GenerationRequest.class))
                .withLoggingDisabled()
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }

    /** Puts a spec into a specs store as the global table would. */
    public static void putSpec(TimestampedKeyValueStore<String, GenerationRequest> specs, GenerationRequest spec) {
        specs.put(spec.getRequestId(), ValueAndTimestamp.make(spec, 0L));
    }

    /** Runs once, in scheduling order, every punctuator scheduled with {@code interval}. */
    public static void punctuate(MockProcessorContext<?, ?> context, Duration interval, long now) {
        List<MockProcessorContext.CapturedPunctuator> punctuators = context.scheduledPunctuators();
        boolean ran = false;
        for (MockProcessorContext.CapturedPunctuator p : punctuators) {
            if (p.getInterval().equals(interval) && !p.cancelled()) {
                p.getPunctuator().punctuate(now);
                ran = true;
            }
        }
        if (!ran) {
            throw new AssertionError("no punctuator every " + interval + " among " + punctuators.size());
        }
    }
}
