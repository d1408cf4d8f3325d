package io.synthstream.common.streams.async;

import io.synthstream.avro.GenerationRequest;
import java.util.Map;
import org.apache.kafka.streams.processor.StateStore;

/**
 * A stage's own decisions, for {@link AsyncStage}, which does everything else. An implementation
 * is an adapter between the shell and the stage's pure logic: it reads its entries and returns
 * {@link Step}s, and never touches the processor context, the network or a store other than its
 * own ({@link #init}) itself (remote work is returned as {@link Call}s). One instance per
 * processor, so per task and thread.
 *
 * @param <I> the value of an input record
 * @param <P> a pending entry, as kept in the stage's changelogged pending store
 * @param <O> the app's output envelope
 */
public interface AsyncWork<I, P, O> {
    /** The stage's own state stores, by name. */
    @FunctionalInterface
    interface Stores {
        <S extends StateStore> S get(String name);
    }

    /**
     * The task starts (again): the work's own stores, those given to {@link AsyncStage#supplier}
     * besides the pending store. It reads and writes them only within its decisions, which run on
     * the stream thread, so a write is part of the transaction that applies the step; whatever it
     * holds in memory from them it reads again here.
     */
    default void init(Stores stores) {}

    /**
     * The entries an input record starts, by key, in order (one per sample, usually). A key that
     * is already pending is skipped: the record was delivered again.
     *
     * @param timestamp the record's timestamp, from which a missing spec is waited for
     */
    Map<String, P> start(I input, long timestamp);

    /**
     * As {@link #start(Object, long)}, knowing the record's offset on its partition: for a stage
     * that takes some of its entries in the order of their records ({@code -1} when unknown).
     */
    default Map<String, P> start(I input, long timestamp, long offset) {
        return start(input, timestamp);
    }

    /** The request whose spec the entry needs. */
    String requestId(P entry);

    /** The entry's dataset, recorded on its dead letters. */
    String dataset(P entry);

    /** The timestamp the entry's wait for its spec counts from: its input record's. */
    long since(P entry);

    /** The entry's spec is known: at first, after a restart or rebalance, or once a late spec arrived. */
    Step<P, O> begin(String key, P entry, GenerationRequest spec);

    /** The entry's spec did not reach the global table within the wait. */
    Step<P, O> specMissing(String key, P entry);

    /**
     * One of the entry's calls finished.
     *
     * @param spec the entry's spec, or null if it has disappeared from the global table since
     * @param othersOutstanding whether other calls of the entry are still out
     */
    Step<P, O> finished(String key, P entry, GenerationRequest spec, CallResult result, boolean othersOutstanding);
}
