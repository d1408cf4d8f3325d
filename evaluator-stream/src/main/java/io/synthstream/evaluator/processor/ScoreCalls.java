package io.synthstream.evaluator.processor;

import io.synthstream.avro.FaithfulnessScore;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.avro.ScoredSample;
import io.synthstream.avro.Spend;
import io.synthstream.common.avro.SingleObject;
import io.synthstream.common.dlq.SampleFailure;
import io.synthstream.common.llm.LlmProvider;
import io.synthstream.common.llm.Spends;
import io.synthstream.common.streams.async.AsyncWork;
import io.synthstream.common.streams.async.Call;
import io.synthstream.common.streams.async.CallResult;
import io.synthstream.common.streams.async.Step;
import io.synthstream.embedding.Embeddings;
import io.synthstream.embedding.VectorCodec;
import io.synthstream.evaluator.avro.PendingScore;
import io.synthstream.evaluator.logic.LedgerDeltas;
import io.synthstream.evaluator.logic.Scoring;
import io.synthstream.evaluator.logic.Vectors;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluator's per-sample calls on the async-call stage: the judge (an LLM call, when the
 * request wants one) and the embedding (a task on the embedding pool, when embeddings are on), in
 * parallel; each result is kept in the sample's {@link PendingScore} until the other is in. The
 * finished sample goes to the dataset stage with its scores ({@link Scoring}) and, when judged, to
 * the ledger. A failed judge leaves the sample unjudged and dead-lettered with {@code samples = 0};
 * a failed embedding leaves it without neighbour scores. Samples are counted in {@code
 * synth.evaluator.samples} by faithfulness status.
 */
final class ScoreCalls implements AsyncWork<Sample, PendingScore, EvaluatorOutput> {
    static final String JUDGE = "judge";
    static final String EMBED = "embed";

    private static final Logger log = LoggerFactory.getLogger(ScoreCalls.class);

    private final Scoring.Settings settings;
    private final LlmProvider providers;
    private final Embeddings embeddings;
    private final Duration specWait;
    private final Clock clock;

    /** @param embeddings the instance's embedding pool, or null when embeddings are off */
    ScoreCalls(
            Scoring.Settings settings, LlmProvider providers, Embeddings embeddings, Duration specWait, Clock clock) {
        this.settings = settings;
        this.providers = providers;
        this.embeddings = embeddings;
        this.specWait = specWait;
        this.clock = clock;
    }

    @Override
    public Map<String, PendingScore> start(Sample sample, long timestamp) {
        return Map.of(
                sample.getSampleId(),
                PendingScore.newBuilder()
                        .setSample(SingleObject.encode(sample::toByteBuffer))
                        .setReceivedAt(timestamp)
                        .setRequestId(sample.getRequestId())
                        .setDataset(sample.getDataset())
                        .build());
    }

    @Override
    public String requestId(PendingScore entry) {
        return entry.getRequestId().isEmpty() ? sample(entry).getRequestId() : entry.getRequestId();
    }

    @Override
    public String dataset(PendingScore entry) {
        return entry.getDataset().isEmpty() ? sample(entry).getDataset() : entry.getDataset();
    }

    @Override
    public long since(PendingScore entry) {
        return entry.getReceivedAt();
    }

    @Override
    public Step<PendingScore, EvaluatorOutput> begin(String key, PendingScore entry, GenerationRequest spec) {
        Sample sample = sample(entry);
        PendingScore current = entry;
        if (embeddings != null && entry.getEmbedding() == null && carriesOwnModelVector(sample)) {
            // embedded once already, by the curator (semantic dedup) with the same model: not again
            current = PendingScore.newBuilder(entry)
                    .setEmbedding(Vectors.encode(VectorCodec.decode(sample.getEmbedding())))
                    .build();
        }
        List<Call> calls = new ArrayList<>(2);
        if (current.getVerdict() == null && Scoring.judged(spec, settings)) {
            calls.add(Call.llm(JUDGE, Scoring.judgeRequest(sample, spec, settings, providers), ""));
        }
        if (embeddings != null && current.getEmbedding() == null) {
            String text = Scoring.text(sample, spec, settings.textMaxChars());
            calls.add(Call.task(EMBED, () -> embeddings.submit(text)));
        }
        if (calls.isEmpty()) {
            return finish(key, current, sample, spec, null);
        }
        return current == entry ? Step.proceed(calls) : Step.proceed(current, calls);
    }

    /** Whether the sample carries a vector of this evaluator's embedder (the curator's, when they match). */
    private boolean carriesOwnModelVector(Sample sample) {
        return sample.getEmbedding() != null
                && sample.getEmbedding().getModel().equals(embeddings.name())
                && sample.getEmbedding().getVector().remaining()
                        == sample.getEmbedding().getDimensions();
    }

