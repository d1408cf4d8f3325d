package io.synthstream.generator.topology;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.DecodingSource;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import java.util.List;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The generator's topology (DESIGN §4). <b>Current scope: a documented pass-through.</b> It reads
 * Avro requests from {@code synth.requests} and publishes each one, keyed by request id, to the
 * compacted {@code synth.specs} that the curator and evaluator look up. Undecodable requests go to
 * {@code synth.dlq}. Request validation, JSON ingest, planning and LLM generation are the
 * generator issue's work and will be added here, behind the same {@link #build} entry point.
 */
public final class GeneratorTopology {
    /** Topics this app reads or writes; created at start-up when missing. */
    public static final List<TopicSpec<?, ?>> TOPICS = List.of(Topics.REQUESTS, Topics.SPECS, Topics.DLQ);

    private GeneratorTopology() {}

    public static Topology build(SynthConfig config) {
        SynthSerdes serdes = SynthSerdes.from(config);
        StreamsBuilder builder = new StreamsBuilder();
        DecodingSource.stream(builder, Topics.REQUESTS, serdes, config.applicationId())
                .to(
                        Topics.SPECS.name(),
                        Produced.<String, GenerationRequest>with(Topics.SPECS.keySerde(), serdes.value(Topics.SPECS))
                                .withName("write-specs"));
        return builder.build();
    }
}
