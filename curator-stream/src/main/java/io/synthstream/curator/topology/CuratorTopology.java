package io.synthstream.curator.topology;

import io.synthstream.avro.CurationInfo;
import io.synthstream.avro.Sample;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.DecodingSource;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The curator's topology (DESIGN §5). <b>Current scope: a documented pass-through.</b> Every raw
 * sample is kept: it goes to {@code synth.samples.curated} with a {@link CurationInfo} that lists
 * no passed checks (none ran) and the time it passed through. Undecodable samples go to {@code
 * synth.dlq}. Validation, heuristic filters and exact and near-duplicate removal are the curator
 * issue's work and will be added here, behind the same {@link #build} entry point.
 */
public final class CuratorTopology {
    /** Topics this app reads or writes; created at start-up when missing. */
    public static final List<TopicSpec<?, ?>> TOPICS =
            List.of(Topics.SAMPLES_RAW, Topics.SAMPLES_CURATED, Topics.SAMPLES_REJECTED, Topics.DLQ);

    private CuratorTopology() {}

    public static Topology build(SynthConfig config) {
        return build(config, Clock.systemUTC());
    }

    /** With an explicit clock, for tests. */
    public static Topology build(SynthConfig config, Clock clock) {
        SynthSerdes serdes = SynthSerdes.from(config);
        StreamsBuilder builder = new StreamsBuilder();
        DecodingSource.stream(builder, Topics.SAMPLES_RAW, serdes, config.applicationId())
                .mapValues(sample -> keep(sample, clock), Named.as("keep-all"))
                .to(
                        Topics.SAMPLES_CURATED.name(),
                        Produced.<String, Sample>with(
                                        Topics.SAMPLES_CURATED.keySerde(), serdes.value(Topics.SAMPLES_CURATED))
                                .withName("write-curated"));
        return builder.build();
    }

    private static Sample keep(Sample sample, Clock clock) {
        return Sample.newBuilder(sample)
                .setCuration(CurationInfo.newBuilder()
                        .setChecksPassed(List.of())
                        .setCuratedAt(clock.instant())
                        .build())
                .build();
    }
}
