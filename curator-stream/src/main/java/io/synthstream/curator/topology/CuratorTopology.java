package io.synthstream.curator.topology;

import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.llm.PriceTable;
import io.synthstream.common.llm.SimulatedProvider;
import io.synthstream.common.streams.DecodingSource;
import io.synthstream.common.streams.Sinks;
import io.synthstream.common.streams.StateStores;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import io.synthstream.curator.avro.BucketOwner;
import io.synthstream.curator.avro.ClaimBatch;
import io.synthstream.curator.avro.PendingEmbedding;
import io.synthstream.curator.avro.VoteBatch;
import io.synthstream.curator.config.CuratorConfig;
import io.synthstream.curator.processor.BandRouting;
import io.synthstream.curator.processor.CurationInput;
import io.synthstream.curator.processor.CuratorOutput;
import io.synthstream.curator.processor.CuratorOutput.Claims;
import io.synthstream.curator.processor.CuratorOutput.Curated;
import io.synthstream.curator.processor.CuratorOutput.Embedded;
import io.synthstream.curator.processor.CuratorOutput.Failed;
import io.synthstream.curator.processor.CuratorOutput.Fates;
import io.synthstream.curator.processor.CuratorOutput.Rejected;
import io.synthstream.curator.processor.CuratorProcessors;
import io.synthstream.curator.processor.CuratorStores;
import io.synthstream.curator.processor.RegisteredTestRecords;
import io.synthstream.embedding.Embeddings;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The curator: every raw sample ends in exactly one of {@code synth.samples.curated},
 * {@code synth.samples.rejected} (with a reason) or {@code synth.dlq}.
 *
 * <pre>
 * synth.samples.raw ─ decode ─ embed (semantic dedup only, off the stream thread) ─ dlq
 *                           ─┐
 * &lt;app&gt;-dedup-votes ─────────┴─ curate: screen (spec, validation, heuristics, prompt echo, test records),
 *                                   keep the sample waiting, gather its dedup claims ─ curated | rejected
 *   └─ claim batches, one per owner partition ─▶ curator-dedup-claims ─ bucket owner
 *        └─ vote batches, back to the raw partition ─▶ &lt;app&gt;-dedup-votes
 * </pre>
 *
 * A sample stays on the task of its raw partition from start to decision; only its small claims
 * and votes travel, batched. Every dedup decision (exact-text bucket, MinHash band bucket or
 * semantic bucket of the sample's embedding) is made on
 * the one partition that owns the bucket, so the result does not depend on how many instances run.
 * The votes topic closes a loop between two sub-topologies, which the DSL cannot express with an
 * internal repartition topic, so it is a topic of the app, created with the others ({@link
 * #topics}); it needs as many partitions as {@code synth.samples.raw}. Specs come from a global
 * table of {@code synth.specs} ({@code curator-specs}); registered real test records from a global
 * store of {@code synth.test-records} ({@link RegisteredTestRecords}). Stores are named in {@link CuratorStores}.
 */
public final class CuratorTopology {
    /** Catalogue topics this app reads or writes; created at start-up when missing. */
    private static final List<TopicSpec<?, ?>> TOPICS = List.of(
            Topics.SPECS,
            Topics.TEST_RECORDS,
            Topics.SAMPLES_RAW,
            Topics.SAMPLES_CURATED,
            Topics.SAMPLES_REJECTED,
            Topics.DLQ);

    static final String CLAIMS_TOPIC = "curator-dedup-claims";
    static final String FATES_TOPIC = "curator-dedup-fates";

    private CuratorTopology() {}

    /** The votes topic of an app: {@code <application.id>-dedup-votes}. */
    public static String votesTopic(String applicationId) {
        return applicationId + "-dedup-votes";
    }

    /** {@link #TOPICS} and the app's votes topic (append-time stamps, short retention). */
    public static List<TopicSpec<?, ?>> topics(SynthConfig config) {
        String retention = Long.toString(
                CuratorConfig.from(config).get(CuratorConfig.VOTES_RETENTION_MS).toMillis());
        TopicSpec<String, VoteBatch> votes = new TopicSpec<>(
                votesTopic(config.applicationId()),
                Serdes.String(),
                VoteBatch.class,
                false,
                "Dedup votes from bucket owners back to the raw partition whose task holds the samples.",
                Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, retention,
                        TopicConfig.SEGMENT_MS_CONFIG, retention,
                        TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"));
        List<TopicSpec<?, ?>> topics = new ArrayList<>(TOPICS);
        topics.add(votes);
        return List.copyOf(topics);
    }

    /**
     * The internal topic that takes claim or fate batches to the partition owning their buckets.
     * Fates have a topic of their own: an owner task reads both and takes the record with the
     * older timestamp first, so a fate (stamped with its sample's time) is not stuck behind the
     * backlog of later claims that wait for it.
     */
    private static Repartitioned<String, ClaimBatch> toOwners(String topic, Serde<ClaimBatch> batches, int partitions) {
        return Repartitioned.<String, ClaimBatch>as(topic)
                .withKeySerde(Serdes.String())
                .withValueSerde(batches)
                .withNumberOfPartitions(partitions)
                .withStreamPartitioner(BandRouting.claims());
    }

    /**
     * The app's topology; its embedding pool (loaded on first use) and the shell's runtime are
     * closed when the JVM ends. Apps that stop and start curators in one JVM use {@link
     * #build(SynthConfig, Consumer)}.
     */
    public static Topology build(SynthConfig config) {
        return build(config, resource -> {});
    }

    /**
     * The app's topology with an embedding pool built from {@code config}, handed to {@code owner}
     * (with the stage's LLM runtime) to close after the app's stream threads.
     */
    public static Topology build(SynthConfig config, Consumer<AutoCloseable> owner) {
        CuratorConfig curator = CuratorConfig.from(config);
        LlmRuntime runtime = runtime(curator);
        owner.accept(runtime);
        Embeddings embeddings = CuratorConfig.EMBEDDING.pool(curator.synth(), runtime);
        if (embeddings != null) {
            owner.accept(embeddings);
        }
        return build(config, Clock.systemUTC(), false, runtime, embeddings);
    }

    /**
     * The runtime of the embedding stage's shell: it sends no chat calls (hence the offline
     * provider and no kept replies), but an endpoint's embeddings are admitted and retried under
     * its limits ({@code llm.*}).
     */
    public static LlmRuntime runtime(CuratorConfig curator) {
        return new LlmRuntime(
                new SimulatedProvider(SimulatedProvider.Settings.INSTANT),
                LlmSettings.limits(curator.synth()),
                PriceTable.none());
    }

    /**
     * A topology for tests, with the configured embedder.
     *
     * @param clock the time written on curated and rejected records
     * @param inMemoryStores in-memory instead of RocksDB stores (topology tests)
     */
    public static Topology build(SynthConfig config, Clock clock, boolean inMemoryStores) {
        CuratorConfig curator = CuratorConfig.from(config);
        LlmRuntime runtime = runtime(curator);
        return build(config, clock, inMemoryStores, runtime, CuratorConfig.EMBEDDING.pool(curator.synth(), runtime));
    }

    /**
     * @param runtime the embedding stage's runtime; the caller closes it
     * @param embeddings the embedding pool, or null for none; the caller closes it
     */
    public static Topology build(
            SynthConfig config, Clock clock, boolean inMemoryStores, LlmRuntime runtime, Embeddings embeddings) {
        CuratorConfig curator = CuratorConfig.from(config);
        SynthSerdes serdes = SynthSerdes.from(config);
        Serde<ClaimBatch> claims = serdes.valueSerde(ClaimBatch.class);
        Serde<VoteBatch> votes = serdes.valueSerde(VoteBatch.class);
        int partitions = config.topicPartitions();
        String app = config.applicationId();
        CuratorStores stores = new CuratorStores(inMemoryStores, curator.get(CuratorConfig.DEDUP_RETENTION_MS));
        RegisteredTestRecords testRecords =
                new RegisteredTestRecords(serdes.value(Topics.TEST_RECORDS).deserializer(), Topics.TEST_RECORDS.name());
        CuratorProcessors processors = new CuratorProcessors(
                app,
                curator,
                clock,
                partitions,
                stores,
                serdes.value(Topics.SAMPLES_RAW),
                serdes.valueSerde(BucketOwner.class),
                claims,
                serdes.valueSerde(PendingEmbedding.class),
                runtime,
                embeddings,
                testRecords);
        StreamsBuilder builder = new StreamsBuilder();

        StateStores.specsGlobalTable(builder, serdes, CuratorStores.SPECS, "read-specs", inMemoryStores);
        // Real test records registered for datasets: every instance holds all of them (decontamination).
        builder.addGlobalStore(
                stores.testRecords(),
                Topics.TEST_RECORDS.name(),
                Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("read-test-records"),
                testRecords.updater());

        Sinks sinks = new Sinks(serdes);
        KStream<String, CuratorOutput> embedded = DecodingSource.stream(builder, Topics.SAMPLES_RAW, serdes, app)
                .process(processors.embedding(), Named.as("embed"));
        sinks.deadLetters(embedded, "embed-write-dlq", Failed.class, Failed::deadLetter);
        KStream<String, CurationInput> samples = sinks.select(embedded, "embedded", Embedded.class, Embedded::sample)
                .mapValues(CurationInput::ofSample, Named.as("sample-input"));
        KStream<String, CurationInput> votesIn = builder.stream(
                        votesTopic(app), Consumed.with(Serdes.String(), votes).withName("read-votes"))
                .mapValues(CurationInput::ofVotes, Named.as("votes-input"));
        KStream<String, CuratorOutput> outputs =
                samples.merge(votesIn, Named.as("curate-input")).process(processors.curation(), Named.as("curate"));
        sinks.write(outputs, "curate-write-curated", Topics.SAMPLES_CURATED, Curated.class, Curated::sample);
        sinks.write(outputs, "curate-write-rejected", Topics.SAMPLES_REJECTED, Rejected.class, Rejected::rejection);
        sinks.deadLetters(outputs, "curate-write-dlq", Failed.class, Failed::deadLetter);
        KStream<String, ClaimBatch> claimBatches = sinks.select(outputs, "claim-batch", Claims.class, Claims::batch)
                .repartition(toOwners(CLAIMS_TOPIC, claims, partitions));
        KStream<String, ClaimBatch> fateBatches = sinks.select(outputs, "fate-batch", Fates.class, Fates::batch)
                .repartition(toOwners(FATES_TOPIC, claims, partitions));
        claimBatches
                .merge(fateBatches, Named.as("owner-input"))
                .process(processors.bandOwner(), Named.as("bucket-owner"))
                .to(
                        votesTopic(app),
                        Produced.with(Serdes.String(), votes)
                                .withStreamPartitioner(BandRouting.votes())
                                .withName("write-votes"));
        return builder.build();
    }
}
