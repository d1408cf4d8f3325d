package io.synthstream.evaluator.processor;

import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.FaithfulnessScore;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.avro.ScoredSample;
import io.synthstream.common.avro.SingleObject;
import io.synthstream.common.metrics.AppMeters;
import io.synthstream.common.metrics.DatasetGauges;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.common.quality.QualityPolicy;
import io.synthstream.common.streams.SpecLookup;
import io.synthstream.evaluator.avro.DatasetAccumulators;
import io.synthstream.evaluator.avro.EvalEvent;
import io.synthstream.evaluator.avro.LedgerDelta;
import io.synthstream.evaluator.avro.WindowEntry;
import io.synthstream.evaluator.logic.DatasetEvents;
import io.synthstream.evaluator.logic.DatasetReports;
import io.synthstream.evaluator.logic.DatasetSettings;
import io.synthstream.evaluator.logic.DatasetState;
import io.synthstream.evaluator.logic.GateRecords;
import io.synthstream.evaluator.logic.LedgerDeltas;
import io.synthstream.evaluator.logic.Neighbours;
import io.synthstream.evaluator.logic.QualityGate;
import io.synthstream.evaluator.logic.SampleWeights;
import io.synthstream.evaluator.logic.Steering;
import io.synthstream.evaluator.logic.Vectors;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The per-dataset stage (keyed by dataset): neighbour scores, dataset reports and steering, with
 * every rule in {@link DatasetState}, {@link DatasetReports} and {@link Steering}; this processor
 * keeps their state in its stores and forwards what they produce.
 *
 * <p>A scored sample gets its label consistency and novelty against the dataset's recent samples,
 * goes through the quality gate ({@link QualityGate}: its decision, final label and weight are
 * written on it), is published as a {@link ScoredSample}, has its decision sent to the ledger
 * (which admits passed samples to synth.dataset) and, when the gate wants a review, is sent to
 * synth.review; it is appended to the dataset's event log ({@link
 * EvaluatorStores#WINDOW}, one small entry). Rejections are appended the same way; ledger statuses
 * replace the request's entry in {@link EvaluatorStores#REQUESTS}. The heavy accumulators are not
 * rewritten per sample: a wall-clock punctuator folds the log entries above {@code folded_seq}
 * into them once per report interval and writes them back with the new {@code folded_seq}, in the
 * same transaction as the report, so a crash at any point leaves the log and the accumulators
 * consistent and nothing is folded twice or skipped.
 */
final class DatasetProcessor implements Processor<String, EvalEvent, String, EvaluatorOutput> {
    private final String app;
    private final DatasetSettings settings;
    private final Duration reportInterval;
    private final Clock clock;
    private final Map<String, DatasetState> states = new HashMap<>();
    /** When each dataset in {@link #states} last had an event (the processor's clock). */
    private final Map<String, Long> lastEvent = new HashMap<>();

    private final Set<String> changed = new TreeSet<>();
    private ProcessorContext<String, EvaluatorOutput> context;
    private KeyValueStore<String, WindowEntry> window;
    private KeyValueStore<String, DatasetAccumulators> accumulators;
    private KeyValueStore<String, byte[]> moments;
    private KeyValueStore<String, RequestStatus> requests;
    private SpecLookup specs;
    private AppMeters meters;
    private DatasetGauges gauges;

    DatasetProcessor(String app, DatasetSettings settings, Duration reportInterval, Clock clock) {
        this.app = app;
        this.settings = settings;
        this.reportInterval = reportInterval;
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<String, EvaluatorOutput> context) {
        this.context = context;
        this.states.clear(); // re-initialised after a revive: state comes from the stores again
        this.changed.clear();
        this.lastEvent.clear();
        this.window = context.getStateStore(EvaluatorStores.WINDOW);
        this.accumulators = context.getStateStore(EvaluatorStores.ACCUMULATORS);
        this.moments = context.getStateStore(EvaluatorStores.MOMENTS);
        this.requests = context.getStateStore(EvaluatorStores.REQUESTS);
        this.specs = new SpecLookup(context, EvaluatorStores.SPECS);
        this.meters = AppMeters.from(context.appConfigs(), app);
        if (gauges != null) {
            gauges.close();
        }
        this.gauges = meters.datasetGauges();
        context.schedule(reportInterval, PunctuationType.WALL_CLOCK_TIME, this::report);
    }

