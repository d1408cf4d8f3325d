package io.synthstream.evaluator.processor;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.evaluator.avro.LedgerDelta;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conservation ledger (keyed by request id): every {@link LedgerDelta} — a generated sample,
 * a curated or rejected one, a dead letter that accounts for samples, a judged sample — updates the
 * request's {@link RequestStatus} in {@link EvaluatorStores#LEDGER}, which is forwarded at once.
 * {@code complete} is true exactly when curated + rejected + failed = requested.
 *
 * <p>{@code requested} comes from the request's spec in the global {@code synth.specs} table. The
 * global table can lag the samples by a moment, so a ledger whose spec was not there yet is
 * rechecked every second until it is.
 */
public final class LedgerProcessor implements Processor<String, LedgerDelta, String, RequestStatus> {
    private static final Logger log = LoggerFactory.getLogger(LedgerProcessor.class);
    private static final Duration SPEC_RECHECK = Duration.ofSeconds(1);

    private final Set<String> awaitingSpec = new HashSet<>();
    private ProcessorContext<String, RequestStatus> context;
    private KeyValueStore<String, RequestStatus> ledger;
    private TimestampedKeyValueStore<String, GenerationRequest> specs;

    @Override
    public void init(ProcessorContext<String, RequestStatus> context) {
        this.context = context;
        this.ledger = context.getStateStore(EvaluatorStores.LEDGER);
        this.specs = context.getStateStore(EvaluatorStores.SPECS);
        try (KeyValueIterator<String, RequestStatus> all = ledger.all()) {
            while (all.hasNext()) {
                var kv = all.next();
                if (kv.value.getRequested() == 0) {
                    awaitingSpec.add(kv.key);
                }
            }
        }
        context.schedule(SPEC_RECHECK, PunctuationType.WALL_CLOCK_TIME, now -> {
            for (String id : List.copyOf(awaitingSpec)) {
                RequestStatus status = ledger.get(id);
                if (status == null) {
                    awaitingSpec.remove(id);
                } else if (applySpec(status)) {
                    save(status);
                }
            }
        });
    }

    @Override
    public void process(Record<String, LedgerDelta> record) {
        LedgerDelta d = record.value();
        RequestStatus status = ledger.get(d.getRequestId());
        if (status == null) {
            status = RequestStatus.newBuilder()
                    .setRequestId(d.getRequestId())
                    .setDataset(d.getDataset() == null ? "" : d.getDataset())
                    .setRequested(0)
                    .setRejectedByReason(new HashMap<>())
                    .setUpdatedAt(Instant.now())
                    .build();
        }
        if (status.getDataset().isEmpty() && d.getDataset() != null) {
            status.setDataset(d.getDataset());
        }
        if (d.getRequested() != null) {
            status.setRequested(d.getRequested());
        }
        status.setGenerated(status.getGenerated() + d.getGenerated());
        status.setCurated(status.getCurated() + d.getCurated());
        status.setRejected(status.getRejected() + d.getRejected());
        if (d.getRejected() > 0) {
            Map<String, Long> byReason = new HashMap<>(status.getRejectedByReason());
            byReason.merge(d.getReason() == null ? "OTHER" : d.getReason(), d.getRejected(), Long::sum);
            status.setRejectedByReason(byReason);
        }
        status.setFailed(status.getFailed() + d.getFailed());
        status.setJudged(status.getJudged() + d.getJudged());
        status.setPromptTokens(status.getPromptTokens() + d.getPromptTokens());
        status.setCompletionTokens(status.getCompletionTokens() + d.getCompletionTokens());
        applySpec(status);
        save(status);
    }

    /** Fills requested (and the dataset) from the spec when they are still unknown. */
    private boolean applySpec(RequestStatus status) {
        if (status.getRequested() > 0) {
            awaitingSpec.remove(status.getRequestId());
            return false;
        }
        ValueAndTimestamp<GenerationRequest> spec = specs.get(status.getRequestId());
        if (spec == null) {
            awaitingSpec.add(status.getRequestId());
            return false;
        }
        status.setRequested(spec.value().getCount());
        status.setDataset(spec.value().getDataset());
        awaitingSpec.remove(status.getRequestId());
        return true;
    }

    private void save(RequestStatus status) {
        long accounted = status.getCurated() + status.getRejected() + status.getFailed();
        boolean complete = status.getRequested() > 0 && accounted == status.getRequested();
        if (status.getRequested() > 0 && accounted > status.getRequested()) {
            log.warn(
                    "Request {} accounts for {} samples but requested {}: a sample was counted twice",
                    status.getRequestId(),
                    accounted,
                    status.getRequested());
        }
        status.setComplete(complete);
        status.setUpdatedAt(Instant.now());
        ledger.put(status.getRequestId(), status);
        context.forward(new Record<>(status.getRequestId(), status, System.currentTimeMillis()));
    }
}
