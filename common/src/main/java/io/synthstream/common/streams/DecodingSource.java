package io.synthstream.common.streams;

import io.synthstream.avro.DeadLetter;
import io.synthstream.common.dlq.DeadLetterReason;
import io.synthstream.common.dlq.DeadLetters;
import io.synthstream.common.metrics.AppMeters;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.common.topics.TopicSpec;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Reads an input topic so that undecodable values are dead-lettered <em>exactly once</em>.
 *
 * <p>Why not rely on the deserialization exception handler alone: a record dropped while it is
 * deserialized does not make its task commit, so its dead letter can be committed by another
 * task's commit on the same thread while the input offset is not; after a crash the record is read
 * and dead-lettered again (seen in {@code StreamsAppExactlyOnceIT}). Here values are read as bytes
 * and decoded in a processor: a bad record is an ordinary processed record, and its dead letter
 * and its offset commit in the same transaction. The handler stays configured as a safety net for
 * topics read elsewhere (global tables, internal topics).
 *
 * <p>Nodes are named {@code read-<topic>}, {@code decode-<topic>}, {@code decode-<topic>-ok},
 * {@code decode-<topic>-failed} and {@code dlq-<topic>}.
 */
public final class DecodingSource {
    /** The stage recorded on dead letters written here. */
    public static final String STAGE = "deserialization";

    private DecodingSource() {}

    /**
     * The decoded values of {@code topic}; undecodable ones go to {@code synth.dlq}.
     *
     * @param app the application id, recorded on dead letters
     */
    public static <K, V> KStream<K, V> stream(
            StreamsBuilder builder, TopicSpec<K, V> topic, SynthSerdes serdes, String app) {
        Deserializer<V> deserializer = serdes.value(topic).deserializer();
        String name = topic.name();
        KStream<K, Decoded<V>> decoded = builder.stream(
                        name,
                        Consumed.with(topic.keySerde(), Serdes.ByteArray()).withName("read-" + name))
                .processValues(() -> new DecodeProcessor<>(topic, deserializer, app), Named.as("decode-" + name));
        var branches = decoded.split(Named.as("decode-" + name + "-"))
                .branch((key, result) -> result.deadLetter().isPresent(), Branched.as("failed"))
                .defaultBranch(Branched.as("ok"));
        new Sinks(serdes)
                .deadLetters(
                        branches.get("decode-" + name + "-failed")
                                .map(
                                        (key, result) -> org.apache.kafka.streams.KeyValue.pair(
                                                result.rawKey(),
                                                result.deadLetter().orElseThrow()),
                                        Named.as("dlq-key-" + name)),
                        "dlq-" + name);
        return branches.get("decode-" + name + "-ok").mapValues(result -> result.value(), Named.as("decoded-" + name));
    }

    /** A decoded value, or the dead letter for a value that could not be decoded. */
    record Decoded<V>(V value, Optional<DeadLetter> deadLetter, byte[] rawKey) {}

    private static final class DecodeProcessor<K, V> implements FixedKeyProcessor<K, byte[], Decoded<V>> {
        private final TopicSpec<K, V> topic;
        private final Deserializer<V> deserializer;
        private final String app;
        private FixedKeyProcessorContext<K, Decoded<V>> context;
        private AppMeters meters;

        DecodeProcessor(TopicSpec<K, V> topic, Deserializer<V> deserializer, String app) {
            this.topic = topic;
            this.deserializer = deserializer;
            this.app = app;
        }

        @Override
        public void init(FixedKeyProcessorContext<K, Decoded<V>> context) {
            this.context = context;
            this.meters = AppMeters.from(context.appConfigs(), app);
        }

        @Override
        public void process(FixedKeyRecord<K, byte[]> record) {
            try {
                V value = deserializer.deserialize(topic.name(), record.headers(), record.value());
                context.forward(record.withValue(new Decoded<>(value, Optional.empty(), null)));
            } catch (RuntimeException error) {
                byte[] rawKey = topic.keySerde().serializer().serialize(topic.name(), record.key());
                Optional<RecordMetadata> metadata = context.recordMetadata();
                DeadLetters.Origin origin = new DeadLetters.Origin(
                        metadata.map(RecordMetadata::topic).orElse(topic.name()),
                        metadata.map(RecordMetadata::partition).orElse(null),
                        metadata.map(RecordMetadata::offset).orElse(null),
                        rawKey,
                        record.value());
                DeadLetter letter = DeadLetters.forException(
                                app, STAGE, DeadLetterReason.DESERIALIZATION_ERROR, error, origin, Instant.now())
                        .build();
                meters.count(SynthMeters.DEAD_LETTERS, STAGE, DeadLetterReason.DESERIALIZATION_ERROR.code());
                context.forward(record.withValue(new Decoded<>(null, Optional.of(letter), rawKey)));
            }
        }
    }
}
