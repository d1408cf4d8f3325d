package io.synthstream.evaluator.processor;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.common.streams.SpecLookup;
import io.synthstream.common.streams.SpecWait;
import io.synthstream.evaluator.avro.LedgerDelta;
import io.synthstream.evaluator.logic.Ledger;
import java.time.Clock;
import java.util.Optional;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conservation ledger (keyed by request id): every {@link LedgerDelta} — a generated sample,
 * a curated or rejected one, a dead letter that accounts for samples, a judged sample — updates the
 * request's {@link RequestStatus} in {@link EvaluatorStores#LEDGER} ({@link Ledger}), which is
 * forwarded at once.
 *
 * <p>{@code requested} comes from the request's spec in the global {@code synth.specs} table. The
 * global table can lag the samples by a moment, so a ledger whose spec was not there yet waits for
 * it ({@link SpecWait}, without a bound: the ledger only lacks its count meanwhile) and is
 * published again once it arrives.
 */
final class LedgerProcessor implements Processor<String, LedgerDelta, String, RequestStatus> {
    private static final Logger log = LoggerFactory.getLogger(LedgerProcessor.class);

    private final Clock clock;
    private final SpecWait specWait;
    private ProcessorContext<String, RequestStatus> context;
    private KeyValueStore<String, RequestStatus> ledger;
    private SpecLookup specs;

    LedgerProcessor(Clock clock) {
        this.clock = clock;
        this.specWait = SpecWait.unbounded(clock);
    }

    @Override
    public void init(ProcessorContext<String, RequestStatus> context) {
        this.context = context;
        this.ledger = context.getStateStore(EvaluatorStores.LEDGER);
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
        Ledger.apply(status, delta);
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
    }

    private void save(RequestStatus status) {
        if (Ledger.overCounted(status)) {
            log.warn(
                    "Request {} accounts for {} samples but requested {}: a sample was counted twice",
                    status.getRequestId(),
                    Ledger.accounted(status),
                    status.getRequested());
        }
        Ledger.seal(status, clock.instant());
        ledger.put(status.getRequestId(), status);
        context.forward(new Record<>(status.getRequestId(), status, clock.millis()));
    }
}