    @Override
    public Step<PendingScore, EvaluatorOutput> specMissing(String key, PendingScore entry) {
        Sample sample = sample(entry);
        Scoring.Judgement judgement = Scoring.withoutSpec(sample.getRequestId(), specWait);
        PendingScore unjudged = PendingScore.newBuilder(entry)
                .setVerdict(SingleObject.encode(judgement.verdict()::toByteBuffer))
                .build();
        if (embeddings != null && entry.getEmbedding() == null) {
            String text = Scoring.text(sample, null, settings.textMaxChars());
            return Step.<PendingScore, EvaluatorOutput>proceed(
                            unjudged, List.of(Call.task(EMBED, () -> embeddings.submit(text))))
                    .deadLetter(judgement.failure());
        }
        return finish(key, unjudged, sample, null, judgement.failure());
    }

    @Override
    public Step<PendingScore, EvaluatorOutput> finished(
            String key, PendingScore entry, GenerationRequest spec, CallResult result, boolean othersOutstanding) {
        PendingScore.Builder updated = PendingScore.newBuilder(entry);
        SampleFailure failure = null;
        if (result instanceof CallResult.Answer answer) {
            Scoring.Judgement judgement = Scoring.judgement(answer.completion(), spec, settings);
            updated.setVerdict(SingleObject.encode(judgement.verdict()::toByteBuffer))
                    .setJudgePromptTokens(
                            judgement.spend() == null ? 0 : judgement.spend().getPromptTokens())
                    .setJudgeCompletionTokens(
                            judgement.spend() == null ? 0 : judgement.spend().getCompletionTokens())
                    .setJudgeSpend(Spends.encode(Spends.plus(Spends.decode(entry.getJudgeSpend()), judgement.spend())));
            failure = judgement.failure();
        } else if (result instanceof CallResult.Value value) {
            if (value.value() instanceof float[] vector) {
                updated.setEmbedding(Vectors.encode(vector));
            } else {
                log.warn("Embedding of sample {} failed ({}); it is scored without one", key, value.error());
            }
        }
        PendingScore next = updated.build();
        if (othersOutstanding) {
            Step<PendingScore, EvaluatorOutput> step = Step.proceed(next, List.of());
            return failure == null ? step : step.deadLetter(failure);
        }
        return finish(key, next, sample(next), spec, failure);
    }

    /**
     * Publishes the finished sample: to the dataset stage, and to the ledger when judged.
     *
     * @param spec the sample's spec, or null when it never arrived or has disappeared
     * @param failure a failure of this step to dead-letter as well, or null
     */
    private Step<PendingScore, EvaluatorOutput> finish(
            String key, PendingScore entry, Sample sample, GenerationRequest spec, SampleFailure failure) {
        FaithfulnessScore verdict;
        if (entry.getVerdict() != null) {
            verdict = SingleObject.decode(FaithfulnessScore::fromByteBuffer, entry.getVerdict());
        } else if (spec == null) {
            Scoring.Judgement judgement = Scoring.withoutSpec(sample.getRequestId(), specWait);
            verdict = judgement.verdict();
            failure = judgement.failure();
        } else if (Scoring.judged(spec, settings)) { // judging was switched on since the sample began
            return Step.proceed(List.of(Call.llm(JUDGE, Scoring.judgeRequest(sample, spec, settings, providers), "")));
        } else {
            verdict = Scoring.disabled();
        }
        if (sample.getEmbedding() == null && entry.getEmbedding() != null && embeddings != null) {
            // embedded here first (no semantic dedup upstream): the scored sample carries it on
            sample.setEmbedding(VectorCodec.embedding(embeddings.name(), Vectors.decode(entry.getEmbedding())));
        }
        String text = Scoring.text(sample, spec, settings.textMaxChars());
        ScoredSample scored = Scoring.scored(sample, spec, verdict, text, clock.instant());
        Step<PendingScore, EvaluatorOutput> step = Step.<PendingScore, EvaluatorOutput>finish()
                .emit(
                        sample.getDataset(),
                        new EvaluatorOutput.Event(Scoring.event(sample, scored, entry.getEmbedding(), text)))
                .counted(verdict.getStatus());
        boolean judged = Scoring.JUDGED.equals(verdict.getStatus());
        Spend judgeSpend = judgeSpend(entry);
        if (judged || Spends.tokens(judgeSpend) > 0) { // an unreadable verdict was paid for as well
            step.emit(
                    sample.getRequestId(), new EvaluatorOutput.Delta(LedgerDeltas.judged(sample, judgeSpend, judged)));
        }
        return failure == null ? step : step.deadLetter(failure);
    }

    /** What the judge cost for the entry (entries from before spends were kept have only tokens). */
    private static Spend judgeSpend(PendingScore entry) {
        if (entry.getJudgeSpend() != null) {
            return Spends.decode(entry.getJudgeSpend());
        }
        if (entry.getJudgePromptTokens() + entry.getJudgeCompletionTokens() == 0) {
            return null;
        }
        return Spend.newBuilder()
                .setCalls(1)
                .setPromptTokens(entry.getJudgePromptTokens())
                .setCompletionTokens(entry.getJudgeCompletionTokens())
                .setUnpricedTokens(entry.getJudgePromptTokens() + entry.getJudgeCompletionTokens())
                .build();
    }

    private static Sample sample(PendingScore entry) {
        return SingleObject.decode(Sample::fromByteBuffer, entry.getSample());
    }
}
