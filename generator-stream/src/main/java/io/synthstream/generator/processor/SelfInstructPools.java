package io.synthstream.generator.processor;

import io.synthstream.generator.avro.PoolInstruction;
import io.synthstream.generator.logic.SelfInstruct;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The Self-Instruct state of one generate task: each dataset's pool of kept instructions ({@value
 * GeneratorStores#POOL}, under dataset NUL position) and each dataset's queue of rounds not yet
 * decided ({@value GeneratorStores#QUEUE}, under dataset NUL the offset of the round's tuple).
 * Round tuples are keyed by dataset, so a dataset's pool and every round that reads or grows it
 * live in one task, and their offsets on that partition are one order that a replay repeats: a
 * round begins only at the head of its dataset's queue, whichever request it belongs to. A pool is
 * read from its store once per task incarnation and kept in memory with each instruction's words,
 * since every write goes through here within the task's transaction.
 */
final class SelfInstructPools {
    private static final char SEPARATOR = '\u0000';

    private final KeyValueStore<String, PoolInstruction> pool;
    private final KeyValueStore<String, String> queue;
    private final Map<String, SelfInstruct.Pool> loaded = new HashMap<>();

    SelfInstructPools(KeyValueStore<String, PoolInstruction> pool, KeyValueStore<String, String> queue) {
        this.pool = pool;
        this.queue = queue;
    }

    /** The dataset's pool, in the order its instructions joined. */
    SelfInstruct.Pool pool(String dataset) {
        return loaded.computeIfAbsent(dataset, d -> {
            SelfInstruct.Pool p = new SelfInstruct.Pool();
            try (KeyValueIterator<String, PoolInstruction> all = pool.range(d + SEPARATOR, d + (char) 1)) {
                while (all.hasNext()) {
                    KeyValue<String, PoolInstruction> row = all.next();
                    p.add(row.value.getSampleId(), row.value.getInstruction());
                }
            }
            return p;
        });
    }

    /** Puts a round in its dataset's queue (again, harmlessly, for a record delivered twice). */
    void enqueue(String dataset, long position, String roundKey) {
        queue.put(key(dataset, position), roundKey);
    }

    /** Whether the round at {@code position} heads its dataset's queue: every round before it is decided. */
    boolean heads(String dataset, long position) {
        try (KeyValueIterator<String, String> waiting = queue.range(dataset + SEPARATOR, dataset + (char) 1)) {
            return !waiting.hasNext() || waiting.next().key.equals(key(dataset, position));
        }
    }

    /**
     * Takes a decided (or failed) round out of its dataset's queue.
     *
     * @return the key of the round that heads the queue now, or null when none waits
     */
    String dequeue(String dataset, long position) {
        queue.delete(key(dataset, position));
        try (KeyValueIterator<String, String> waiting = queue.range(dataset + SEPARATOR, dataset + (char) 1)) {
            return waiting.hasNext() ? waiting.next().value : null;
        }
    }

    /**
     * Records the instructions that joined in a decided round (already in the in-memory pool,
     * which {@link SelfInstruct#decide} grew).
     *
     * @param before the pool's size before the round was decided
     */
    void joined(String dataset, String requestId, long round, int before) {
        List<SelfInstruct.Demonstration> joined = pool(dataset).since(before);
        for (int i = 0; i < joined.size(); i++) {
            pool.put(
                    key(dataset, before + i),
                    PoolInstruction.newBuilder()
                            .setSampleId(joined.get(i).id())
                            .setInstruction(joined.get(i).instruction())
                            .setRequestId(requestId)
                            .setRound(round)
                            .build());
        }
    }

    private static String key(String dataset, long position) {
        return dataset + SEPARATOR + String.format("%020d", position);
    }
}
