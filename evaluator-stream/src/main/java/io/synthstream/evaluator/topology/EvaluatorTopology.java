package io.synthstream.evaluator.topology;

import io.synthstream.avro.ScoredSample;
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
 * The evaluator's topology (DESIGN §6). <b>Current scope: a documented pass-through.</b> Every
 * curated sample is published to {@code synth.samples.scored} as a {@link ScoredSample} with every
 * score null (nothing has scored it yet) and the time it passed through. Undecodable samples go to
 * {@code synth.dlq}. The judge, diversity metrics, reports, the request ledger and steering are
 * the evaluator issue's work and will be added here, behind the same {@link #build} entry point.
 */
public final class EvaluatorTopology {
    /** Topics this app reads or writes; created at start-up when missing. */
    public static final List<TopicSpec<?, ?>> TOPICS = List.of(
            Topics.SAMPLES_CURATED,
            Topics.SAMPLES_SCORED,
            Topics.REPORTS,
            Topics.REQUEST_STATUS,
            Topics.STEERING,
            Topics.DLQ);

    private EvaluatorTopology() {}

    public static Topology build(SynthConfig config) {
        return build(config, Clock.systemUTC());
    }

    /** With an explicit clock, for tests. */
    public static Topology build(SynthConfig config, Clock clock) {
        SynthSerdes serdes = SynthSerdes.from(config);
        StreamsBuilder builder = new StreamsBuilder();
        DecodingSource.stream(builder, Topics.SAMPLES_CURATED, serdes, config.applicationId())
                .mapValues(
                        sample -> ScoredSample.newBuilder()
                                .setSample(sample)
                                .setScoredAt(clock.instant())
                                .build(),
                        Named.as("unscored"))
                .to(
                        Topics.SAMPLES_SCORED.name(),
                        Produced.<String, ScoredSample>with(
                                        Topics.SAMPLES_SCORED.keySerde(), serdes.value(Topics.SAMPLES_SCORED))
                                .withName("write-scored"));
        return builder.build();
    }
}
