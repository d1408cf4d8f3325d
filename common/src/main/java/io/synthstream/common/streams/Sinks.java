package io.synthstream.common.streams;

import io.synthstream.avro.DeadLetter;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * How topologies take values out of a processor's output envelope and write them to topics. An
 * app's processors forward one sealed envelope type; a {@code select} function picks one kind
 * from it by pattern ({@code o -> o instanceof Curated c ? c.sample() : null}), so no value is
 * ever cast. Every node is named after {@code name}.
 */
public final class Sinks {
    private Sinks() {}

    /** The values {@code select} finds in the envelopes (null: not this kind), as a stream (node {@code name}). */
    public static <K, O, V> KStream<K, V> select(KStream<K, O> outputs, String name, Function<O, V> select) {
        return outputs.flatMapValues(
                output -> {
                    V value = select.apply(output);
                    return value == null ? List.of() : List.of(value);
                },
                Named.as(name));
    }

    /**
     * Writes the values {@code select} finds to a catalogue topic: nodes {@code <name>-value} and
     * {@code <name>} (the sink).
     */
    public static <O, V> void write(
            KStream<String, O> outputs,
            String name,
            TopicSpec<String, V> topic,
            SynthSerdes serdes,
            Function<O, V> select) {
        select(outputs, name + "-value", select)
                .to(
                        topic.name(),
                        Produced.with(topic.keySerde(), serdes.value(topic)).withName(name));
    }

    /** Writes a stream of one value type to a catalogue topic (node {@code name}: the sink). */
    public static <V> void write(
            KStream<String, V> values, String name, TopicSpec<String, V> topic, SynthSerdes serdes) {
        values.to(
                topic.name(),
                Produced.with(topic.keySerde(), serdes.value(topic)).withName(name));
    }

    /**
     * Writes the dead letters {@code select} finds to {@code synth.dlq}, keyed by the UTF-8 bytes of
     * the record's key: nodes {@code <name>-value}, {@code <name>-key} and {@code <name>}.
     */
    public static <O> void deadLetters(
            KStream<String, O> outputs, String name, SynthSerdes serdes, Function<O, DeadLetter> select) {
        deadLetters(
                select(outputs, name + "-value", select)
                        .map(
                                (key, letter) -> KeyValue.pair(
                                        key == null ? null : key.getBytes(StandardCharsets.UTF_8), letter),
                                Named.as(name + "-key")),
                name,
                serdes);
    }

    /** The one sink of {@code synth.dlq}: dead letters keyed by the original key's bytes (node {@code name}). */
    public static void deadLetters(KStream<byte[], DeadLetter> letters, String name, SynthSerdes serdes) {
        letters.to(
                Topics.DLQ.name(),
                Produced.with(Topics.DLQ.keySerde(), serdes.value(Topics.DLQ)).withName(name));
    }
}
