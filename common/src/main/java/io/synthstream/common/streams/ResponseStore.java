package io.synthstream.common.streams;

import io.synthstream.avro.StoredResponse;
import io.synthstream.common.llm.ResponseKeys;
import io.synthstream.common.topics.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replies kept on {@code synth.llm-responses} (docs/spend.md), as a global store of each app
 * that makes LLM calls: its async stage looks a call up here before it sends it. The store keeps
 * the records' bytes as they are on the topic and decodes only the ones looked up and found.
 *
 * <p>Call entries leave the store when the stream transaction that used them commits their
 * tombstone; an entry nobody used (its sample finished another way) is purged after {@link
 * #CALL_RETENTION}. Cache entries are stored only with the cache on, and purged after the cache's
 * retention. Purges run on the global thread when a record arrives, at most every {@link
 * #PURGE_INTERVAL}.
 */
public final class ResponseStore {
    private static final Logger log = LoggerFactory.getLogger(ResponseStore.class);

    /** How long a reply no task used stays: longer than any restart is expected to take. */
    public static final Duration CALL_RETENTION = Duration.ofDays(7);

    public static final Duration PURGE_INTERVAL = Duration.ofMinutes(10);

    private final String storeName;
    private final Deserializer<StoredResponse> decoder;
    private final Duration cacheRetention;
    private final Clock clock;

    /**
     * @param cacheRetention how long a cached reply may be taken, or null with the cache off
     */
    public ResponseStore(String storeName, SynthSerdes serdes, Duration cacheRetention, Clock clock) {
        this.storeName = storeName;
        this.decoder = serdes.value(Topics.LLM_RESPONSES).deserializer();
        this.cacheRetention = cacheRetention;
        this.clock = clock;
    }

    public String storeName() {
        return storeName;
    }

    /** How long a cached reply may answer a call, or null with the cache off. */
    public Duration cacheRetention() {
        return cacheRetention;
    }

    /** Whether replies are cached and taken from the cache. */
    public boolean caching() {
        return cacheRetention != null;
    }

    /** Adds the global store, fed from {@code synth.llm-responses}, to {@code builder}. */
    public void addTo(StreamsBuilder builder, boolean inMemory) {
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(
                                StateStores.keyValue(storeName, inMemory, false), Serdes.String(), Serdes.ByteArray())
                        .withLoggingDisabled(),
                Topics.LLM_RESPONSES.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("read-" + storeName),
                () -> new Keeper());
    }

    /** The reply kept for the call of {@code callKey}, if any. */
    public Optional<StoredResponse> call(KeyValueStore<String, byte[]> store, String callKey) {
        return decode(callKey, store.get(callKey));
    }

    /** The cached reply of {@code cacheKey}, if the cache is on and it is within the retention. */
    public Optional<StoredResponse> cached(KeyValueStore<String, byte[]> store, String cacheKey) {
        if (cacheRetention == null) {
            return Optional.empty();
        }
        return decode(cacheKey, store.get(cacheKey))
                .filter(r -> !r.getAnsweredAt().isBefore(clock.instant().minus(cacheRetention)));
    }

    private Optional<StoredResponse> decode(String key, byte[] bytes) {
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(decoder.deserialize(Topics.LLM_RESPONSES.name(), bytes));
        } catch (RuntimeException e) {
            log.warn(
                    "Ignoring an unreadable record on {} (key {}): {}", Topics.LLM_RESPONSES.name(), key, e.toString());
            return Optional.empty();
        }
    }

    /** Whether the entry of {@code key} answered at {@code answeredAt} is past its retention. */
    boolean expired(String key, Instant answeredAt, Instant now) {
        if (key.startsWith(ResponseKeys.CACHE_PREFIX)) {
            return cacheRetention == null || answeredAt.isBefore(now.minus(cacheRetention));
        }
        return answeredAt.isBefore(now.minus(CALL_RETENTION));
    }

    /** The global store's processor: keeps the records, applies tombstones, purges expired entries. */
    final class Keeper implements Processor<String, byte[], Void, Void> {
        private KeyValueStore<String, byte[]> store;
        private Instant nextPurge;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            store = context.getStateStore(storeName);
            nextPurge = clock.instant().plus(PURGE_INTERVAL);
        }

        @Override
        public void process(Record<String, byte[]> record) {
            String key = record.key();
            if (key != null) {
                if (record.value() == null) {
                    store.delete(key);
                } else if (!key.startsWith(ResponseKeys.CACHE_PREFIX) || caching()) {
                    store.put(key, record.value());
                }
            }
            Instant now = clock.instant();
            if (!now.isBefore(nextPurge)) {
                nextPurge = now.plus(PURGE_INTERVAL);
                purge(now);
            }
        }

        /** Deletes every expired or unreadable entry; returns how many. */
        int purge(Instant now) {
            List<String> gone = new ArrayList<>();
            try (KeyValueIterator<String, byte[]> all = store.all()) {
                while (all.hasNext()) {
                    KeyValue<String, byte[]> entry = all.next();
                    Optional<StoredResponse> reply = decode(entry.key, entry.value);
                    if (reply.isEmpty() || expired(entry.key, reply.get().getAnsweredAt(), now)) {
                        gone.add(entry.key);
                    }
                }
            }
            gone.forEach(store::delete);
            if (!gone.isEmpty()) {
                log.info("Purged {} expired replies from {}", gone.size(), storeName);
            }
            return gone.size();
        }
    }
}
