package io.synthstream.curator.processor;

import io.synthstream.avro.Sample;
import io.synthstream.curator.avro.BucketOwner;
import io.synthstream.curator.avro.ClaimBatch;
import io.synthstream.curator.avro.PendingEmbedding;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;

/**
 * Names and builders of the curator's state stores. Persistent (RocksDB, changelogged) in the app;
 * in-memory (still changelogged) when a test asks, because the test driver commits after every
 * record and RocksDB makes that slow.
 */
public final class CuratorStores {
    public static final String SPECS = "curator-specs";
    public static final String AWAITING_SPEC = "curator-awaiting-spec";
    public static final String PENDING = "curator-pending";
    public static final String BAND_OWNERS = "curator-band-owners";
    public static final String BAND_SIGNATURES = "curator-band-signatures";
    public static final String HELD_CLAIMS = "curator-held-claims";
    public static final String UNSETTLED = "curator-unsettled";
    public static final String EMBEDDING = "curator-embedding";
    public static final String BAND_VECTORS = "curator-band-vectors";
    /** The global store of registered real test records ({@link TestRecords}). */
    public static final String TEST_RECORDS = "curator-test-records";

    /** Dedup stores keep one entry per window of this size; only the retention matters. */
    private static final Duration WINDOW = Duration.ofMillis(1);

    private final boolean inMemory;
    private final Duration retention;

    public CuratorStores(boolean inMemory, Duration retention) {
        this.inMemory = inMemory;
        this.retention = retention;
    }

    /** The global store of test records: their bytes by key; a global store keeps no changelog. */
    public StoreBuilder<KeyValueStore<String, byte[]>> testRecords() {
        return Stores.keyValueStoreBuilder(
                        inMemory
                                ? Stores.inMemoryKeyValueStore(TEST_RECORDS)
                                : Stores.persistentKeyValueStore(TEST_RECORDS),
                        Serdes.String(),
                        Serdes.ByteArray())
                .withLoggingDisabled();
    }

    StoreBuilder<TimestampedKeyValueStore<String, Sample>> awaitingSpec(Serde<Sample> samples) {
        return Stores.timestampedKeyValueStoreBuilder(keyValue(AWAITING_SPEC, true), Serdes.String(), samples);
    }

    StoreBuilder<TimestampedKeyValueStore<String, Sample>> pending(Serde<Sample> samples) {
        return Stores.timestampedKeyValueStoreBuilder(keyValue(PENDING, true), Serdes.String(), samples);
    }

    StoreBuilder<WindowStore<String, BucketOwner>> bandOwners(Serde<BucketOwner> owners) {
        return Stores.windowStoreBuilder(window(BAND_OWNERS), Serdes.String(), owners);
    }

    /** Claim batches an owner holds before deciding them, by their offset, stamped with their arrival. */
    StoreBuilder<TimestampedKeyValueStore<Long, ClaimBatch>> heldClaims(Serde<ClaimBatch> batches) {
        return Stores.timestampedKeyValueStoreBuilder(keyValue(HELD_CLAIMS, true), Serdes.Long(), batches);
    }

    /**
     * Samples that joined buckets on an owner partition and whose fate it has not heard yet, with
     * the buckets they joined: one record per claim batch, by its offset.
     */
    StoreBuilder<KeyValueStore<Long, ClaimBatch>> unsettled(Serde<ClaimBatch> batches) {
        return Stores.keyValueStoreBuilder(keyValue(UNSETTLED, false), Serdes.Long(), batches);
    }

    /** Raw samples waiting for their embedding (semantic dedup), by sample id. */
    StoreBuilder<KeyValueStore<String, PendingEmbedding>> embedding(Serde<PendingEmbedding> entries) {
        return Stores.keyValueStoreBuilder(keyValue(EMBEDDING, false), Serdes.String(), entries);
    }

    /** The embeddings of semantic bucket members, by sample id, stored like their signatures. */
    StoreBuilder<WindowStore<String, ByteBuffer>> bandVectors() {
        return Stores.windowStoreBuilder(window(BAND_VECTORS), Serdes.String(), Serdes.ByteBuffer());
    }

    StoreBuilder<WindowStore<String, ByteBuffer>> bandSignatures() {
        return Stores.windowStoreBuilder(window(BAND_SIGNATURES), Serdes.String(), Serdes.ByteBuffer());
    }

    /**
     * The segment length of the dedup window stores: half the retention, at least a minute (as
     * Kafka Streams chooses for persistent window stores), used for both kinds so that the epochs
     * of {@link BandOwnerProcessor} match whole segments.
     */
    long segmentInterval() {
        return Math.max(retention.toMillis() / 2, 60_000L);
    }

    private KeyValueBytesStoreSupplier keyValue(String name, boolean timestamped) {
        return io.synthstream.common.streams.StateStores.keyValue(name, inMemory, timestamped);
    }

    private WindowBytesStoreSupplier window(String name) {
        return inMemory
                ? Stores.inMemoryWindowStore(name, retention, WINDOW, false)
                : Stores.persistentWindowStore(name, retention, WINDOW, false);
    }
}