    @Override
    public void process(Record<String, EvalEvent> record) {
        EvalEvent event = record.value();
        if (event.getDataset().isEmpty()) {
            return; // a ledger whose dataset is not known yet
        }
        DatasetState state = state(event.getDataset());
        switch (event.getKind()) {
            case DatasetEvents.SCORED -> scored(state, event);
            case DatasetEvents.REJECTED ->
                append(
                        state,
                        state.entry(event, DatasetEvents.REJECTED)
                                .setReason(event.getReason())
                                .build());
            case DatasetEvents.REVIEWED -> {
                WindowEntry entry = state.entry(event, DatasetEvents.REVIEWED)
                        .setFields(event.getFields())
                        .setReason(event.getReason())
                        .build();
                append(state, entry);
                state.rememberHuman(entry);
            }
            case DatasetEvents.STATUS ->
                requests.put(
                        EvaluatorStores.scoped(event.getDataset(), event.getRequestId()),
                        DatasetEvents.statusOf(event));
            default -> throw new IllegalArgumentException("Unknown evaluator event kind " + event.getKind());
        }
        changed.add(event.getDataset());
        lastEvent.put(event.getDataset(), clock.millis());
    }

    private void scored(DatasetState state, EvalEvent event) {
        ScoredSample scored = SingleObject.decode(ScoredSample::fromByteBuffer, event.getScored());
        GenerationRequest spec = specs.spec(event.getRequestId()).orElse(null);
        float[] vector = Vectors.decode(event.getEmbedding());
        Neighbours.Vote vote = null;
        if (vector != null) {
            DatasetState.NeighbourScores neighbours = state.neighbours(vector, event.getLabel(), knnK(spec));
            scored.setLabelConsistency(neighbours.labelConsistency());
            scored.setNovelty(neighbours.novelty());
            vote = neighbours.vote();
        }
        QualityPolicy policy = spec == null ? QualityPolicy.none() : QualityPolicy.of(spec);
        FaithfulnessScore faithfulness = scored.getFaithfulness();
        QualityGate.Decision decision = QualityGate.decide(
                policy,
                new QualityGate.Scores(
                        faithfulness,
                        scored.getConditionAdherence(),
                        scored.getLabelConsistency(),
                        scored.getNovelty(),
                        vote,
                        event.getLabel()));
        QualityGate.Decision acts = !QualityGate.REVIEW.equals(decision.decision())
                        && policy.audited(scored.getSample().getSampleId())
                ? QualityGate.audit(decision)
                : decision;
        scored.setQuality(GateRecords.verdict(
                acts,
                policy,
                event.getLabel(),
                SampleWeights.quality(faithfulness, scored.getConditionAdherence(), decision.consistency()),
                state.provisionalBalance(scored.getSample().getAttributes())));
        long now = clock.millis();
        context.forward(new Record<>(event.getSampleId(), new EvaluatorOutput.Scored(scored), now));
        gate(scored, decision, acts, policy, spec);
        meters.count(SynthMeters.EVALUATOR_GATE, acts.decision());
        // The window keeps the generated label: votes on later samples must not read labels that
        // earlier votes chose, or one relabel feeds the next (seen in the demo: 199 of 300).
        WindowEntry entry = state.entry(event, DatasetEvents.SCORED)
                .setText(event.getText())
                .setEmbedding(event.getEmbedding())
                .setFaithfulness(faithfulness == null ? null : faithfulness.getScore())
                .setAdherence(scored.getConditionAdherence())
                .setConsistency(scored.getLabelConsistency())
                .setFields(scored.getSample().getFields())
                .setHumanDemonstrations(state.showsHumanDemonstration(
                        scored.getSample().getTrace().getDemonstrationIds()))
                .build();
        append(state, entry);
        state.remember(entry);
    }

    /**
     * Sends the decision that acts to the ledger (which admits) and a sample in review to
     * synth.review; when the audit chose the sample, the review request and the ledger carry the
     * gate's own decision.
     *
     * @param gate the gate's decision
     * @param acts {@code gate}, or its {@link QualityGate#audit} when the audit chose the sample
     */
    private void gate(
            ScoredSample scored,
            QualityGate.Decision gate,
            QualityGate.Decision acts,
            QualityPolicy policy,
            GenerationRequest spec) {
        Instant now = clock.instant();
        String requestId = scored.getSample().getRequestId();
        String sampleId = scored.getSample().getSampleId();
        boolean audited = acts != gate;
        DatasetSample candidate = null;
        String reason = null;
        switch (acts.decision()) {
            case QualityGate.PASS -> candidate = GateRecords.candidate(scored, now);
            case QualityGate.REJECT -> reason = acts.reasons().get(0);
            default -> {
                List<String> labels = spec == null ? List.of() : spec.getTask().getLabels();
                ReviewRequest review = audited
                        ? GateRecords.audit(scored, gate, policy, labels, now)
                        : GateRecords.review(scored, policy, labels, now);
                context.forward(new Record<>(sampleId, new EvaluatorOutput.Review(review), now.toEpochMilli()));
            }
        }
        LedgerDelta delta = LedgerDeltas.gated(
                requestId, scored.getSample().getDataset(), sampleId, acts.decision(), reason, candidate);
        if (audited) {
            delta.setAudit(gate.decision());
        }
        context.forward(new Record<>(requestId, new EvaluatorOutput.Delta(delta), now.toEpochMilli()));
    }

