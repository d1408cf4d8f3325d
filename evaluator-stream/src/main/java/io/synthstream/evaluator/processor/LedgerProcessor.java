package io.synthstream.evaluator.processor;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.common.dlq.DeadLetters;
import io.synthstream.common.streams.SpecLookup;
import io.synthstream.common.streams.SpecWait;
import io.synthstream.evaluator.avro.LedgerDelta;
import io.synthstream.evaluator.logic.Ledger;
import io.synthstream.evaluator.logic.ReviewDecisions;
import io.synthstream.evaluator.logic.ScoreSummary;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger and admission step (keyed by request id): every {@link LedgerDelta} — the plan, a
 * generated sample, a curated or rejected one, a dead letter that accounts for samples, a judged
 * sample, the quality gate's decision, a review decision — updates the request's {@link
 * RequestStatus} in {@link EvaluatorStores#LEDGER} ({@link Ledger}), which is forwarded at once.
 * A sample admitted by {@link Ledger} is written to synth.dataset by the same transaction that
 * counts it as accepted; a decision the ledger refuses goes to synth.dlq.
 *
 * <p>{@code requested} comes from the request's spec in the global {@code synth.specs} table. The
 * global table can lag the samples by a moment, so a ledger whose spec was not there yet waits for
 * it ({@link SpecWait}, without a bound: the ledger only lacks its count meanwhile) and is
 * published again once it arrives.
 */
final class LedgerProcessor implements Processor<String, LedgerDelta, String, EvaluatorOutput> {
    private static final Logger log = LoggerFactory.getLogger(LedgerProcessor.class);

    private final Clock clock;
    private final SpecWait specWait;
    private final String app;
    private ProcessorContext<String, EvaluatorOutput> context;
    private KeyValueStore<String, RequestStatus> ledger;
    private KeyValueStore<String, byte[]> reviewTimes;
    private KeyValueStore<String, String> reviewAdmissions;
    private SpecLookup specs;

    LedgerProcessor(String app, Clock clock) {
        this.app = app;
        this.clock = clock;
        this.specWait = SpecWait.unbounded(clock);
    }

    @Override
    public void init(ProcessorContext<String, EvaluatorOutput> context) {
        this.context = context;
        this.ledger = context.getStateStore(EvaluatorStores.LEDGER);
        this.reviewTimes = context.getStateStore(EvaluatorStores.REVIEW_TIMES);
        this.reviewAdmissions = context.getStateStore(EvaluatorStores.REVIEW_ADMISSIONS);
        this.specs = new SpecLookup(context, EvaluatorStores.SPECS);
        specWait.clear();
        try (KeyValueIterator<String, RequestStatus> all = ledger.all()) {
            all.forEachRemaining(kv -> {
                if (Ledger.needsSpec(kv.value)) {
                    specWait.park(kv.key, kv.key, kv.value.getUpdatedAt().toEpochMilli());
                }
            });
        }
        context.schedule(
                specWait.recheckInterval(),
                PunctuationType.WALL_CLOCK_TIME,
                now -> specWait.recheck(
                        specs,
                        (requestId, spec) -> {
                            RequestStatus status = ledger.get(requestId);
                            if (status != null && Ledger.needsSpec(status)) {
                                Ledger.applySpec(status, spec);
                                save(status);
                            }
                        },
                        requestId -> {}));
    }

    @Override
    public void process(Record<String, LedgerDelta> record) {
        LedgerDelta delta = record.value();
        RequestStatus status = ledger.get(delta.getRequestId());
        if (status == null) {
            status = Ledger.open(delta, clock.instant());
        }
        String admissionKey =
                EvaluatorStores.scoped(delta.getRequestId(), delta.getSampleId() == null ? "" : delta.getSampleId());
        boolean decided = Ledger.DECIDED.equals(delta.getQuality());
        if (decided && delta.getPrevious() != null && delta.getPrevious().equals(Ledger.WAS_ACCEPTED)) {
            // The review state knows it accepted; only the ledger knows whether it admitted or found surplus.
            String admitted = reviewAdmissions.get(admissionKey);
            if (admitted != null) {
                delta.setPrevious(admitted);
            }
        }
        boolean wasComplete = status.getComplete();
        Ledger.Admission admission = Ledger.apply(status, delta);
        if (admission instanceof Ledger.Admission.Refused refused) {
            refuse(record, refused.reason());
            return;
        }
        admit(admission);
        if (decided) {
            String admitted = Ledger.admitted(admission);
            if (admitted == null) {
                reviewAdmissions.delete(admissionKey);
            } else {
                reviewAdmissions.put(admissionKey, admitted);
            }
        }
        if (delta.getDecision() != null) {
            reviewTime(status, record.timestamp() - delta.getReviewSince());
        }
        if (Ledger.needsSpec(status)) {
            Optional<GenerationRequest> spec = specs.spec(status.getRequestId());
            if (spec.isPresent()) {
                Ledger.applySpec(status, spec.get());
            }
        }
        if (Ledger.needsSpec(status)) {
            specWait.park(status.getRequestId(), status.getRequestId(), record.timestamp());
        } else {
            specWait.unpark(status.getRequestId());
        }
        save(status);
        if (!wasComplete && status.getComplete()) {
            forgetReviews(status.getRequestId());
        }
    }

    /** A complete request refuses every decision: what the ledger kept about its reviews can go. */
    private void forgetReviews(String requestId) {
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, String> entries =
                reviewAdmissions.prefixScan(EvaluatorStores.scoped(requestId, ""), new StringSerializer())) {
            entries.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(reviewAdmissions::delete);
    }

    /** Writes what admission decided to synth.dataset, in the transaction that counts it. */
    private void admit(Ledger.Admission admission) {
        long now = clock.millis();
        if (admission instanceof Ledger.Admission.Admit admit) {
            context.forward(
                    new Record<>(admit.sample().getSampleId(), new EvaluatorOutput.Accepted(admit.sample()), now));
        } else if (admission instanceof Ledger.Admission.Retract retract) {
            context.forward(new Record<>(retract.sampleId(), new EvaluatorOutput.Accepted(null), now));
            if (retract.replacement() != null) {
                context.forward(
                        new Record<>(retract.sampleId(), new EvaluatorOutput.Accepted(retract.replacement()), now));
            }
        }
    }

    /** A decision the ledger cannot apply: to synth.dlq, nothing else changes. */
    private void refuse(Record<String, LedgerDelta> record, String reason) {
        LedgerDelta delta = record.value();
        DeadLetter letter = ReviewDecisions.refusal(
                        app, delta.getSampleId(), List.of(reason), DeadLetters.Origin.NONE, clock.instant())
                .setRequestId(delta.getRequestId())
                .setDataset(delta.getDataset())
                .build();
        context.forward(new Record<>(delta.getSampleId(), new EvaluatorOutput.Failed(letter), clock.millis()));
    }

    /** Adds a decided sample's time in review to the request's sketch and summary. */
    private void reviewTime(RequestStatus status, long millis) {
        byte[] stored = reviewTimes.get(status.getRequestId());
        ScoreSummary summary = stored == null ? new ScoreSummary() : ScoreSummary.fromBytes(ByteBuffer.wrap(stored), 0);
        summary.add(Math.max(0, millis));
        ByteBuffer bytes = summary.toBytes();
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        reviewTimes.put(status.getRequestId(), copy);
        status.setReviewTime(summary.distribution());
    }

    private void save(RequestStatus status) {
        if (Ledger.overCounted(status)) {
            log.warn(
                    "Request {} accounts for {} samples but planned {}: a sample was counted twice",
                    status.getRequestId(),
                    Ledger.accounted(status),
                    status.getPlanned());
        }
        Ledger.seal(status, clock.instant());
        ledger.put(status.getRequestId(), status);
        context.forward(new Record<>(status.getRequestId(), new EvaluatorOutput.Status(status), clock.millis()));
    }
}
