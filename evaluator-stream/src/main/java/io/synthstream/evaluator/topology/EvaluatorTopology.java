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
import io.synthstream.evaluator.avro.EvalEvent;
import io.synthstream.evaluator.avro.LedgerDelta;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.evaluator.embedding.Embeddings;
import io.synthstream.evaluator.embedding.MiniLmEmbedder;
import io.synthstream.evaluator.embedding.OpenAiEmbedder;
import io.synthstream.evaluator.logic.DatasetEvents;
import io.synthstream.evaluator.logic.LedgerDeltas;
import io.synthstream.evaluator.processor.EvaluatorOutput;
import io.synthstream.evaluator.processor.EvaluatorOutput.Delta;
import io.synthstream.evaluator.processor.EvaluatorOutput.Event;
import io.synthstream.evaluator.processor.EvaluatorOutput.Failed;
import io.synthstream.evaluator.processor.EvaluatorOutput.Report;
import io.synthstream.evaluator.processor.EvaluatorOutput.Scored;
import io.synthstream.evaluator.processor.EvaluatorOutput.SteeringUpdated;
import io.synthstream.evaluator.processor.EvaluatorProcessors;
import io.synthstream.evaluator.processor.EvaluatorStores;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;

/**
 * The evaluator: per-sample scores, dataset reports, the request ledger and steering.
 *
 * <pre>
 * synth.samples.curated ─ score (AsyncStage, by sample id): pending store + async judge (LLM runtime)
 *                          + embedding pool + condition adherence ─┬─ dataset events
 *                                                                   ├─ ledger deltas (judged)
 *                                                                   └─ synth.dlq (llm_*, unreadable_verdict; samples=0)
 * synth.samples.rejected ─┬─ dataset events (rejections: yield per attribute value)
 *                         └─ ledger deltas
 * synth.samples.raw, synth.samples.curated, synth.dlq (samples > 0) ─ ledger deltas
 *
 * ledger deltas ─ repartition by request id ─ ledger ─┬─ synth.request-status
 *                                                     └─ dataset events (totals)
 * dataset events ─ repartition by dataset ─ dataset stage: label consistency, novelty,
 *                  event log + folded accumulators ─┬─ synth.samples.scored
 *                                                   ├─ synth.reports (every report interval)
 *                                                   └─ synth.steering (bounded rate)
 * global table: synth.specs (evaluator-specs)
 * </pre>
 */
public final class EvaluatorTopology {
    /** Topics this app reads or writes; created at start-up when missing. */
    public static final List<TopicSpec<?, ?>> TOPICS = List.of(
            Topics.SPECS,
            Topics.SAMPLES_RAW,
            Topics.SAMPLES_CURATED,
            Topics.SAMPLES_REJECTED,
            Topics.SAMPLES_SCORED,
            Topics.REPORTS,
            Topics.REQUEST_STATUS,
            Topics.STEERING,
            Topics.DLQ);

    private EvaluatorTopology() {}

    /** The app's topology with an LLM runtime and an embedding pool that live as long as the JVM. */
    public static Topology build(SynthConfig config) {
        EvaluatorConfig evaluator = EvaluatorConfig.from(config);
        LlmRuntime runtime = LlmSettings.runtime(evaluator.synth());
        return build(evaluator.synth(), runtime, embeddings(evaluator, runtime), false);
    }

    /**
     * The configured embedding pool, or null when embeddings are off. Remote embeddings are
     * admitted and retried like {@code runtime}'s chat calls: one set of limits per endpoint.
     */
    public static Embeddings embeddings(EvaluatorConfig config, LlmRuntime runtime) {
        return switch (config.embeddings()) {
            case NONE -> null;
            case MINILM ->
                new Embeddings(
                        MiniLmEmbedder.load(config.nativeCacheDir()), config.get(EvaluatorConfig.EMBEDDING_THREADS));
            case OPENAI -> {
                if (config.embeddingsBaseUrl() == null) {
                    throw new ConfigException(EvaluatorConfig.EMBEDDINGS.key() + "=openai needs "
                            + EvaluatorConfig.EMBEDDINGS_BASE_URL.key() + " or llm.base.url");
                }
                yield new Embeddings(
                        new OpenAiEmbedder(
                                config.embeddingsBaseUrl(),
                                config.get(EvaluatorConfig.EMBEDDINGS_MODEL),
                                config.apiKey(),
                                config.get(LlmSettings.TIMEOUT_MS),
                                runtime.limits().retry(),
                                runtime.gate()),
                        config.get(EvaluatorConfig.EMBEDDING_THREADS));
            }
        };
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
        KStream<String, Sample> curated = DecodingSource.stream(builder, Topics.SAMPLES_CURATED, serdes, app);
        KStream<String, Rejection> rejected = DecodingSource.stream(builder, Topics.SAMPLES_REJECTED, serdes, app);
        KStream<String, Sample> raw = DecodingSource.stream(builder, Topics.SAMPLES_RAW, serdes, app);
        KStream<byte[], DeadLetter> deadLetters = DecodingSource.stream(builder, Topics.DLQ, serdes, app);

        // Per-sample scores.
        Sinks sinks = new Sinks(serdes);
        KStream<String, EvaluatorOutput> scoring = curated.process(processors.score(), Named.as("score"));
        sinks.deadLetters(scoring, "score-write-dlq", Failed.class, Failed::deadLetter);

        // The ledger.
        KStream<String, LedgerDelta> deltas = raw.map(
                        (k, s) -> KeyValue.pair(s.getRequestId(), LedgerDeltas.generated(s)),
                        Named.as("ledger-generated"))
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
                        Named.as("ledger-merge-judged"));
        KStream<String, RequestStatus> statuses = deltas.repartition(
                        Repartitioned.with(Serdes.String(), serdes.valueSerde(LedgerDelta.class))
                                .withName("ledger-deltas"))
                .process(processors.ledger(), Named.as("ledger"));
        sinks.write(statuses, "write-request-status", Topics.REQUEST_STATUS);

        // The dataset stage.
        KStream<String, EvalEvent> events = sinks.select(scoring, "events-scored", Event.class, Event::event)
                .merge(
                        rejected.map(
                                (k, r) -> KeyValue.pair(r.getDataset(), DatasetEvents.rejected(r)),
                                Named.as("events-rejected")),
                        Named.as("events-merge-rejected"))
                .merge(
                        statuses.map(
                                (id, s) -> KeyValue.pair(s.getDataset(), DatasetEvents.status(id, s)),
                                Named.as("events-status")),
                        Named.as("events-merge-status"));
        KStream<String, EvaluatorOutput> results = events.repartition(
                        Repartitioned.with(Serdes.String(), serdes.valueSerde(EvalEvent.class))
                                .withName("dataset-events"))
                .process(processors.dataset(), Named.as("dataset"));
        sinks.write(results, "write-scored", Topics.SAMPLES_SCORED, Scored.class, Scored::sample);
        sinks.write(results, "write-reports", Topics.REPORTS, Report.class, Report::report);
        sinks.write(results, "write-steering", Topics.STEERING, SteeringUpdated.class, SteeringUpdated::update);
        return builder.build();
    }
}
