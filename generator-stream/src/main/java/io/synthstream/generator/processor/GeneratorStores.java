package io.synthstream.generator.processor;

import io.synthstream.avro.SeedRecord;
import io.synthstream.common.streams.StateStores;
import io.synthstream.generator.avro.PendingSample;
import io.synthstream.generator.avro.PlanCursor;
import io.synthstream.generator.avro.PoolInstruction;
import io.synthstream.generator.avro.SeedArrivals;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Names and builders of the generator's state stores (their changelogs are {@code
 * <app>-<name>-changelog}). Persistent in the app; in-memory (still changelogged) when a test asks.
 */
public final class GeneratorStores {
    /** request id -> PlanCursor: accepted requests and how far planning got. */
    public static final String PLANS = "generator-plans";
    /** request id NUL ordinal -> SeedRecord: seeds waiting to be planned. */
    public static final String SEEDS = "generator-seeds";
    /** request id -> SeedArrivals: how many seeds of a request arrived, and whether a stop did. */
    public static final String SEED_ARRIVALS = "generator-seed-arrivals";
    /** sample id -> PendingSample: samples whose LLM calls are not finished. */
    public static final String PENDING = "generator-pending";

    /** dataset NUL position -> PoolInstruction: each dataset's Self-Instruct pool. */
    public static final String POOL = "generator-self-instruct-pool";
    /** dataset NUL offset -> round key: each dataset's Self-Instruct rounds not yet decided, in order. */
    public static final String QUEUE = "generator-self-instruct-queue";

    /** The global store of kept LLM replies (synth.llm-responses). */
    public static final String RESPONSES = "generator-responses";
    /** Global: synth.specs by request id. */
    public static final String SPECS = "generator-specs";
    /** Global: synth.steering by dataset. */
    public static final String STEERING = "generator-steering";
    /** Global: synth.request-status by request id (the ledger a target of accepted samples follows). */
    public static final String STATUS = "generator-request-status";

    private final boolean inMemory;

    public GeneratorStores(boolean inMemory) {
        this.inMemory = inMemory;
    }

    StoreBuilder<KeyValueStore<String, PlanCursor>> plans(Serde<PlanCursor> serde) {
        return Stores.keyValueStoreBuilder(StateStores.keyValue(PLANS, inMemory, false), Serdes.String(), serde);
    }

    StoreBuilder<KeyValueStore<String, SeedRecord>> seeds(Serde<SeedRecord> serde) {
        return Stores.keyValueStoreBuilder(StateStores.keyValue(SEEDS, inMemory, false), Serdes.String(), serde);
    }

    StoreBuilder<KeyValueStore<String, SeedArrivals>> arrivals(Serde<SeedArrivals> serde) {
        return Stores.keyValueStoreBuilder(
                StateStores.keyValue(SEED_ARRIVALS, inMemory, false), Serdes.String(), serde);
    }

    StoreBuilder<KeyValueStore<String, PoolInstruction>> pool(Serde<PoolInstruction> serde) {
        return Stores.keyValueStoreBuilder(StateStores.keyValue(POOL, inMemory, false), Serdes.String(), serde);
    }

    StoreBuilder<KeyValueStore<String, String>> queue() {
        return Stores.keyValueStoreBuilder(
                StateStores.keyValue(QUEUE, inMemory, false), Serdes.String(), Serdes.String());
    }

    StoreBuilder<KeyValueStore<String, PendingSample>> pending(Serde<PendingSample> serde) {
        return Stores.keyValueStoreBuilder(StateStores.keyValue(PENDING, inMemory, false), Serdes.String(), serde);
    }
}
