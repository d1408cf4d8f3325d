package io.synthstream.curator.processor;

import io.synthstream.curator.avro.BandClaim;
import io.synthstream.curator.avro.BandVote;
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
 * The owner of LSH band buckets: each input record carries a sample's claims on the buckets this
 * partition owns ({@link BandRouting}), so each bucket is decided on exactly one partition of the
 * cluster. Decides each claim with {@link BandBuckets#decide} and answers with one {@link
 * BandVote} covering them all, keyed by the sample's id.
 */
final class BandOwnerProcessor implements Processor<String, BandClaim, String, BandVote> {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private ProcessorContext<String, BandVote> context;
    private WindowStore<String, BandClaim> owners;
    private WindowStore<String, ByteBuffer> signatures;

    @Override
    public void init(ProcessorContext<String, BandVote> context) {
        this.context = context;
        this.owners = context.getStateStore(CuratorStores.BAND_OWNERS);
        this.signatures = context.getStateStore(CuratorStores.BAND_SIGNATURES);
    }

    @Override
    public void process(Record<String, BandClaim> record) {
        BandClaim batch = record.value();
        BandClaim claim = BandClaim.newBuilder(batch).setBuckets(List.of()).build();
        // Bucket entries keep no signature: it is stored once per sample and partition below.
        BandClaim entry = BandClaim.newBuilder(claim).setSignature(EMPTY).build();
        List<BandVote> votes = new ArrayList<>(batch.getBuckets().size());
        boolean ownsAny = false;
        for (String bucket : batch.getBuckets()) {
            BandClaim owner = owner(bucket);
            if (owner != null
                    && !owner.getSampleId().equals(claim.getSampleId())
                    && !BandBuckets.isEarlier(claim, owner)) {
                owner = BandClaim.newBuilder(owner)
                        .setSignature(signature(owner.getSampleId()))
                        .build();
            }
            BandBuckets.Decision decision = BandBuckets.decide(owner, claim);
            if (decision.claimBecomesOwner()) {
                owners.put(bucket, entry, record.timestamp());
                ownsAny = true;
            }
            votes.add(decision.vote());
        }
        if (ownsAny) {
            signatures.put(claim.getSampleId(), claim.getSignature(), record.timestamp());
        }
        context.forward(record.withKey(claim.getSampleId()).withValue(BandBuckets.combine(votes)));
    }

    /** The stored signature of a bucket owner (empty if it has expired, which makes it unmatched). */
    private ByteBuffer signature(String sampleId) {
        try (WindowStoreIterator<ByteBuffer> stored = signatures.fetch(sampleId, 0L, Long.MAX_VALUE)) {
            return stored.hasNext() ? stored.next().value : EMPTY;
        }
    }

    /** The earliest claim stored for the bucket over the retention (usually the only one). */
    private BandClaim owner(String bucket) {
        BandClaim earliest = null;
        try (WindowStoreIterator<BandClaim> stored = owners.fetch(bucket, 0L, Long.MAX_VALUE)) {
            while (stored.hasNext()) {
                BandClaim candidate = stored.next().value;
                if (earliest == null || BandBuckets.isEarlier(candidate, earliest)) {
                    earliest = candidate;
                }
            }
        }
        return earliest;
    }
}
