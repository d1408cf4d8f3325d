package io.synthstream.evaluator.processor;

import io.synthstream.common.streams.StateStores;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Names, builders and key layout of the evaluator's state stores (their changelogs are {@code
 * <app>-<name>-changelog}). Persistent in the app; in-memory (still changelogged) when a test asks.
 */
public final class EvaluatorStores {
    /** Global: synth.specs by request id. */
    public static final String SPECS = "evaluator-specs";
    /** sample id -> PendingScore: curated samples whose judge call or embedding is not finished. */
    public static final String PENDING = "evaluator-pending";

    /** The global store of kept LLM replies (synth.llm-responses). */
    public static final String RESPONSES = "evaluator-responses";
    /** dataset + sequence -> WindowEntry: each dataset's event log, folded at every report. */
    public static final String WINDOW = "evaluator-window";
    /** dataset -> DatasetAccumulators. */
    public static final String ACCUMULATORS = "evaluator-accumulators";
    /** dataset -> running embedding moments (sum and XᵀX). */
    public static final String MOMENTS = "evaluator-moments";
    /** dataset + request id -> the request's latest RequestStatus (the report's totals). */
    public static final String REQUESTS = "evaluator-requests";
    /** request id -> RequestStatus: the conservation ledger. */
    public static final String LEDGER = "evaluator-ledger";
    /** request id -> KLL sketch of the request's times in review. */
    public static final String REVIEW_TIMES = "evaluator-review-times";
    /**
     * request id NUL sample id -> what the ledger did with a reviewed sample it accepted ({@link
     * io.synthstream.evaluator.logic.Ledger#admitted}); dropped when the request completes.
     */
    public static final String REVIEW_ADMISSIONS = "evaluator-review-admissions";
    /** sample id -> ReviewEntry: samples in review and what was decided on them. */
    public static final String REVIEWS = "evaluator-reviews";

    private final boolean inMemory;

    public EvaluatorStores(boolean inMemory) {
        this.inMemory = inMemory;
    }

    <V> StoreBuilder<KeyValueStore<String, V>> keyValue(String name, Serde<V> serde) {
        return Stores.keyValueStoreBuilder(StateStores.keyValue(name, inMemory, false), Serdes.String(), serde);
    }

    /** Key of a dataset-scoped entry: the dataset, a NUL separator, then the suffix. */
    static String scoped(String dataset, String suffix) {
        return dataset + '\u0000' + suffix;
    }

    /** Key of a window entry: sequence numbers zero-padded so that keys sort in sequence order. */
    static String windowKey(String dataset, long seq) {
        return scoped(dataset, String.format("%019d", seq));
    }

    /** Smallest key above every key of {@code dataset} (for range scans). */
    static String upperBound(String dataset) {
        return dataset + '\u0001';
    }
}
