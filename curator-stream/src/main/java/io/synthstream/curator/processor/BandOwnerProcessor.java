package io.synthstream.curator.processor;

import io.synthstream.curator.avro.BandClaim;
import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.logic.BandBuckets;
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
    private ProcessorContext<String, BandVote> context;
    private WindowStore<String, BandClaim> owners;

    @Override
    public void init(ProcessorContext<String, BandVote> context) {
        this.context = context;
        this.owners = context.getStateStore(CuratorStores.BAND_OWNERS);
    }

    @Override
    public void process(Record<String, BandClaim> record) {
        BandClaim batch = record.value();
        BandClaim claim = BandClaim.newBuilder(batch).setBuckets(List.of()).build();
        List<BandVote> votes = new ArrayList<>(batch.getBuckets().size());
        for (String bucket : batch.getBuckets()) {
            BandBuckets.Decision decision = BandBuckets.decide(owner(bucket), claim);
            if (decision.claimBecomesOwner()) {
                owners.put(bucket, claim, record.timestamp());
            }
            votes.add(decision.vote());
        }
        context.forward(record.withKey(claim.getSampleId()).withValue(BandBuckets.combine(votes)));
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
