package io.synthstream.curator.processor;

import io.synthstream.avro.Sample;
import io.synthstream.common.streams.ProcessorSuppliers;
import io.synthstream.curator.avro.BucketOwner;
import io.synthstream.curator.avro.ClaimBatch;
import io.synthstream.curator.avro.VoteBatch;
import io.synthstream.curator.config.CuratorConfig;
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
    private final String app;
    private final CuratorConfig curator;
    private final Clock clock;
    private final int partitions;
    private final CuratorStores stores;
    private final Serde<Sample> samples;
    private final Serde<BucketOwner> owners;
    private final Serde<ClaimBatch> claims;

    public CuratorProcessors(
            String app,
            CuratorConfig curator,
            Clock clock,
            int partitions,
            CuratorStores stores,
            Serde<Sample> samples,
            Serde<BucketOwner> owners,
            Serde<ClaimBatch> claims) {
        this.app = app;
        this.curator = curator;
        this.clock = clock;
        this.partitions = partitions;
        this.stores = stores;
        this.samples = samples;
        this.owners = owners;
        this.claims = claims;
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
                        partitions));
    }

    /** The owner of dedup buckets, on the partition that owns them. */
    public ProcessorSupplier<String, ClaimBatch, String, VoteBatch> bandOwner() {
        return ProcessorSuppliers.owning(
                Set.of(
                        stores.bandOwners(owners),
                        stores.bandSignatures(),
                        stores.heldClaims(claims),
                        stores.unsettled(claims)),
                () -> new BandOwnerProcessor(
                        app,
                        stores.segmentInterval(),
                        curator.get(CuratorConfig.DEDUP_HOLD_MS),
                        curator.get(CuratorConfig.DEDUP_FATE_WAIT_MS)));
    }
}
