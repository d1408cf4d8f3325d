package io.synthstream.curator.processor;

import io.synthstream.curator.avro.BandClaim;
import io.synthstream.curator.avro.BandVote;
import io.synthstream.curator.logic.BandBuckets;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The owner of LSH band buckets: input is keyed {@code dataset|band key} and repartitioned on it,
 * so each bucket lives on exactly one partition of the cluster. Decides each claim with {@link
 * BandBuckets#decide} and answers with a {@link BandVote} keyed by the claiming sample's id.
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
        BandClaim claim = record.value();
        BandBuckets.Decision decision = BandBuckets.decide(owner(record.key()), claim);
        if (decision.claimBecomesOwner()) {
            owners.put(record.key(), claim, record.timestamp());
        }
        context.forward(record.withKey(claim.getSampleId()).withValue(decision.vote()));
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
