package io.synthstream.curator.topology;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.Sample;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.DecodingSource;
import io.synthstream.common.streams.StateStores;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import io.synthstream.curator.avro.BandClaim;
import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.avro.VoteTally;
import io.synthstream.curator.config.CuratorConfig;
import io.synthstream.curator.processor.BandRouting;
import io.synthstream.curator.processor.CollectorInput;
import io.synthstream.curator.processor.CuratorProcessors;
import io.synthstream.curator.processor.CuratorStores;
import io.synthstream.curator.processor.DecisionCounter;
import io.synthstream.curator.processor.Outcome;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The curator (DESIGN §5): every raw sample ends in exactly one of {@code synth.samples.curated},
 * {@code synth.samples.rejected} (with a reason) or {@code synth.dlq}.
 *
 * <pre>
 * synth.samples.raw ─ decode ─ screen (spec, validation, heuristics, prompt echo)
 *   └─ key dataset|hash ─▶ curator-exact ─ exact dedup
 *        └─ near claims (MinHash, LSH bands)
 *             ├─ sample, key sample id ─▶ curator-near-pending ──────────────┐
 *             └─ claims per owner partition ─▶ curator-band-claims ─ bucket owner
 *                   └─ votes, key sample id ─▶ curator-band-votes ─ merge ─ collect votes ─ curated | rejected
 * </pre>
 *
 * Every dedup decision is made on the one partition that owns the key (hash or band bucket), so the
 * result does not depend on how many instances run. Specs come from a global table of {@code
 * synth.specs} ({@code curator-specs}). Stores and repartition topics are named in {@link
 * CuratorStores} and here.
 */
public final class CuratorTopology {
    /** Topics this app reads or writes; created at start-up when missing. */
    public static final List<TopicSpec<?, ?>> TOPICS =
            List.of(Topics.SPECS, Topics.SAMPLES_RAW, Topics.SAMPLES_CURATED, Topics.SAMPLES_REJECTED, Topics.DLQ);

    static final String EXACT_TOPIC = "curator-exact";
    static final String PENDING_TOPIC = "curator-near-pending";
    static final String CLAIMS_TOPIC = "curator-band-claims";
    static final String VOTES_TOPIC = "curator-band-votes";

    private CuratorTopology() {}

    public static Topology build(SynthConfig config) {
        return build(config, Clock.systemUTC(), false);
    }

    /**
     * @param clock the time written on curated and rejected records
     * @param inMemoryStores in-memory instead of RocksDB stores (topology tests)
     */
    public static Topology build(SynthConfig config, Clock clock, boolean inMemoryStores) {
        CuratorConfig curator = CuratorConfig.from(config);
        SynthSerdes serdes = SynthSerdes.from(config);
        Serde<Sample> samples = serdes.value(Topics.SAMPLES_RAW);
        Serde<BandClaim> claims = serdes.valueSerde(BandClaim.class);
        Serde<BandVote> votes = serdes.valueSerde(BandVote.class);
        int partitions = config.topicPartitions();
        CuratorStores stores = new CuratorStores(inMemoryStores, curator.dedupRetention());
        CuratorProcessors processors = new CuratorProcessors(
                config.applicationId(),
                curator.specWait(),
                clock,
                partitions,
                stores,
                samples,
                claims,
                serdes.valueSerde(VoteTally.class));
        StreamsBuilder builder = new StreamsBuilder();

        StateStores.specsGlobalTable(builder, serdes, CuratorStores.SPECS, "read-specs", inMemoryStores);

        KStream<String, Outcome> screened = DecodingSource.stream(
                        builder, Topics.SAMPLES_RAW, serdes, config.applicationId())
                .process(processors.screening(), Named.as("screen"));
        String app = config.applicationId();
        KStream<String, Outcome> exact = route(screened, "screen", serdes, app)
                .selectKey(
                        (id, outcome) -> outcome.sample().getDataset() + "|"
                                + outcome.sample().getCuration().getExactHash(),
                        Named.as("key-by-exact-hash"))
                .mapValues(Outcome::sample, Named.as("exact-sample"))
                .repartition(Repartitioned.<String, Sample>as(EXACT_TOPIC)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(samples)
                        .withNumberOfPartitions(partitions))
                .process(processors.exactDedup(), Named.as("exact-dedup"));
        KStream<String, Outcome> claimed = route(exact, "exact", serdes, app)
                .mapValues(Outcome::sample, Named.as("near-sample"))
                .process(processors.nearClaims(), Named.as("near-claims"));
        KStream<String, Outcome> awaitingVotes = route(claimed, "near", serdes, app);

        KStream<String, CollectorInput> pending = awaitingVotes
                .mapValues(Outcome::sample, Named.as("pending-sample"))
                .repartition(Repartitioned.<String, Sample>as(PENDING_TOPIC)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(samples)
                        .withNumberOfPartitions(partitions))
                .mapValues(CollectorInput::ofSample, Named.as("pending-input"));
        KStream<String, CollectorInput> ballots = awaitingVotes
                .flatMap((id, outcome) -> outcome.claims(), Named.as("band-claims"))
                .repartition(Repartitioned.<String, BandClaim>as(CLAIMS_TOPIC)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(claims)
                        .withNumberOfPartitions(partitions)
                        .withStreamPartitioner(BandRouting.partitioner()))
                .process(processors.bandOwner(), Named.as("band-owner"))
                .repartition(Repartitioned.<String, BandVote>as(VOTES_TOPIC)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(votes)
                        .withNumberOfPartitions(partitions))
                .mapValues(CollectorInput::ofVote, Named.as("vote-input"));
        KStream<String, Outcome> decided = pending.merge(ballots, Named.as("near-merge"))
                .process(processors.voteCollector(), Named.as("near-collect"));
        route(decided, "collect", serdes, app);
        return builder.build();
    }

