package io.synthstream.evaluator.processor;

import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.Sample;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.common.streams.ProcessorSuppliers;
import io.synthstream.common.streams.ResponseStore;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.streams.async.AsyncStage;
import io.synthstream.embedding.Embeddings;
import io.synthstream.evaluator.avro.DatasetAccumulators;
import io.synthstream.evaluator.avro.EvalEvent;
import io.synthstream.evaluator.avro.LedgerDelta;
import io.synthstream.evaluator.avro.PendingScore;
import io.synthstream.evaluator.avro.ReviewEntry;
import io.synthstream.evaluator.avro.WindowEntry;
import io.synthstream.evaluator.config.EvaluatorConfig;
import java.time.Clock;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;

/**
 * Suppliers of the evaluator's processors, each carrying the state stores it owns ({@link
 * ProcessorSupplier#stores()}), so the topology never wires a store by hand. Every {@code get()}
 * returns a new processor.
 */
public final class EvaluatorProcessors {
    /** The stage name on the score stage's dead letters. */
    public static final String SCORE_STAGE = "judge";

    private final EvaluatorConfig config;
    private final LlmRuntime runtime;
    private final Embeddings embeddings;
    private final Clock clock;
    private final EvaluatorStores stores;
    private final SynthSerdes serdes;
    private final ResponseStore responses;

    /**
     * @param runtime the judge's LLM runtime, shared by the instance's tasks
     * @param embeddings the instance's embedding pool, or null when embeddings are off
     * @param clock the time of spec waits, scores and forwarded records
     */
    public EvaluatorProcessors(
            EvaluatorConfig config,
            LlmRuntime runtime,
            Embeddings embeddings,
            Clock clock,
            EvaluatorStores stores,
            SynthSerdes serdes) {
        this.config = config;
        this.runtime = runtime;
        this.embeddings = embeddings;
        this.clock = clock;
        this.stores = stores;
        this.serdes = serdes;
        this.responses = LlmSettings.responseStore(config.synth(), EvaluatorStores.RESPONSES, serdes, clock);
    }

    /** The store of kept LLM replies the judge calls look up, or null when replies are not kept. */
    public ResponseStore responses() {
        return responses;
    }

    /** The judge call, embedding and adherence of each curated sample, on the sample's partition. */
    public ProcessorSupplier<String, Sample, String, EvaluatorOutput> score() {
        AsyncStage.Setup<EvaluatorOutput> setup = new AsyncStage.Setup<>(
                config.synth().applicationId(),
                SCORE_STAGE,
                EvaluatorStores.PENDING,
                EvaluatorStores.SPECS,
                config.async(),
                runtime,
                clock,
                EvaluatorOutput.Failed::new,
                SynthMeters.EVALUATOR_SAMPLES,
                responses == null ? null : new AsyncStage.Kept<>(responses, EvaluatorOutput.UsedReply::new));
        return AsyncStage.supplier(
                embeddings == null ? setup : setup.pausedWhile(embeddings::saturated),
                stores.keyValue(EvaluatorStores.PENDING, serdes.valueSerde(PendingScore.class)),
                () -> new ScoreCalls(
                        config.scoring(),
                        runtime.provider(),
                        embeddings,
                        config.async().specWait(),
                        clock));
    }

    /** The conservation ledger, on the request's partition. */
    public ProcessorSupplier<String, LedgerDelta, String, EvaluatorOutput> ledger() {
        return ProcessorSuppliers.owning(
                Set.of(
                        stores.keyValue(EvaluatorStores.LEDGER, serdes.valueSerde(RequestStatus.class)),
                        stores.keyValue(EvaluatorStores.REVIEW_TIMES, Serdes.ByteArray()),
                        stores.keyValue(EvaluatorStores.REVIEW_ADMISSIONS, Serdes.String())),
                () -> new LedgerProcessor(config.synth().applicationId(), clock));
    }

    /** The review state, on the sample's partition; its tasks share the instance's queue gauges. */
    public ProcessorSupplier<String, ReviewInput, String, EvaluatorOutput> review() {
        ReviewQueueGauges queue = new ReviewQueueGauges(config.synth().applicationId(), clock);
        return ProcessorSuppliers.owning(
                Set.of(stores.keyValue(EvaluatorStores.REVIEWS, serdes.valueSerde(ReviewEntry.class))),
                () -> new ReviewProcessor(
                        config.synth().applicationId(),
                        clock,
                        config.get(EvaluatorConfig.REVIEW_CHECK_MS),
                        config.get(EvaluatorConfig.REVIEW_RETENTION_MS),
                        queue));
    }

    /** Neighbour scores, reports and steering, on the dataset's partition. */
    public ProcessorSupplier<String, EvalEvent, String, EvaluatorOutput> dataset() {
        String app = config.synth().applicationId();
        return ProcessorSuppliers.owning(
                Set.of(
                        stores.keyValue(EvaluatorStores.WINDOW, serdes.valueSerde(WindowEntry.class)),
                        stores.keyValue(EvaluatorStores.ACCUMULATORS, serdes.valueSerde(DatasetAccumulators.class)),
                        stores.keyValue(EvaluatorStores.MOMENTS, Serdes.ByteArray()),
                        stores.keyValue(EvaluatorStores.REQUESTS, serdes.valueSerde(RequestStatus.class))),
                () -> new DatasetProcessor(
                        app, config.datasetSettings(), config.get(EvaluatorConfig.REPORT_INTERVAL_MS), clock));
    }
}
