package io.synthstream.curator.processor;

import io.synthstream.avro.TestRecord;
import io.synthstream.curator.logic.Contamination;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real test records registered for datasets ({@code synth.test-records}), as every curator
 * instance sees them: a global store ({@link CuratorStores#TEST_RECORDS}, the records' bytes by key)
 * and the in-memory n-gram index the screening step checks samples against ({@link Contamination}).
 * The global thread keeps both up to date; a stream task fills the index from the store once, at
 * start (the store is restored before any task runs). A record that cannot be decoded is skipped
 * with a warning (there is no dead-letter queue on the global thread) and never stops the app.
 */
public final class RegisteredTestRecords {
    private static final Logger log = LoggerFactory.getLogger(RegisteredTestRecords.class);

    private final Contamination index = new Contamination();
    private final Deserializer<TestRecord> decoder;
    private final String topic;
    private boolean loaded;

    public RegisteredTestRecords(Deserializer<TestRecord> decoder, String topic) {
        this.decoder = decoder;
        this.topic = topic;
    }

    public Contamination index() {
        return index;
    }

    /** The global store's processor: every registration and tombstone into the store and the index. */
    public ProcessorSupplier<String, byte[], Void, Void> updater() {
        return () -> new Processor<>() {
            private KeyValueStore<String, byte[]> store;

            @Override
            public void init(ProcessorContext<Void, Void> context) {
                store = context.getStateStore(CuratorStores.TEST_RECORDS);
            }

            @Override
            public void process(Record<String, byte[]> record) {
                apply(store, record.key(), record.value());
            }
        };
    }

    private synchronized void apply(KeyValueStore<String, byte[]> store, String key, byte[] value) {
        if (key == null) {
            return;
        }
        if (value == null) {
            store.delete(key);
            index.remove(key);
            return;
        }
        TestRecord record = decode(key, value);
        if (record != null) {
            store.put(key, value);
            index.put(key, record.getDataset(), record.getRecordId(), record.getText());
        }
    }

    /** Fills the index from the restored store, once per instance. */
    synchronized void loadOnce(KeyValueStore<String, byte[]> store) {
        if (loaded) {
            return;
        }
        try (KeyValueIterator<String, byte[]> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                TestRecord record = decode(entry.key, entry.value);
                if (record != null) {
                    index.put(entry.key, record.getDataset(), record.getRecordId(), record.getText());
                }
            }
        }
        loaded = true;
    }

    private TestRecord decode(String key, byte[] value) {
        try {
            return decoder.deserialize(topic, value);
        } catch (RuntimeException e) {
            log.warn(
                    "Skipping a test record of {} that cannot be decoded (key of {} characters): {}",
                    topic,
                    key.length(),
                    e.getClass().getSimpleName());
            return null;
        }
    }
}
