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
 * GeneratorStores#POOL}, under dataset NUL position) and each request's next round to decide
 * ({@value GeneratorStores#ROUNDS}). Round entries are keyed by dataset, so a dataset's pool and
 * every round that reads or grows it live in one task. A pool is read from its store once per task
 * incarnation and kept in memory with each instruction's words, since every write goes through
 * here within the task's transaction.
 */
final class SelfInstructPools {
    private static final char SEPARATOR = '\u0000';

    private final KeyValueStore<String, PoolInstruction> pool;
    private final KeyValueStore<String, Long> rounds;
    private final Map<String, SelfInstruct.Pool> loaded = new HashMap<>();

    SelfInstructPools(KeyValueStore<String, PoolInstruction> pool, KeyValueStore<String, Long> rounds) {
        this.pool = pool;
        this.rounds = rounds;
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

    /** Whether the request's rounds before {@code round} are all decided. */
    boolean ready(String requestId, long round) {
        Long next = rounds.get(requestId);
        return (next == null ? 0 : next) >= round;
    }

    /**
     * Records a decided round: the instructions that joined (already in the in-memory pool, which
     * {@link SelfInstruct#decide} grew) and the request's next round.
     *
     * @param before the pool's size before the round was decided
     */
    void decided(String dataset, String requestId, long round, int before) {
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
        advance(requestId, round);
    }

    /** Records a round that ended without a decision (its call failed): the next one may begin. */
    void advance(String requestId, long round) {
        Long next = rounds.get(requestId);
        if (next == null || next <= round) {
            rounds.put(requestId, round + 1);
        }
    }

    private static String key(String dataset, int position) {
        return dataset + SEPARATOR + String.format("%010d", position);
    }
}
