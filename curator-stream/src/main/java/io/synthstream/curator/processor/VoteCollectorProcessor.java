package io.synthstream.curator.processor;

import io.synthstream.avro.RejectionReason;
import io.synthstream.avro.Sample;
import io.synthstream.curator.avro.VoteTally;
import io.synthstream.curator.logic.BandBuckets;
import io.synthstream.curator.logic.Rejections;
import io.synthstream.curator.logic.Verdict;
import java.time.Clock;
import java.util.Locale;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Gathers a sample's band votes. Samples and votes both arrive keyed by sample id on
 * co-partitioned topics, in either order; once the sample and all its votes are here, it is
 * curated, or rejected as NEAR_DUPLICATE of the most similar earlier sample.
 */
final class VoteCollectorProcessor implements Processor<String, CollectorInput, String, Outcome> {

    private final Clock clock;
    private ProcessorContext<String, Outcome> context;
    private TimestampedKeyValueStore<String, Sample> pending;
    private KeyValueStore<String, VoteTally> tallies;

    VoteCollectorProcessor(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<String, Outcome> context) {
        this.context = context;
        this.pending = context.getStateStore(CuratorStores.NEAR_PENDING);
        this.tallies = context.getStateStore(CuratorStores.NEAR_TALLIES);
    }

    @Override
    public void process(Record<String, CollectorInput> record) {
        String sampleId = record.key();
        ValueAndTimestamp<Sample> sample;
        VoteTally tally;
        if (record.value().sample() != null) {
            sample = ValueAndTimestamp.make(record.value().sample(), record.timestamp());
            tally = tallies.get(sampleId);
        } else {
            sample = pending.get(sampleId);
            tally = BandBuckets.tally(tallies.get(sampleId), record.value().vote());
        }
        if (sample == null || !BandBuckets.isComplete(tally)) {
            if (record.value().sample() != null) {
                pending.put(sampleId, sample);
            } else {
                tallies.put(sampleId, tally);
            }
            return;
        }
        pending.delete(sampleId);
        tallies.delete(sampleId);
        context.forward(new Record<>(sampleId, decide(sample.value(), tally), sample.timestamp()));
    }

    private Outcome decide(Sample sample, VoteTally tally) {
        if (tally.getDupOf() != null) {
            Verdict verdict = new Verdict(
                    RejectionReason.NEAR_DUPLICATE,
                    NearClaimProcessor.STAGE,
                    String.format(
                            Locale.ROOT,
                            "estimated Jaccard %.2f with earlier sample %s",
                            tally.getSimilarity(),
                            tally.getDupOf()));
            return Outcome.rejected(Rejections.of(sample, verdict, tally.getDupOf(), clock.instant()));
        }
        return Outcome.curated(
                CurationInfos.curated(CurationInfos.withCheck(sample, NearClaimProcessor.STAGE), clock.instant()));
    }
}
