package io.synthstream.evaluator.logic;

import io.synthstream.avro.FaithfulnessScore;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.avro.ScoredSample;
import io.synthstream.avro.Spend;
import io.synthstream.common.avro.SingleObject;
import io.synthstream.common.dlq.DeadLetterReason;
import io.synthstream.common.dlq.SampleFailure;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.LlmResponse;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.text.DedupText;
import io.synthstream.evaluator.avro.EvalEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-sample scores as pure decisions: whether a sample is judged and with what call, what a
 * finished judge call means (a verdict, or the sample unjudged with a failure to record), the
 * text the metrics read, and the scored sample and dataset event a finished sample becomes.
 * Judging never loses a sample: every failure leaves it {@link #UNJUDGED}, dead-lettered with
 * {@code samples = 0}.
 */
public final class Scoring {
    /** Faithfulness status: the judge gave a score. */
    public static final String JUDGED = "judged";
    /** Faithfulness status: the judge was wanted but failed (see synth.dlq). */
    public static final String UNJUDGED = "unjudged";
    /** Faithfulness status: judging is off (the evaluator's switch or the request's). */
    public static final String DISABLED = "disabled";

    /**
     * What the per-sample scores read from the evaluator's settings.
     *
     * @param judgeEnabled the evaluator's switch (a request can also turn judging off)
     * @param judgeModel the configured judge model (a request's {@code evaluation.judge_model} wins)
     * @param judgeMaxTokens {@code max_tokens} of a judge call
     * @param textMaxChars characters of a sample's text the metrics and the embedding read
     */
    public record Settings(boolean judgeEnabled, String judgeModel, int judgeMaxTokens, int textMaxChars) {}

    /**
     * A verdict on one sample.
     *
     * @param failure why the sample is unjudged, to dead-letter; null when judged
     * @param spend what the judge call cost (a reply whose verdict could not be read too); null
     *     when no call was made
     */
    public record Judgement(FaithfulnessScore verdict, SampleFailure failure, Spend spend) {}

    private Scoring() {}

    /** Whether a request's samples are judged. */
    public static boolean judged(GenerationRequest spec, Settings settings) {
        return settings.judgeEnabled() && Judge.enabled(spec);
    }

    /**
     * The judge call for a sample, for the provider the request's {@code judge_model.provider} names
     * and in its structured-output mode (a provider this app lacks keeps the default's mode: the
     * runtime fails the call as {@code llm_not_found}, a judge failure). Without a model in the
     * request, the default provider is asked for {@code evaluator.judge.model} (else {@code
     * llm.model}) and a named provider for its own default model.
     */
    public static LlmRequest judgeRequest(
            Sample sample, GenerationRequest spec, Settings settings, io.synthstream.common.llm.LlmProvider providers) {
        LlmRequest.ResponseFormat format;
        io.synthstream.common.llm.LlmProvider provider;
        try {
            provider = providers.select(Judge.provider(spec));
        } catch (IllegalArgumentException e) {
            provider = providers;
        }
        format = provider.structuredOutput();
        // evaluator.judge.model is the default provider's; a named provider's default model is its own
        String configured = provider == providers || provider == providers.select(null) ? settings.judgeModel() : null;
        return Judge.request(sample, spec, Judge.model(spec, configured), settings.judgeMaxTokens(), format);
    }

    /**
     * What a finished judge call means.
     *
     * @param spec the sample's spec, or null if it has disappeared (the configured model is recorded)
     */
    public static Judgement judgement(LlmRuntime.Completion completion, GenerationRequest spec, Settings settings) {
        FaithfulnessScore.Builder verdict = FaithfulnessScore.newBuilder()
                .setRubricVersion(spec == null ? null : Judge.rubricVersion(spec))
                .setJudgeModel(
                        completion.succeeded() && !completion.response().model().isEmpty()
                                ? completion.response().model() // the model that answered
                                : spec == null ? settings.judgeModel() : Judge.model(spec, settings.judgeModel()));
        if (!completion.succeeded()) {
            String reason = completion.failure().kind().reason();
            return new Judgement(
                    verdict.setStatus(UNJUDGED)
                            .setRationale("judge call failed: " + reason)
                            .build(),
                    SampleFailure.noted(
                            completion.failure().kind().deadLetterReason(),
                            completion.failure().getMessage(),
                            completion.attempts(),
                            null),
                    completion.spend());
        }
        LlmResponse response = completion.response();
        if (!response.model().isEmpty()) {
            verdict.setJudgeModel(response.model());
        }
        SampleFailure failure = null;
        try {
            Judge.Verdict v = Judge.parse(
                    response.content(),
                    spec == null ? List.of() : spec.getTask().getLabels());
            verdict.setStatus(JUDGED)
                    .setScore(v.score())
                    .setRationale(v.rationale())
                    .setLabel(v.label())
                    .setLabelConfidence(v.labelConfidence());
        } catch (Judge.UnreadableVerdictException e) {
            verdict.setStatus(UNJUDGED).setRationale("unreadable verdict: " + e.getMessage());
            failure = SampleFailure.noted(
                    DeadLetterReason.UNREADABLE_VERDICT,
                    "The judge's reply holds no verdict: " + e.getMessage(),
                    completion.attempts(),
                    response.content());
        }
        return new Judgement(verdict.build(), failure, completion.spend());
    }

    /** A sample whose spec never reached the evaluator: scored without a judge. */
    public static Judgement withoutSpec(String requestId, Duration waited) {
        return new Judgement(
                FaithfulnessScore.newBuilder()
                        .setStatus(UNJUDGED)
                        .setRationale("no spec for request " + requestId)
                        .build(),
                SampleFailure.noted(
                        DeadLetterReason.UNKNOWN_SPEC,
                        "No spec for request " + requestId + " in synth.specs after " + waited.toMillis()
                                + " ms; the sample is scored without a judge",
                        0,
                        null),
                null);
    }

    /** The verdict of a sample whose request does not want a judge. */
    public static FaithfulnessScore disabled() {
        return FaithfulnessScore.newBuilder().setStatus(DISABLED).build();
    }

    /** The text the metrics and the embedding read: the dedup fields (else every field), cut at the limit. */
    public static String text(Sample sample, GenerationRequest spec, int maxChars) {
        String text = spec == null ? "" : DedupText.of(sample, spec);
        if (text.isEmpty()) {
            text = String.join("\n", new TreeMap<>(sample.getFields()).values());
        }
        return text.length() > maxChars ? text.substring(0, maxChars) : text;
    }

    /** The scored sample, before the dataset stage adds label consistency and novelty. */
    public static ScoredSample scored(Sample sample, FaithfulnessScore verdict, String text, Instant now) {
        return scored(sample, null, verdict, text, now);
    }

    /**
     * The scored sample, its adherence checked as the spec's attributes declare ({@code
     * attributes[].adherence}).
     *
     * @param spec the sample's spec, or null (every check inferred)
     */
    public static ScoredSample scored(
            Sample sample, GenerationRequest spec, FaithfulnessScore verdict, String text, Instant now) {
        Map<String, String> declared = new java.util.HashMap<>();
        if (spec != null) {
            spec.getAttributes().forEach(a -> {
                if (a.getAdherence() != null) {
                    declared.put(a.getName(), a.getAdherence());
                }
            });
        }
        return ScoredSample.newBuilder()
                .setSample(sample)
                .setFaithfulness(verdict)
                .setConditionAdherence(
                        ConditionAdherence.score(sample.getAttributes(), declared, sample.getFields(), text))
                .setScoredAt(now)
                .build();
    }

    /** The dataset stage's event for a scored sample. */
    public static EvalEvent event(Sample sample, ScoredSample scored, ByteBuffer embedding, String text) {
        return EvalEvent.newBuilder()
                .setKind(DatasetEvents.SCORED)
                .setDataset(sample.getDataset())
                .setRequestId(sample.getRequestId())
                .setSampleId(sample.getSampleId())
                .setScored(SingleObject.encode(scored::toByteBuffer))
                .setEmbedding(embedding)
                .setText(text)
                .setLabel(sample.getFields()
                        .getOrDefault("label", sample.getAttributes().get("label")))
                .setAttributes(sample.getAttributes())
                .build();
    }
}