    /**
     * Writes the curated, rejected and dead-lettered outcomes of a stage to their topics and
     * returns the rest (passed on, or waiting for votes).
     */
    private static KStream<String, Outcome> route(
            KStream<String, Outcome> outcomes, String stage, SynthSerdes serdes, String app) {
        String prefix = stage + "-";
        Map<String, KStream<String, Outcome>> branches = outcomes.split(Named.as(prefix))
                .branch((id, o) -> o.kind() == Outcome.Kind.CURATED, Branched.as("curated"))
                .branch((id, o) -> o.kind() == Outcome.Kind.REJECTED, Branched.as("rejected"))
                .branch((id, o) -> o.kind() == Outcome.Kind.DEAD_LETTER, Branched.as("dead-letter"))
                .defaultBranch(Branched.as("next"));
        branches.get(prefix + "curated")
                .processValues(
                        DecisionCounter.counting(app, "curated", o -> "none"), Named.as(prefix + "count-curated"))
                .mapValues(Outcome::sample, Named.as(prefix + "curated-sample"))
                .to(
                        Topics.SAMPLES_CURATED.name(),
                        Produced.<String, Sample>with(Serdes.String(), serdes.value(Topics.SAMPLES_CURATED))
                                .withName(prefix + "write-curated"));
        branches.get(prefix + "rejected")
                .processValues(
                        DecisionCounter.counting(
                                app, "rejected", o -> o.rejection().getReason().name()),
                        Named.as(prefix + "count-rejected"))
                .mapValues(Outcome::rejection, Named.as(prefix + "rejection"))
                .to(
                        Topics.SAMPLES_REJECTED.name(),
                        Produced.<String, Rejection>with(Serdes.String(), serdes.value(Topics.SAMPLES_REJECTED))
                                .withName(prefix + "write-rejected"));
        branches.get(prefix + "dead-letter")
                .processValues(
                        DecisionCounter.counting(
                                app, "dead_lettered", o -> o.deadLetter().getReason()),
                        Named.as(prefix + "count-dead-lettered"))
                .map(
                        (id, o) -> KeyValue.pair(id.getBytes(StandardCharsets.UTF_8), o.deadLetter()),
                        Named.as(prefix + "dlq-key"))
                .to(
                        Topics.DLQ.name(),
                        Produced.<byte[], DeadLetter>with(Topics.DLQ.keySerde(), serdes.value(Topics.DLQ))
                                .withName(prefix + "write-dlq"));
        return branches.get(prefix + "next");
    }
}
