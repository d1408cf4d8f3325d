package io.synthstream.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a harness's input so that every record lands. Right after the topics are created their
 * leaders can move, and the embedded broker then refuses some batches (an out-of-order
 * sequence); a send whose result nobody checks loses them, and the run waits forever for the
 * outputs of samples that were never written. Here each refused record is sent again (at the end,
 * so a partition's order can change for those few), up to five rounds.
 */
final class InputWrites {
    private static final int ROUNDS = 5;

    private InputWrites() {}

    /** Sends every record and returns once all are acknowledged; throws if some never are. */
    static <K, V> void sendAll(Producer<K, V> producer, List<ProducerRecord<K, V>> records) {
        List<ProducerRecord<K, V>> left = records;
        for (int round = 1; !left.isEmpty(); round++) {
            if (round > ROUNDS) {
                throw new IllegalStateException(left.size() + " input records were refused " + ROUNDS + " times");
            }
            List<ProducerRecord<K, V>> refused = Collections.synchronizedList(new ArrayList<>());
            for (ProducerRecord<K, V> record : left) {
                producer.send(record, (metadata, error) -> {
                    if (error != null) {
                        refused.add(record);
                    }
                });
            }
            producer.flush();
            left = new ArrayList<>(refused);
        }
    }
}
