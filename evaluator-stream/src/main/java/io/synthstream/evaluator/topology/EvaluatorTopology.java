package io.synthstream.evaluator.topology;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.Sample;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.streams.DecodingSource;
import io.synthstream.common.streams.Sinks;
import io.synthstream.common.streams.StateStores;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import io.synthstream.embedding.Embeddings;
import io.synthstream.evaluator.avro.EvalEvent;
import io.synthstream.evaluator.avro.LedgerDelta;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.evaluator.logic.DatasetEvents;
import io.synthstream.evaluator.logic.LedgerDeltas;
import io.synthstream.evaluator.processor.EvaluatorOutput;
import io.synthstream.evaluator.processor.EvaluatorOutput.Accepted;
import io.synthstream.evaluator.processor.EvaluatorOutput.Delta;
import io.synthstream.evaluator.processor.EvaluatorOutput.Event;
import io.synthstream.evaluator.processor.EvaluatorOutput.Failed;
import io.synthstream.evaluator.processor.EvaluatorOutput.Report;
import io.synthstream.evaluator.processor.EvaluatorOutput.Review;
import io.synthstream.evaluator.processor.EvaluatorOutput.Scored;
import io.synthstream.evaluator.processor.EvaluatorOutput.Status;
import io.synthstream.evaluator.processor.EvaluatorOutput.SteeringUpdated;
import io.synthstream.evaluator.processor.EvaluatorOutput.UsedReply;
import io.synthstream.evaluator.processor.EvaluatorProcessors;
import io.synthstream.evaluator.processor.EvaluatorStores;
import io.synthstream.evaluator.processor.ReviewInput;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The evaluator: per-sample scores, the quality gate, the review state, the request ledger with
 * admission to the accepted dataset, dataset reports and steering.
 *
 * <pre>
 * synth.samples.curated ─ score (AsyncStage, by sample id): pending store + async judge (LLM runtime)
 *                          + embedding pool + condition adherence ─┬─ dataset events
 *                                                                   ├─ ledger deltas (judged)
 *                                                                   └─ synth.dlq (llm_*, unreadable_verdict; samples=0)
 * synth.samples.rejected ─┬─ dataset events (rejections: yield per attribute value)
 *                         └─ ledger deltas
 * synth.request-status ─ dataset events (the report's totals)
 * dataset events ─ repartition by dataset ─ dataset stage: label consistency, novelty, quality gate,
 *                  event log + folded accumulators ─┬─ synth.samples.scored (every sample, with its verdict)
 *                                                   ├─ ledger deltas (pass + candidate, reject, review)
 *                                                   ├─ synth.review (samples sent to review)
 *                                                   ├─ synth.reports (every report interval)
 *                                                   └─ synth.steering (bounded rate)
 * synth.review, synth.review.decisions ─ review state (by sample id) ─┬─ ledger deltas (decided)
 *                                                                      └─ synth.dlq (invalid_decision)
 * synth.plan, synth.samples.raw, synth.samples.curated, synth.dlq (samples > 0) ─ ledger deltas
 *
 * ledger deltas ─ repartition by request id ─ ledger + admission ─┬─ synth.request-status
 *                                                                 ├─ synth.dataset (accepted; tombstone on override)
 *                                                                 └─ synth.dlq (decision after completion)
 * global table: synth.specs (evaluator-specs)
 * </pre>
 */
public final class EvaluatorTopology {
    /**
     * Topics this app reads or writes, and synth.evaluations beside its reports (written by {@code
     * synth evaluate}, read with the reports by {@code synth report} and the dashboard); created at
     * start-up when missing.
     */
    public static final List<TopicSpec<?, ?>> TOPICS = List.of(
            Topics.SPECS,
            Topics.SAMPLES_RAW,
            Topics.SAMPLES_CURATED,
            Topics.SAMPLES_REJECTED,
            Topics.SAMPLES_SCORED,
            Topics.DATASET,
            Topics.REVIEW,
            Topics.REVIEW_DECISIONS,
            Topics.REVIEW_DECISIONS_JSON,
            Topics.PLAN,
            Topics.REPORTS,
            Topics.EVALUATIONS,
            Topics.REQUEST_STATUS,
            Topics.STEERING,
            Topics.LLM_RESPONSES,
            Topics.DLQ);

    private EvaluatorTopology() {}

    /**
     * The app's topology with an LLM runtime and an embedding pool built from {@code config}, handed
     * to {@code owner} to close after the app's stream threads ({@code AppLauncher.runOwning} in the
     * app's {@code main}, {@code StreamsApp.start(config, owner -> build(config, owner), topics)} for
     * apps in one JVM).
     */
    public static Topology build(SynthConfig config, java.util.function.Consumer<AutoCloseable> owner) {
        EvaluatorConfig evaluator = EvaluatorConfig.from(config);
        LlmRuntime runtime = LlmSettings.runtime(evaluator.synth());
        owner.accept(runtime);
        Embeddings embeddings = embeddings(evaluator, runtime);
        if (embeddings != null) {
            owner.accept(embeddings);
        }
        return build(evaluator.synth(), runtime, embeddings, false);
    }

    /**
     * The configured embedding pool, or null when embeddings are off. Remote embeddings are
     * admitted and retried like {@code runtime}'s chat calls: one set of limits per endpoint.
     */
    public static Embeddings embeddings(EvaluatorConfig config, LlmRuntime runtime) {
        return EvaluatorConfig.EMBEDDING.pool(config.synth(), runtime);
    }

    /**
     * @param runtime the judge's LLM runtime, shared by the instance's tasks; the caller closes it
     * @param embeddings the embedding pool, or null for none; the caller closes it
     * @param inMemoryStores in-memory instead of RocksDB stores (topology tests)
     */
    public static Topology build(
            SynthConfig config, LlmRuntime runtime, Embeddings embeddings, boolean inMemoryStores) {
        return build(config, runtime, embeddings, Clock.systemUTC(), inMemoryStores);
    }

    /** @param clock the time of spec waits, scores and forwarded records */
    public static Topology build(
            SynthConfig config, LlmRuntime runtime, Embeddings embeddings, Clock clock, boolean inMemoryStores) {
        EvaluatorConfig evaluator = EvaluatorConfig.from(config);
        SynthSerdes serdes = SynthSerdes.from(config);
        String app = config.applicationId();
        EvaluatorProcessors processors = new EvaluatorProcessors(
                evaluator, runtime, embeddings, clock, new EvaluatorStores(inMemoryStores), serdes);
        StreamsBuilder builder = new StreamsBuilder();

        StateStores.specsGlobalTable(builder, serdes, EvaluatorStores.SPECS, "read-specs-global", inMemoryStores);
        if (processors.responses() != null) {
            processors.responses().addTo(builder, inMemoryStores);
        }
        KStream<String, Sample> curated = DecodingSource.stream(builder, Topics.SAMPLES_CURATED, serdes, app);
        KStream<String, Rejection> rejected = DecodingSource.stream(builder, Topics.SAMPLES_REJECTED, serdes, app);
        KStream<String, Sample> raw = DecodingSource.stream(builder, Topics.SAMPLES_RAW, serdes, app);
        KStream<byte[], DeadLetter> deadLetters = DecodingSource.stream(builder, Topics.DLQ, serdes, app);

        // Per-sample scores.
        Sinks sinks = new Sinks(serdes);
        KStream<String, EvaluatorOutput> scoring = curated.process(processors.score(), Named.as("score"));
        sinks.deadLetters(scoring, "score-write-dlq", Failed.class, Failed::deadLetter);
        if (processors.responses() != null) {
            sinks.write(scoring, "forget-used-replies", Topics.LLM_RESPONSES, UsedReply.class, used -> null);
        }

        // The review state: samples in review and the decisions on them, by sample id.
        KStream<String, EvaluatorOutput> reviewed = DecodingSource.stream(builder, Topics.REVIEW, serdes, app)
                .mapValues(ReviewInput::ofReview, Named.as("review-requests"))
                .merge(
                        DecodingSource.stream(builder, Topics.REVIEW_DECISIONS, serdes, app)
                                .mapValues(ReviewInput::ofDecision, Named.as("review-decisions")),
                        Named.as("review-merge-decisions"))
                .merge(
                        builder.stream(
                                        Topics.REVIEW_DECISIONS_JSON.name(),
                                        Consumed.with(Topics.REVIEW_DECISIONS_JSON.keySerde(), Serdes.ByteArray())
                                                .withName("read-" + Topics.REVIEW_DECISIONS_JSON.name()))
                                .mapValues(ReviewInput::ofJson, Named.as("review-decisions-json")),
                        Named.as("review-merge-decisions-json"))
                .process(processors.review(), Named.as("review"));
        sinks.deadLetters(reviewed, "review-write-dlq", Failed.class, Failed::deadLetter);
        // A person's decisions reach the dataset stage (the exemplar pool) through a repartition of
        // their own: merged before it, the review and scoring sub-topologies would become one.
        KStream<String, EvalEvent> reviewedEvents = sinks.select(reviewed, "events-reviewed", Event.class, Event::event)
                .repartition(Repartitioned.with(Serdes.String(), serdes.valueSerde(EvalEvent.class))
                        .withName("dataset-reviewed"));

        // The dataset stage, with the quality gate. Ledgers come back from synth.request-status (the
        // ledger follows this stage: it admits what the gate passed).
        KStream<String, RequestStatus> published = DecodingSource.stream(builder, Topics.REQUEST_STATUS, serdes, app);
        KStream<String, EvalEvent> events = sinks.select(scoring, "events-scored", Event.class, Event::event)
                .merge(
                        rejected.map(
                                (k, r) -> KeyValue.pair(r.getDataset(), DatasetEvents.rejected(r)),
                                Named.as("events-rejected")),
                        Named.as("events-merge-rejected"))
                .merge(
                        published.map(
                                (id, s) -> KeyValue.pair(s.getDataset(), DatasetEvents.status(id, s)),
                                Named.as("events-status")),
                        Named.as("events-merge-status"));
        KStream<String, EvaluatorOutput> results = events.repartition(
                        Repartitioned.with(Serdes.String(), serdes.valueSerde(EvalEvent.class))
                                .withName("dataset-events"))
                .merge(reviewedEvents, Named.as("events-merge-reviewed"))
                .process(processors.dataset(), Named.as("dataset"));
        sinks.write(results, "write-scored", Topics.SAMPLES_SCORED, Scored.class, Scored::sample);
        sinks.write(results, "write-review", Topics.REVIEW, Review.class, Review::review);
        sinks.write(results, "write-reports", Topics.REPORTS, Report.class, Report::report);
        sinks.write(results, "write-steering", Topics.STEERING, SteeringUpdated.class, SteeringUpdated::update);

        // The ledger and admission.
        KStream<String, LedgerDelta> deltas = DecodingSource.stream(builder, Topics.PLAN, serdes, app)
                .map((k, p) -> KeyValue.pair(p.getRequestId(), LedgerDeltas.planned(p)), Named.as("ledger-planned"))
                .merge(
                        raw.map(
                                (k, s) -> KeyValue.pair(s.getRequestId(), LedgerDeltas.generated(s)),
                                Named.as("ledger-generated")),
                        Named.as("ledger-merge-generated"))
                .merge(
                        curated.map(
                                (k, s) -> KeyValue.pair(s.getRequestId(), LedgerDeltas.curated(s)),
                                Named.as("ledger-curated")),
                        Named.as("ledger-merge-curated"))
                .merge(
                        rejected.map(
                                (k, r) -> KeyValue.pair(r.getRequestId(), LedgerDeltas.rejected(r)),
                                Named.as("ledger-rejected")),
                        Named.as("ledger-merge-rejected"))
                .merge(
                        deadLetters
                                .filter((k, d) -> LedgerDeltas.countsAsFailed(d), Named.as("ledger-failed-filter"))
                                .map(
                                        (k, d) -> KeyValue.pair(d.getRequestId(), LedgerDeltas.failed(d)),
                                        Named.as("ledger-failed")),
                        Named.as("ledger-merge-failed"))
                .merge(
                        sinks.select(scoring, "ledger-judged", Delta.class, Delta::delta),
                        Named.as("ledger-merge-judged"))
                .merge(sinks.select(results, "ledger-gated", Delta.class, Delta::delta), Named.as("ledger-merge-gated"))
                .merge(
                        sinks.select(reviewed, "ledger-decided", Delta.class, Delta::delta),
                        Named.as("ledger-merge-decided"));
        KStream<String, EvaluatorOutput> ledger = deltas.repartition(
                        Repartitioned.with(Serdes.String(), serdes.valueSerde(LedgerDelta.class))
                                .withName("ledger-deltas"))
                .process(processors.ledger(), Named.as("ledger"));
        sinks.write(ledger, "write-request-status", Topics.REQUEST_STATUS, Status.class, Status::status);
        sinks.write(ledger, "write-dataset", Topics.DATASET, Accepted.class, Accepted::sample);
        sinks.deadLetters(ledger, "ledger-write-dlq", Failed.class, Failed::deadLetter);
        return builder.build();
    }
}
