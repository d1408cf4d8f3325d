package io.synthstream.evaluator.processor;

import io.micrometer.core.instrument.MeterRegistry;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.FaithfulnessScore;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.avro.ScoredSample;
import io.synthstream.common.dlq.DeadLetters;
import io.synthstream.common.llm.LlmResponse;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.common.text.DedupText;
import io.synthstream.evaluator.avro.EvalEvent;
import io.synthstream.evaluator.avro.LedgerDelta;
import io.synthstream.evaluator.avro.PendingScore;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.evaluator.embedding.Embeddings;
import io.synthstream.evaluator.judge.Judge;
import io.synthstream.evaluator.metrics.ConditionAdherence;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 * The per-sample stage (keyed by sample id, so it scales with the curated topic's partitions):
 * the LLM judge's verdict, the sentence embedding and the condition-adherence score.
 *
 * <p>Neither the judge call nor the embedding runs on the stream thread (DESIGN §4.5), and the
 * pattern is the generator's: {@code process()} writes a {@link PendingScore} to the changelogged
 * {@link EvaluatorStores#PENDING} store, submits the judge call to the instance's {@link
 * LlmRuntime} and the embedding to the embedding pool; a wall-clock punctuator takes finished work
 * and, in the same transaction, records the verdict or forwards the finished sample (an {@link
 * EvalEvent} for the dataset stage, a judged {@link LedgerDelta}) and deletes the entry. The first
 * punctuation after a restart re-issues everything pending.
 *
 * <p>A judge call that fails terminally, or a reply without a readable verdict, never loses the
 * sample: it goes on scored as {@code unjudged}, and a dead letter with {@code samples = 0} (it is
 * not a lost sample in the ledger) records why.
 */
public final class ScoreProcessor implements Processor<String, Sample, String, Out> {
    public static final String STAGE = "judge";
    public static final String UNREADABLE_VERDICT = "unreadable_verdict";
    public static final String UNKNOWN_SPEC = "unknown_spec";

    static final String JUDGED = "judged";
    static final String UNJUDGED = "unjudged";
    static final String DISABLED = "disabled";

    private static final Logger log = LoggerFactory.getLogger(ScoreProcessor.class);
    private static final int MAX_DRAIN = 5_000;

    private final EvaluatorConfig config;
    private final LlmRuntime runtime;
    private final Embeddings embeddings;
    private final String app;
    /** Started entries: their embedding future (null when embeddings are off). */
    private final Map<String, CompletableFuture<float[]>> started = new HashMap<>();
    /** Entries whose judge call is outstanding: finishing them needs no store read until it answers. */
    private final java.util.Set<String> awaitingVerdict = new java.util.HashSet<>();
    /** Entries waiting for their request's spec to reach the global table. */
    private final java.util.Set<String> parked = new java.util.HashSet<>();

    private ProcessorContext<String, Out> context;
    private KeyValueStore<String, PendingScore> pending;
    private TimestampedKeyValueStore<String, GenerationRequest> specs;
    private LlmRuntime.Client client;
    private MeterRegistry meters;
    private boolean reissued;

    /**
     * @param embeddings the instance's embedding pool, or null when embeddings are off
     */
    public ScoreProcessor(EvaluatorConfig config, LlmRuntime runtime, Embeddings embeddings) {
        this.config = config;
        this.runtime = runtime;
        this.embeddings = embeddings;
        this.app = config.synth().applicationId();
    }

    @Override
    public void init(ProcessorContext<String, Out> context) {
        this.context = context;
        this.reissued = false;
        this.started.clear();
        this.parked.clear();
        this.awaitingVerdict.clear();
        this.pending = context.getStateStore(EvaluatorStores.PENDING);
        this.specs = context.getStateStore(EvaluatorStores.SPECS);
        this.client = runtime.client(app + "/judge/" + context.taskId());
        this.meters = SynthMeters.fromAppConfigs(context.appConfigs()).orElse(null);
        if (meters != null) {
            runtime.bindMetrics(meters, app);
        }
        context.schedule(config.drainInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<String, Sample> record) {
        runtime.awaitCapacity(config.backpressureMaxWait(), this::handleFinished);
        Sample sample = record.value();
        String id = sample.getSampleId();
        if (pending.get(id) != null) {
            return; // redelivered: already pending
        }
        PendingScore entry = PendingScore.newBuilder()
                .setSample(Codec.encode(sample::toByteBuffer))
                .setReceivedAt(System.currentTimeMillis())
                .build();
        pending.put(id, entry);
        start(id, entry, sample);
    }

    /** Submits the entry's judge call (unless answered or not wanted) and its embedding. */
    private void start(String id, PendingScore entry, Sample sample) {
        GenerationRequest spec = spec(sample);
        if (spec == null
                && System.currentTimeMillis() - entry.getReceivedAt()
                        < config.specWait().toMillis()) {
            started.remove(id);
            parked.add(id); // retried by the punctuator until the spec arrives
            return;
        }
        parked.remove(id);
        if (entry.getVerdict() == null && spec != null && judged(spec)) {
            awaitingVerdict.add(id);
            client.submit(
                    id + "/judge",
                    Judge.request(
                            sample,
                            spec,
                            Judge.model(spec, config.judgeModel()),
                            config.judgeMaxTokens(),
                            runtime.provider().structuredOutput()));
        }
        CompletableFuture<float[]> embedding = null;
        if (embeddings != null) {
            CompletableFuture<float[]> previous = started.get(id);
            embedding = previous != null ? previous : embeddings.submit(text(sample, spec));
        }
        started.put(id, embedding);
    }

    private boolean judged(GenerationRequest spec) {
        return config.judgeEnabled() && Judge.enabled(spec);
    }

    private void punctuate(long now) {
        if (!reissued) {
            reissued = true;
            try (KeyValueIterator<String, PendingScore> all = pending.all()) {
                while (all.hasNext()) {
                    var kv = all.next();
                    start(kv.key, kv.value, sample(kv.value));
                }
            }
        }
        handleFinished();
        for (String id : List.copyOf(parked)) {
            PendingScore entry = pending.get(id);
            if (entry == null) {
                parked.remove(id);
            } else {
                start(id, entry, sample(entry));
            }
        }
    }

    private int handleFinished() {
        List<LlmRuntime.Completion> done = client.drain(MAX_DRAIN);
        for (LlmRuntime.Completion completion : done) {
            recordVerdict(completion);
        }
        int finished = 0;
        for (String id : List.copyOf(started.keySet())) {
            if (tryFinish(id)) {
                finished++;
            }
        }
        return done.size() + finished;
    }

    private void recordVerdict(LlmRuntime.Completion completion) {
        String id = completion.callId().substring(0, completion.callId().lastIndexOf('/'));
        awaitingVerdict.remove(id);
        PendingScore entry = pending.get(id);
        if (entry == null || entry.getVerdict() != null) {
            return; // stale
        }
        Sample sample = sample(entry);
        GenerationRequest spec = spec(sample);
        String model = spec == null ? config.judgeModel() : Judge.model(spec, config.judgeModel());
        String rubric = spec == null ? null : Judge.rubricVersion(spec);
        FaithfulnessScore.Builder verdict =
                FaithfulnessScore.newBuilder().setRubricVersion(rubric).setJudgeModel(model);
        if (!completion.succeeded()) {
            verdict.setStatus(UNJUDGED)
                    .setRationale(
                            "judge call failed: " + completion.failure().kind().reason());
            deadLetter(
                    sample,
                    completion.failure().kind().reason(),
                    completion.failure().getMessage(),
                    completion.attempts(),
                    null);
        } else {
            LlmResponse response = completion.response();
            if (!response.model().isEmpty()) {
                verdict.setJudgeModel(response.model());
            }
            entry.setJudgePromptTokens(response.promptTokens());
            entry.setJudgeCompletionTokens(response.completionTokens());
            try {
                Judge.Verdict v = Judge.parse(response.content());
                verdict.setStatus(JUDGED).setScore(v.score()).setRationale(v.rationale());
            } catch (Judge.UnreadableVerdictException e) {
                verdict.setStatus(UNJUDGED).setRationale("unreadable verdict: " + e.getMessage());
                deadLetter(
                        sample,
                        UNREADABLE_VERDICT,
                        "The judge's reply holds no verdict: " + e.getMessage(),
                        completion.attempts(),
                        response.content());
            }
        }
        FaithfulnessScore score = verdict.build();
        entry.setVerdict(Codec.encode(score::toByteBuffer));
        pending.put(id, entry);
    }

    /** Forwards the sample if its verdict (when wanted) and embedding (when on) are ready. */
    private boolean tryFinish(String id) {
        CompletableFuture<float[]> embedding = started.get(id);
        if (awaitingVerdict.contains(id) || (embedding != null && !embedding.isDone())) {
            return false;
        }
        PendingScore entry = pending.get(id);
        if (entry == null) {
            started.remove(id);
            return false;
        }
        Sample sample = sample(entry);
        GenerationRequest spec = spec(sample);
        FaithfulnessScore verdict;
        if (entry.getVerdict() != null) {
            verdict = Codec.decode(FaithfulnessScore::fromByteBuffer, entry.getVerdict());
        } else if (spec == null) {
            verdict = FaithfulnessScore.newBuilder()
                    .setStatus(UNJUDGED)
                    .setRationale("no spec for request " + sample.getRequestId())
                    .build();
            deadLetter(
                    sample,
                    UNKNOWN_SPEC,
                    "No spec for request " + sample.getRequestId() + " in synth.specs after "
                            + config.specWait().toMillis() + " ms; the sample is scored without a judge",
                    0,
                    null);
        } else if (judged(spec)) {
            return false; // the judge has not answered yet
        } else {
            verdict = FaithfulnessScore.newBuilder().setStatus(DISABLED).build();
        }
        float[] vector = null;
        if (embedding != null) {
            try {
                vector = embedding.join();
            } catch (RuntimeException e) {
                log.warn("Embedding of sample {} failed ({}); it is scored without one", id, e.toString());
            }
        }
        String text = text(sample, spec);
        ScoredSample scored = ScoredSample.newBuilder()
                .setSample(sample)
                .setFaithfulness(verdict)
                .setConditionAdherence(ConditionAdherence.score(sample.getAttributes(), sample.getFields(), text))
                .setScoredAt(Instant.now())
                .build();
        String label =
                sample.getFields().getOrDefault("label", sample.getAttributes().get("label"));
        EvalEvent event = EvalEvent.newBuilder()
                .setKind(DatasetProcessor.SCORED)
                .setDataset(sample.getDataset())
                .setRequestId(sample.getRequestId())
                .setSampleId(id)
                .setScored(Codec.encode(scored::toByteBuffer))
                .setEmbedding(vector == null ? null : Codec.vector(vector))
                .setText(text)
                .setLabel(label)
                .setAttributes(sample.getAttributes())
                .build();
        pending.delete(id);
        started.remove(id);
        long now = System.currentTimeMillis();
        context.forward(new Record<>(sample.getDataset(), new Out(Out.Kind.EVENT, event), now));
        if (JUDGED.equals(verdict.getStatus())) {
            LedgerDelta delta = LedgerDelta.newBuilder()
                    .setRequestId(sample.getRequestId())
                    .setDataset(sample.getDataset())
                    .setJudged(1)
                    .setPromptTokens(entry.getJudgePromptTokens())
                    .setCompletionTokens(entry.getJudgeCompletionTokens())
                    .build();
            context.forward(new Record<>(sample.getRequestId(), new Out(Out.Kind.LEDGER, delta), now));
        }
        if (meters != null) {
            SynthMeters.evaluatorSamples(meters, app, verdict.getStatus()).increment();
        }
        return true;
    }

    private void deadLetter(Sample sample, String reason, String message, int attempts, String rawReply) {
        DeadLetter letter = DeadLetters.forSample(
                app,
                STAGE,
                reason,
                message,
                sample.getSampleId(),
                sample.getRequestId(),
                sample.getDataset(),
                0,
                attempts,
                rawReply);
        context.forward(
                new Record<>(sample.getSampleId(), new Out(Out.Kind.DEAD_LETTER, letter), System.currentTimeMillis()));
        if (meters != null) {
            SynthMeters.deadLetters(meters, app, STAGE, reason).increment();
        }
    }

    /** The text the metrics and the embedding read: the dedup fields, else every field. */
    private String text(Sample sample, GenerationRequest spec) {
        String text = spec == null ? "" : DedupText.of(sample, spec);
        if (text.isEmpty()) {
            text = String.join("\n", new java.util.TreeMap<>(sample.getFields()).values());
        }
        int max = config.textMaxChars();
        return text.length() > max ? text.substring(0, max) : text;
    }

    private GenerationRequest spec(Sample sample) {
        ValueAndTimestamp<GenerationRequest> spec = specs.get(sample.getRequestId());
        return spec == null ? null : spec.value();
    }

    private static Sample sample(PendingScore entry) {
        return Codec.decode(Sample::fromByteBuffer, entry.getSample());
    }

    @Override
    public void close() {
        if (client != null) {
            client.cancelAll();
        }
        started.values().forEach(f -> {
            if (f != null) {
                f.cancel(false);
            }
        });
        started.clear();
        parked.clear();
        awaitingVerdict.clear();
    }
}
