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

/**
 * The owner of dedup buckets: each input record is a batch of claims on buckets this partition
 * owns ({@link BandRouting}), so each bucket is decided on exactly one partition of the cluster,
 * in the order the batches arrive. Decides every claim with {@link BandBuckets} and answers the
 * batch with one {@link VoteBatch} for its origin partition, one vote per sample.
 *
 * <p>Entries are stored at the start of their sample's epoch ({@link #epochStart}: half the
 * retention, the stores' segment length), so a lookup is two point reads (the claim's epoch and
 * the one before) instead of an iterator over every segment, and expiry stays the window
 * stores' whole-segment drop. An owner is therefore found when it is less than half the
 * retention older than the claim, and never when it is more than the whole retention older.
 */
final class BandOwnerProcessor implements Processor<String, ClaimBatch, String, VoteBatch> {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final long epoch;

    private ProcessorContext<String, VoteBatch> context;
    private WindowStore<String, BucketOwner> owners;
    private WindowStore<String, ByteBuffer> signatures;

    /** @param epoch the epoch length: {@link CuratorStores#segmentInterval} */
    BandOwnerProcessor(long epoch) {
        this.epoch = epoch;
    }

    /** The start of the epoch of a timestamp: where entries made at that time are stored. */
    long epochStart(long timestamp) {
        return Math.floorDiv(timestamp, epoch) * epoch;
    }

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
        long stored = epochStart(claim.getOrderTs());
        BandBuckets.Decision exact = null;
        if (claim.getExactBucket() != null) {
            exact = BandBuckets.decideExact(owner(claim.getExactBucket(), stored), claim);
            if (exact.claimBecomesOwner()) {
                owners.put(claim.getExactBucket(), entry, stored);
            }
        }
        List<BandBuckets.Decision> bands =
                new ArrayList<>(claim.getBandBuckets().size());
        boolean ownsBand = false;
        for (String bucket : claim.getBandBuckets()) {
            BucketOwner owner = owner(bucket, stored);
            BandBuckets.Decision decision = BandBuckets.decideBand(owner, ownerSignature(owner, claim), claim);
            if (decision.claimBecomesOwner()) {
                owners.put(bucket, entry, stored);
                ownsBand = true;
            }
            bands.add(decision);
        }
        if (ownsBand) {
            signatures.put(claim.getSampleId(), claim.getSignature(), stored);
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
        ByteBuffer signature = signatures.fetch(owner.getSampleId(), epochStart(owner.getOrderTs()));
        return signature == null ? EMPTY : signature;
    }

    /**
     * The bucket's owner: the entry of the epoch before the claim's (always the earlier one), else
     * of the claim's own epoch; null when the bucket is free.
     */
    private BucketOwner owner(String bucket, long epochStart) {
        BucketOwner previous = owners.fetch(bucket, epochStart - epoch);
        return previous != null ? previous : owners.fetch(bucket, epochStart);
    }
}
