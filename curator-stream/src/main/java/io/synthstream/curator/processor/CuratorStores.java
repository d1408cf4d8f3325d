package io.synthstream.curator.processor;

import io.synthstream.avro.Sample;
import io.synthstream.curator.avro.BandClaim;
import io.synthstream.curator.avro.VoteTally;
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
    public static final String EXACT_SEEN = "curator-exact-seen";
    public static final String BAND_OWNERS = "curator-band-owners";
    public static final String BAND_SIGNATURES = "curator-band-signatures";
    public static final String NEAR_PENDING = "curator-near-pending";
    public static final String NEAR_TALLIES = "curator-near-tallies";

    /** Dedup stores keep one entry per window of this size; only the retention matters. */
    private static final Duration WINDOW = Duration.ofMillis(1);

    private final boolean inMemory;
    private final Duration retention;

    public CuratorStores(boolean inMemory, Duration retention) {
        this.inMemory = inMemory;
        this.retention = retention;
    }

    StoreBuilder<TimestampedKeyValueStore<String, Sample>> awaitingSpec(Serde<Sample> samples) {
        return Stores.timestampedKeyValueStoreBuilder(keyValue(AWAITING_SPEC, true), Serdes.String(), samples);
    }

    StoreBuilder<WindowStore<String, String>> exactSeen() {
        return Stores.windowStoreBuilder(window(EXACT_SEEN), Serdes.String(), Serdes.String());
    }

    StoreBuilder<WindowStore<String, BandClaim>> bandOwners(Serde<BandClaim> claims) {
        return Stores.windowStoreBuilder(window(BAND_OWNERS), Serdes.String(), claims);
    }

    StoreBuilder<WindowStore<String, ByteBuffer>> bandSignatures() {
        return Stores.windowStoreBuilder(window(BAND_SIGNATURES), Serdes.String(), Serdes.ByteBuffer());
    }

    StoreBuilder<TimestampedKeyValueStore<String, Sample>> nearPending(Serde<Sample> samples) {
        return Stores.timestampedKeyValueStoreBuilder(keyValue(NEAR_PENDING, true), Serdes.String(), samples);
    }

    StoreBuilder<KeyValueStore<String, VoteTally>> nearTallies(Serde<VoteTally> tallies) {
        return Stores.keyValueStoreBuilder(keyValue(NEAR_TALLIES, false), Serdes.String(), tallies);
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