    private void append(DatasetState state, WindowEntry entry) {
        window.put(EvaluatorStores.windowKey(state.dataset(), entry.getSeq()), entry);
    }

    private int knnK(GenerationRequest spec) {
        if (spec != null && spec.getEvaluation() != null && spec.getEvaluation().getKnnK() != null) {
            return spec.getEvaluation().getKnnK();
        }
        return settings.knnK();
    }

    /** The dataset's state, loaded from the stores on first use. */
    private DatasetState state(String dataset) {
        DatasetState state = states.get(dataset);
        if (state != null) {
            return state;
        }
        byte[] storedMoments = moments.get(dataset);
        state = DatasetState.load(
                dataset,
                settings,
                accumulators.get(dataset),
                storedMoments == null ? null : ByteBuffer.wrap(storedMoments));
        try (KeyValueIterator<String, WindowEntry> log =
                window.range(EvaluatorStores.windowKey(dataset, 0), EvaluatorStores.upperBound(dataset))) {
            DatasetState loading = state;
            log.forEachRemaining(kv -> loading.replay(kv.value));
        }
        state.loaded();
        states.put(dataset, state);
        return state;
    }

    private void report(long now) {
        for (String dataset : List.copyOf(changed)) {
            DatasetState state = states.get(dataset);
            fold(state);
            DatasetReport report = DatasetReports.build(state, totals(dataset), settings, Instant.ofEpochMilli(now));
            context.forward(new Record<>(dataset, new EvaluatorOutput.Report(report), now));
            meters.count(SynthMeters.EVALUATOR_REPORTS);
            DatasetReports.headlines(report).forEach((metric, value) -> gauges.set(dataset, metric, value));
            Steering.next(state, settings.steering(), Instant.ofEpochMilli(now)).ifPresent(update -> {
                context.forward(new Record<>(dataset, new EvaluatorOutput.SteeringUpdated(update), now));
                meters.count(SynthMeters.EVALUATOR_STEERING);
            });
            accumulators.put(dataset, state.accumulators());
            byte[] bytes = state.momentsBytes();
            if (bytes != null) {
                moments.put(dataset, bytes);
            }
        }
        changed.clear();
        forgetIdle();
    }

    /**
     * Drops the in-memory state and the gauges of datasets without events for {@code
     * evaluator.dataset.idle.ms}: their state was stored with their last report and is loaded again
     * on their next event.
     */
    private void forgetIdle() {
        long now = clock.millis();
        for (String dataset : List.copyOf(lastEvent.keySet())) {
            if (now - lastEvent.get(dataset) >= settings.idle().toMillis()) {
                lastEvent.remove(dataset);
                states.remove(dataset);
                gauges.remove(dataset);
            }
        }
    }

    @Override
    public void close() {
        if (gauges != null) {
            gauges.close(); // the task's datasets are reported elsewhere now
        }
    }

    /** Folds the log entries above folded_seq; deletes the entries no longer needed. */
    private void fold(DatasetState state) {
        String dataset = state.dataset();
        List<String> done = new ArrayList<>();
        state.takeEvicted().forEach(seq -> done.add(EvaluatorStores.windowKey(dataset, seq)));
        if (state.firstUnfolded() <= state.lastAppended()) {
            try (KeyValueIterator<String, WindowEntry> log = window.range(
                    EvaluatorStores.windowKey(dataset, state.firstUnfolded()),
                    EvaluatorStores.windowKey(dataset, state.lastAppended()))) {
                while (log.hasNext()) {
                    KeyValue<String, WindowEntry> kv = log.next();
                    state.fold(kv.value, specs::spec);
                    if (!DatasetEvents.SCORED.equals(kv.value.getKind())) {
                        done.add(kv.key);
                    }
                }
            }
        }
        done.forEach(window::delete);
    }

    /** The sums of the dataset's request ledgers. */
    private DatasetReports.Totals totals(String dataset) {
        List<RequestStatus> ledgers = new ArrayList<>();
        try (KeyValueIterator<String, RequestStatus> all =
                requests.range(EvaluatorStores.scoped(dataset, ""), EvaluatorStores.upperBound(dataset))) {
            all.forEachRemaining(kv -> ledgers.add(kv.value));
        }
        return DatasetReports.Totals.of(ledgers);
    }
}
