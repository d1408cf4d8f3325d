package io.synthstream.curator.processor;

import io.synthstream.avro.Sample;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.common.streams.ProcessorSuppliers;
import io.synthstream.common.streams.async.AsyncSettings;
import io.synthstream.common.streams.async.AsyncStage;
import io.synthstream.curator.avro.BucketOwner;
import io.synthstream.curator.avro.ClaimBatch;
import io.synthstream.curator.avro.PendingEmbedding;
import io.synthstream.curator.avro.VoteBatch;
import io.synthstream.curator.config.CuratorConfig;
import io.synthstream.embedding.Embeddings;
import java.time.Clock;
import java.util.Set;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;

/**
 * Suppliers of the curator's processors, each carrying the state store it owns ({@link
 * ProcessorSupplier#stores()}), so the topology never wires a store by hand. Every {@code get()}
 * returns a new processor.
 */
public final class CuratorProcessors {
    /**
     * How long the embedding stage waits for room on a full embedding pool before it takes a raw
     * record anyway: each wait ends as soon as one embedding finishes, far below
     * max.poll.interval.ms over a poll.
     */
    private final String app;

    private final CuratorConfig curator;
    private final Clock clock;
    private final int partitions;
    private final CuratorStores stores;
    private final Serde<Sample> samples;
    private final Serde<BucketOwner> owners;
    private final Serde<ClaimBatch> claims;
    private final Serde<PendingEmbedding> embedding;
    private final LlmRuntime runtime;
    private final Embeddings embeddings;

    /**
     * @param runtime the runtime of the embedding stage's shell (it makes no chat calls; an
     *     endpoint's embeddings share its limits)
     * @param embeddings the instance's embedding pool, or null when the curator has none
     */
    private final RegisteredTestRecords testRecords;

    public CuratorProcessors(
            String app,
            CuratorConfig curator,
            Clock clock,
            int partitions,
            CuratorStores stores,
            Serde<Sample> samples,
            Serde<BucketOwner> owners,
            Serde<ClaimBatch> claims,
            Serde<PendingEmbedding> embedding,
            LlmRuntime runtime,
            Embeddings embeddings,
            RegisteredTestRecords testRecords) {
        this.testRecords = testRecords;
        this.app = app;
        this.curator = curator;
        this.clock = clock;
        this.partitions = partitions;
        this.stores = stores;
        this.samples = samples;
        this.owners = owners;
        this.claims = claims;
        this.embedding = embedding;
        this.runtime = runtime;
        this.embeddings = embeddings;
    }

    /**
     * The embedding of raw samples whose request asks for semantic dedup, on the async-call
     * stage; every other sample passes straight through.
     */
    public ProcessorSupplier<String, Sample, String, CuratorOutput> embedding() {
        AsyncStage.Setup<CuratorOutput> setup = new AsyncStage.Setup<>(
                app,
                EmbedCalls.EMBED,
                CuratorStores.EMBEDDING,
                CuratorStores.SPECS,
                new AsyncSettings(
                        curator.get(CuratorConfig.EMBEDDING_DRAIN_MS), curator.get(CuratorConfig.SPEC_WAIT_MS)),
                runtime,
                clock,
                CuratorOutput.Failed::new,
                SynthMeters.CURATOR_SEMANTIC_SKIPPED);
        return AsyncStage.supplier(
                embeddings == null ? setup : setup.pausedWhile(embeddings::saturated),
                stores.embedding(embedding),
                () -> new EmbedCalls(embeddings));
    }

    /** Screening, dedup claims and decisions, on the raw sample's partition. */
    public ProcessorSupplier<String, CurationInput, String, CuratorOutput> curation() {
        return ProcessorSuppliers.owning(
                Set.of(stores.awaitingSpec(samples), stores.pending(samples)),
                () -> new CurationProcessor(
                        app,
                        curator.get(CuratorConfig.SPEC_WAIT_MS),
                        clock,
                        curator.get(CuratorConfig.CLAIM_LINGER_MS),
                        curator.get(CuratorConfig.CLAIM_BATCH_MAX),
                        partitions,
                        testRecords));
    }

    /** The owner of dedup buckets, on the partition that owns them. */
    public ProcessorSupplier<String, ClaimBatch, String, VoteBatch> bandOwner() {
        return ProcessorSuppliers.owning(
                Set.of(
                        stores.bandOwners(owners),
                        stores.bandSignatures(),
                        stores.bandVectors(),
                        stores.heldClaims(claims),
                        stores.unsettled(claims)),
                () -> new BandOwnerProcessor(
                        app,
                        stores.segmentInterval(),
                        curator.get(CuratorConfig.DEDUP_HOLD_MS),
                        curator.get(CuratorConfig.DEDUP_FATE_WAIT_MS)));
    }
}
