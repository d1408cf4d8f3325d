package io.synthstream.evaluator.topology;

import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.Sample;
import io.synthstream.avro.ScoredSample;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.streams.DecodingSource;
import io.synthstream.common.streams.StateStores;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import io.synthstream.evaluator.avro.DatasetAccumulators;
import io.synthstream.evaluator.avro.EvalEvent;
import io.synthstream.evaluator.avro.LedgerDelta;
import io.synthstream.evaluator.avro.PendingScore;
import io.synthstream.evaluator.avro.WindowEntry;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.evaluator.embedding.Embeddings;
import io.synthstream.evaluator.embedding.MiniLmEmbedder;
import io.synthstream.evaluator.processor.DatasetProcessor;
import io.synthstream.evaluator.processor.EvaluatorStores;
import io.synthstream.evaluator.processor.LedgerProcessor;
import io.synthstream.evaluator.processor.Out;
import io.synthstream.evaluator.processor.ScoreProcessor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The evaluator (DESIGN §6): per-sample scores, dataset reports, the request ledger and steering.
 *
 * <pre>
 * synth.samples.curated ─ score (by sample id): pending store + async judge (LLM runtime)
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
        return build(evaluator.synth(), LlmSettings.runtime(evaluator.synth()), embeddings(evaluator), false);
    }

    /** The configured embedding pool, or null when embeddings are off. */
    public static Embeddings embeddings(EvaluatorConfig config) {
        return switch (config.embeddings()) {
            case NONE -> null;
            case MINILM -> new Embeddings(MiniLmEmbedder.load(config.nativeCacheDir()), config.embeddingThreads());
            case OPENAI -> {
                if (config.embeddingsBaseUrl() == null) {
                    throw new org.apache.kafka.common.config.ConfigException(EvaluatorConfig.EMBEDDINGS
                            + "=openai needs " + EvaluatorConfig.EMBEDDINGS_BASE_URL + " or llm.base.url");
                }
                yield new Embeddings(
                        new io.synthstream.evaluator.embedding.OpenAiEmbedder(
                                config.embeddingsBaseUrl(),
                                config.embeddingsModel(),
                                config.apiKey(),
                                config.embeddingsTimeout()),
                        config.embeddingThreads());
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
        EvaluatorConfig evaluator = EvaluatorConfig.from(config);
        SynthSerdes serdes = SynthSerdes.from(config);
        String app = config.applicationId();
        StreamsBuilder builder = new StreamsBuilder();

        StateStores.specsGlobalTable(builder, serdes, EvaluatorStores.SPECS, "read-specs-global", inMemoryStores);
        addStore(builder, EvaluatorStores.PENDING, serdes.valueSerde(PendingScore.class), inMemoryStores);
        addStore(builder, EvaluatorStores.WINDOW, serdes.valueSerde(WindowEntry.class), inMemoryStores);
        addStore(builder, EvaluatorStores.ACCUMULATORS, serdes.valueSerde(DatasetAccumulators.class), inMemoryStores);
        addStore(builder, EvaluatorStores.MOMENTS, Serdes.ByteArray(), inMemoryStores);
        addStore(builder, EvaluatorStores.REQUESTS, serdes.valueSerde(RequestStatus.class), inMemoryStores);
        addStore(builder, EvaluatorStores.LEDGER, serdes.valueSerde(RequestStatus.class), inMemoryStores);

        KStream<String, Sample> curated = DecodingSource.stream(builder, Topics.SAMPLES_CURATED, serdes, app);
        KStream<String, Rejection> rejected = DecodingSource.stream(builder, Topics.SAMPLES_REJECTED, serdes, app);
        KStream<String, Sample> raw = DecodingSource.stream(builder, Topics.SAMPLES_RAW, serdes, app);
        KStream<byte[], DeadLetter> deadLetters = DecodingSource.stream(builder, Topics.DLQ, serdes, app);

        // Per-sample scores.
        Map<String, KStream<String, Out>> scoring = curated.process(
                        () -> new ScoreProcessor(evaluator, runtime, embeddings),
                        Named.as("score"),
                        EvaluatorStores.PENDING)
                .split(Named.as("score-"))
                .branch((k, o) -> o.kind() == Out.Kind.EVENT, Branched.as("event"))
                .branch((k, o) -> o.kind() == Out.Kind.LEDGER, Branched.as("ledger"))
                .defaultBranch(Branched.as("dlq"));
        scoring.get("score-dlq")
                .map(
                        (key, o) -> KeyValue.pair(
                                key == null ? null : key.getBytes(StandardCharsets.UTF_8), o.as(DeadLetter.class)),
                        Named.as("score-dlq-value"))
                .to(
                        Topics.DLQ.name(),
                        Produced.with(Topics.DLQ.keySerde(), serdes.value(Topics.DLQ))
                                .withName("score-write-dlq"));

        // The ledger.
        KStream<String, LedgerDelta> deltas = raw.map(
                        (k, s) -> KeyValue.pair(
                                s.getRequestId(),
                                delta(s.getRequestId(), s.getDataset())
                                        .setGenerated(1)
                                        .setPromptTokens(s.getTrace().getPromptTokens())
                                        .setCompletionTokens(s.getTrace().getCompletionTokens())
                                        .build()),
                        Named.as("ledger-generated"))
                .merge(
                        curated.map(
                                (k, s) -> KeyValue.pair(
                                        s.getRequestId(),
                                        delta(s.getRequestId(), s.getDataset())
                                                .setCurated(1)
                                                .build()),
                                Named.as("ledger-curated")),
                        Named.as("ledger-merge-curated"))
                .merge(
                        rejected.map(
                                (k, r) -> KeyValue.pair(
                                        r.getRequestId(),
                                        delta(r.getRequestId(), r.getDataset())
                                                .setRejected(1)
                                                .setReason(r.getReason().name())
                                                .build()),
                                Named.as("ledger-rejected")),
                        Named.as("ledger-merge-rejected"))
                .merge(
                        deadLetters
                                .filter(
                                        (k, d) -> d.getRequestId() != null && d.getSamples() > 0,
                                        Named.as("ledger-failed-filter"))
                                .map(
                                        (k, d) -> KeyValue.pair(
                                                d.getRequestId(),
                                                delta(d.getRequestId(), d.getDataset())
                                                        .setFailed(d.getSamples())
                                                        .build()),
                                        Named.as("ledger-failed")),
                        Named.as("ledger-merge-failed"))
                .merge(
                        scoring.get("score-ledger").mapValues(o -> o.as(LedgerDelta.class), Named.as("ledger-judged")),
                        Named.as("ledger-merge-judged"));
        KStream<String, RequestStatus> statuses = deltas.repartition(
                        Repartitioned.with(Serdes.String(), serdes.valueSerde(LedgerDelta.class))
                                .withName("ledger-deltas"))
                .process(LedgerProcessor::new, Named.as("ledger"), EvaluatorStores.LEDGER);
        statuses.to(
                Topics.REQUEST_STATUS.name(),
                Produced.with(Topics.REQUEST_STATUS.keySerde(), serdes.value(Topics.REQUEST_STATUS))
                        .withName("write-request-status"));

        // The dataset stage.
        KStream<String, EvalEvent> events = scoring.get("score-event")
                .mapValues(o -> o.as(EvalEvent.class), Named.as("events-scored"))
                .merge(
                        rejected.map(
                                (k, r) -> KeyValue.pair(
                                        r.getDataset(),
                                        EvalEvent.newBuilder()
                                                .setKind(DatasetProcessor.REJECTED)
                                                .setDataset(r.getDataset())
                                                .setRequestId(r.getRequestId())
                                                .setSampleId(r.getSampleId())
                                                .setReason(r.getReason().name())
                                                .setAttributes(
                                                        r.getSample() == null
                                                                ? Map.of()
                                                                : r.getSample().getAttributes())
                                                .build()),
                                Named.as("events-rejected")),
                        Named.as("events-merge-rejected"))
                .merge(
                        statuses.map(
                                (id, s) -> KeyValue.pair(
                                        s.getDataset(),
                                        EvalEvent.newBuilder()
                                                .setKind(DatasetProcessor.STATUS)
                                                .setDataset(s.getDataset())
                                                .setRequestId(id)
                                                .setStatus(encode(s))
                                                .build()),
                                Named.as("events-status")),
                        Named.as("events-merge-status"));
        Map<String, KStream<String, Out>> results = events.repartition(
                        Repartitioned.with(Serdes.String(), serdes.valueSerde(EvalEvent.class))
                                .withName("dataset-events"))
                .process(
                        () -> new DatasetProcessor(evaluator),
                        Named.as("dataset"),
                        EvaluatorStores.WINDOW,
                        EvaluatorStores.ACCUMULATORS,
                        EvaluatorStores.MOMENTS,
                        EvaluatorStores.REQUESTS)
                .split(Named.as("dataset-"))
                .branch((k, o) -> o.kind() == Out.Kind.SCORED, Branched.as("scored"))
                .branch((k, o) -> o.kind() == Out.Kind.REPORT, Branched.as("report"))
                .defaultBranch(Branched.as("steering"));
        results.get("dataset-scored")
                .mapValues(o -> o.as(ScoredSample.class), Named.as("scored-value"))
                .to(
                        Topics.SAMPLES_SCORED.name(),
                        Produced.with(Topics.SAMPLES_SCORED.keySerde(), serdes.value(Topics.SAMPLES_SCORED))
                                .withName("write-scored"));
        results.get("dataset-report")
                .mapValues(o -> o.as(DatasetReport.class), Named.as("report-value"))
                .to(
                        Topics.REPORTS.name(),
                        Produced.with(Topics.REPORTS.keySerde(), serdes.value(Topics.REPORTS))
                                .withName("write-reports"));
        results.get("dataset-steering")
                .mapValues(o -> o.as(SteeringUpdate.class), Named.as("steering-value"))
                .to(
                        Topics.STEERING.name(),
                        Produced.with(Topics.STEERING.keySerde(), serdes.value(Topics.STEERING))
                                .withName("write-steering"));
        return builder.build();
    }

    private static LedgerDelta.Builder delta(String requestId, String dataset) {
        return LedgerDelta.newBuilder().setRequestId(requestId).setDataset(dataset);
    }

    private static java.nio.ByteBuffer encode(RequestStatus status) {
        try {
            return status.toByteBuffer();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static <V> void addStore(StreamsBuilder builder, String name, Serde<V> serde, boolean inMemory) {
        builder.addStateStore(
                Stores.keyValueStoreBuilder(StateStores.keyValue(name, inMemory, false), Serdes.String(), serde));
    }
}
