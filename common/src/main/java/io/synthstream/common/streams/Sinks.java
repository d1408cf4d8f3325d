package io.synthstream.common.streams;

import io.synthstream.avro.DeadLetter;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * How topologies take values out of a processor's output envelope and write them to topics. An
 * app's processors forward one sealed envelope type whose variants are records; a sink names the
 * variant it takes and the accessor of its value ({@code Curated.class, Curated::sample}) and
 * passes on only the envelopes of that variant, so no value is ever cast blindly. Every node is
 * named after {@code name}.
 */
public final class Sinks {
    private final SynthSerdes serdes;

    /** Sinks whose value serdes come from {@code serdes}. */
    public Sinks(SynthSerdes serdes) {
        this.serdes = serdes;
    }

    /** The values of the envelopes of variant {@code kind}, as a stream (node {@code name}). */
    public <K, O, R extends O, V> KStream<K, V> select(
            KStream<K, O> outputs, String name, Class<R> kind, Function<R, V> value) {
        return outputs.flatMapValues(
                output -> kind.isInstance(output)
                        ? Collections.singletonList(value.apply(kind.cast(output))) // a null value is a tombstone
                        : List.of(),
                Named.as(name));
    }

    /**
     * Writes the values of the envelopes of variant {@code kind} to a catalogue topic: nodes {@code
     * <name>-value} and {@code <name>} (the sink).
     */
    public <O, R extends O, V> void write(
            KStream<String, O> outputs, String name, TopicSpec<String, V> topic, Class<R> kind, Function<R, V> value) {
        write(select(outputs, name + "-value", kind, value), name, topic);
    }

    /** Writes a stream of one value type to a catalogue topic (node {@code name}: the sink). */
    public <V> void write(KStream<String, V> values, String name, TopicSpec<String, V> topic) {
        values.to(
                topic.name(),
                Produced.with(topic.keySerde(), serdes.value(topic)).withName(name));
    }

    /**
     * Writes the dead letters of the envelopes of variant {@code kind} to {@code synth.dlq}, keyed
     * by the UTF-8 bytes of the record's key: nodes {@code <name>-value}, {@code <name>-key} and
     * {@code <name>}.
     */
    public <O, R extends O> void deadLetters(
            KStream<String, O> outputs, String name, Class<R> kind, Function<R, DeadLetter> letter) {
        KStream<String, DeadLetter> letters = select(outputs, name + "-value", kind, letter);
        deadLetters(
                letters.map(
                        (key, deadLetter) ->
                                KeyValue.pair(key == null ? null : key.getBytes(StandardCharsets.UTF_8), deadLetter),
                        Named.as(name + "-key")),
                name);
    }

    /** The one sink of {@code synth.dlq}: dead letters keyed by the original key's bytes (node {@code name}). */
    public void deadLetters(KStream<byte[], DeadLetter> letters, String name) {
        letters.to(
                Topics.DLQ.name(),
                Produced.with(Topics.DLQ.keySerde(), serdes.value(Topics.DLQ)).withName(name));
    }
}
