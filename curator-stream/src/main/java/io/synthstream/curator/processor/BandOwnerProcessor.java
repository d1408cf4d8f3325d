package io.synthstream.curator.processor;

import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.avro.BucketOwner;
import io.synthstream.curator.avro.ClaimBatch;
import io.synthstream.curator.avro.SampleClaim;
import io.synthstream.curator.avro.VoteBatch;
import io.synthstream.curator.logic.BandBuckets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The owner of dedup buckets: each input record is a batch of claims on buckets this partition
 * owns ({@link BandRouting}), so each bucket is decided on exactly one partition of the cluster,
 * in the order the batches arrive. Decides every claim with {@link BandBuckets} and answers the
 * batch with one {@link VoteBatch} for its origin partition, one vote per sample.
 */
final class BandOwnerProcessor implements Processor<String, ClaimBatch, String, VoteBatch> {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private ProcessorContext<String, VoteBatch> context;
    private WindowStore<String, BucketOwner> owners;
    private WindowStore<String, ByteBuffer> signatures;

    @Override
    public void init(ProcessorContext<String, VoteBatch> context) {
        this.context = context;
        this.owners = context.getStateStore(CuratorStores.BAND_OWNERS);
        this.signatures = context.getStateStore(CuratorStores.BAND_SIGNATURES);
    }

    @Override
    public void process(Record<String, ClaimBatch> record) {
        ClaimBatch batch = record.value();
        List<BandVote> votes = new ArrayList<>(batch.getClaims().size());
        for (SampleClaim claim : batch.getClaims()) {
            votes.add(decide(claim));
        }
        int origin = batch.getOriginPartition();
        context.forward(
                record.withKey(Integer.toString(origin)).withValue(new VoteBatch(origin, batch.getRound(), votes)));
    }

    private BandVote decide(SampleClaim claim) {
        BucketOwner entry = BandBuckets.ownerOf(claim);
        BandBuckets.Decision exact = null;
        if (claim.getExactBucket() != null) {
            exact = BandBuckets.decideExact(owner(claim.getExactBucket()), claim);
            if (exact.claimBecomesOwner()) {
                owners.put(claim.getExactBucket(), entry, claim.getOrderTs());
            }
        }
        List<BandBuckets.Decision> bands =
                new ArrayList<>(claim.getBandBuckets().size());
        boolean ownsBand = false;
        for (String bucket : claim.getBandBuckets()) {
            BucketOwner owner = owner(bucket);
            BandBuckets.Decision decision = BandBuckets.decideBand(owner, ownerSignature(owner, claim), claim);
            if (decision.claimBecomesOwner()) {
                owners.put(bucket, entry, claim.getOrderTs());
                ownsBand = true;
            }
            bands.add(decision);
        }
        if (ownsBand) {
            signatures.put(claim.getSampleId(), claim.getSignature(), claim.getOrderTs());
        }
        return BandBuckets.vote(claim.getSampleId(), exact, bands);
    }

    /** The stored signature of an earlier owner the claim is compared with (empty if expired: unmatched). */
    private ByteBuffer ownerSignature(BucketOwner owner, SampleClaim claim) {
        if (owner == null
                || owner.getSampleId().equals(claim.getSampleId())
                || BandBuckets.isEarlier(
                        claim.getOrderTs(), claim.getSampleId(), owner.getOrderTs(), owner.getSampleId())) {
            return EMPTY;
        }
        try (WindowStoreIterator<ByteBuffer> stored = signatures.fetch(owner.getSampleId(), 0L, Long.MAX_VALUE)) {
            return stored.hasNext() ? stored.next().value : EMPTY;
        }
    }

    /** The earliest owner stored for the bucket over the retention (usually the only one). */
    private BucketOwner owner(String bucket) {
        BucketOwner earliest = null;
        try (WindowStoreIterator<BucketOwner> stored = owners.fetch(bucket, 0L, Long.MAX_VALUE)) {
            while (stored.hasNext()) {
                BucketOwner candidate = stored.next().value;
                if (earliest == null
                        || BandBuckets.isEarlier(
                                candidate.getOrderTs(),
                                candidate.getSampleId(),
                                earliest.getOrderTs(),
                                earliest.getSampleId())) {
                    earliest = candidate;
                }
            }
        }
        return earliest;
    }
}
