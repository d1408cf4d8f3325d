package io.synthstream.curator.processor;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RejectionReason;
import io.synthstream.avro.Sample;
import io.synthstream.curator.logic.Rejections;
import io.synthstream.curator.logic.Verdict;
import java.time.Clock;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Exact dedup. Input is keyed by {@code dataset|normalised-text hash} and repartitioned on it, so
 * every copy of a text in a dataset meets on one partition, whichever instance generated or
 * screened it. The first sample seen for a key (within {@code curator.dedup.retention.ms}) is kept;
 * later ones are rejected as EXACT_DUPLICATE with {@code dup_of}. Output is re-keyed by sample id.
 */
final class ExactDedupProcessor implements Processor<String, Sample, String, Outcome> {
    static final String STAGE = "exact-dedup";

    private final Clock clock;
    private ProcessorContext<String, Outcome> context;
    private SpecLookup specs;
    private WindowStore<String, String> seen;

    ExactDedupProcessor(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<String, Outcome> context) {
        this.context = context;
        this.specs = new SpecLookup(context);
        this.seen = context.getStateStore(CuratorStores.EXACT_SEEN);
    }

    @Override
    public void process(Record<String, Sample> record) {
        Sample sample = record.value();
        Optional<GenerationRequest> spec = specs.spec(sample.getRequestId());
        boolean enabled = spec.map(s -> specs.thresholds(s).exactDedup()).orElse(true);
        Outcome outcome = Outcome.passed(sample);
        if (enabled) {
            String first = firstSeen(record.key());
            if (first == null) {
                seen.put(record.key(), sample.getSampleId(), record.timestamp());
            } else if (!first.equals(sample.getSampleId())) {
                Verdict verdict = new Verdict(
                        RejectionReason.EXACT_DUPLICATE,
                        STAGE,
                        "same normalised text as " + first + " (hash "
                                + sample.getCuration().getExactHash() + ")");
                outcome = Outcome.rejected(Rejections.of(sample, verdict, first, clock.instant()));
            }
        }
        if (outcome.kind() == Outcome.Kind.PASSED) {
            outcome = Outcome.passed(CurationInfos.withCheck(sample, STAGE));
        }
        context.forward(record.withKey(sample.getSampleId()).withValue(outcome));
    }

    /** The earliest-stored sample id for the key, over the whole retention. */
    private String firstSeen(String key) {
        try (WindowStoreIterator<String> entries = seen.fetch(key, 0L, Long.MAX_VALUE)) {
            return entries.hasNext() ? entries.next().value : null;
        }
    }
}
