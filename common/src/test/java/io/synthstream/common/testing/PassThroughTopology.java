package io.synthstream.common.testing;

import io.synthstream.avro.Sample;
import io.synthstream.common.streams.DecodingSource;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.Topics;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * A minimal app for testing the foundation: copies {@code synth.samples.raw} to {@code
 * synth.samples.curated}. A sample whose text is {@code "poison"} makes the processor throw (a
 * processing error); one whose text is {@code "crash"} kills the stream thread once with an {@link
 * Error}, which no handler catches, to exercise transaction abort and thread replacement.
 */
public final class PassThroughTopology {
    public static final String POISON = "poison";
    public static final String CRASH = "crash";

    private PassThroughTopology() {}

    /** Reads through {@link DecodingSource}, as the apps do. */
    public static Topology build(SynthSerdes serdes, String app, AtomicBoolean crashArmed) {
        StreamsBuilder builder = new StreamsBuilder();
        copy(DecodingSource.stream(builder, Topics.SAMPLES_RAW, serdes, app), serdes, crashArmed);
        return builder.build();
    }

    /**
     * Reads with the topic's Avro serde, so undecodable records reach the deserialization
     * exception handler (the safety net) instead of {@link DecodingSource}.
     */
    public static Topology buildWithHandlerOnly(SynthSerdes serdes) {
        StreamsBuilder builder = new StreamsBuilder();
        copy(
                builder.stream(
                        Topics.SAMPLES_RAW.name(),
                        Consumed.with(Topics.SAMPLES_RAW.keySerde(), serdes.value(Topics.SAMPLES_RAW))
                                .withName("read-raw")),
                serdes,
                new AtomicBoolean(false));
        return builder.build();
    }

    private static void copy(KStream<String, Sample> input, SynthSerdes serdes, AtomicBoolean crashArmed) {
        input.mapValues(
                        (key, sample) -> {
                            String text = sample.getFields().get("text");
                            if (POISON.equals(text)) {
                                throw new IllegalArgumentException("poisoned sample " + key);
                            }
                            if (CRASH.equals(text) && crashArmed.compareAndSet(true, false)) {
                                throw new AssertionError("simulated crash of the stream thread");
                            }
                            return Sample.newBuilder(sample).build();
                        },
                        Named.as("copy"))
                .to(
                        Topics.SAMPLES_CURATED.name(),
                        Produced.with(Topics.SAMPLES_CURATED.keySerde(), serdes.value(Topics.SAMPLES_CURATED))
                                .withName("write-curated"));
    }
}
