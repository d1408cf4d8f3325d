package io.synthstream.generator.processor;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.common.dlq.SampleFailure;
import io.synthstream.common.llm.LlmFailure;
import io.synthstream.common.llm.LlmProvider;
import io.synthstream.common.streams.SpecLookup;
import io.synthstream.common.streams.async.AsyncWork;
import io.synthstream.common.streams.async.Call;
import io.synthstream.common.streams.async.CallResult;
import io.synthstream.common.streams.async.Step;
import io.synthstream.generator.avro.PendingSample;
import io.synthstream.generator.logic.PromptBuilder;
import io.synthstream.generator.logic.SampleProgress;
import io.synthstream.generator.logic.SampleTraces;
import io.synthstream.generator.logic.StepPlan;
import io.synthstream.generator.logic.Templates;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The generator's sample calls on the async-call stage: one {@link PendingSample} per sample of a
 * condition, one LLM call at a time (each step, or one repair turn), with every decision taken by
 * {@link SampleProgress}. Samples are counted in {@code synth.generator.samples} as generated or
 * dead_lettered with their reason.
 */
final class SampleCalls implements AsyncWork<ConditionTuple, PendingSample, GeneratorOutput> {
    private final LlmProvider provider;
    private final SampleTraces.Provenance fallback;
    private final Duration specWait;
    private final Clock clock;
    private final SpecLookup.Derived<List<StepPlan>> plans = SpecLookup.derived(StepPlan::of);

    SampleCalls(LlmProvider provider, Duration specWait, Clock clock) {
        this.provider = provider;
        this.fallback = SampleTraces.Provenance.of(provider);
        this.specWait = specWait;
        this.clock = clock;
    }

    @Override
    public Map<String, PendingSample> start(ConditionTuple condition, long timestamp) {
        return SampleProgress.start(condition, timestamp);
    }

    @Override
    public String requestId(PendingSample entry) {
        return SampleProgress.requestId(entry);
    }

    @Override
    public String dataset(PendingSample entry) {
        return SampleProgress.dataset(entry);
    }

    @Override
    public long since(PendingSample entry) {
        return entry.getReceivedAt();
    }

    @Override
    public Step<PendingSample, GeneratorOutput> begin(String key, PendingSample entry, GenerationRequest spec) {
        return call(null, entry, SampleProgress.condition(entry), spec);
    }

    @Override
    public Step<PendingSample, GeneratorOutput> specMissing(String key, PendingSample entry) {
        return fail(SampleProgress.unemitted(
                SampleProgress.unknownSpec(entry, specWait), entry, SampleProgress.condition(entry)));
    }

    @Override
    public Step<PendingSample, GeneratorOutput> finished(
            String key, PendingSample entry, GenerationRequest spec, CallResult result, boolean othersOutstanding) {
        if (!(result instanceof CallResult.Answer answer)) {
            throw new IllegalStateException("the generator sends only LLM calls, got " + result);
        }
        if (spec == null && answer.completion().succeeded()) {
            return Step.park(); // the spec was deleted while the call ran: wait for it like a new entry
        }
        ConditionTuple condition = SampleProgress.condition(entry);
        List<StepPlan> plan = spec == null ? List.of() : plans.of(spec);
        SampleProgress.Progress progress = SampleProgress.advance(
                entry, condition, spec, plan, answer.completion(), provenance(spec), clock.instant());
        if (progress instanceof SampleProgress.Next next) {
            return call(next.entry(), next.entry(), condition, spec);
        } else if (progress instanceof SampleProgress.Emit emit) { // an Evol-Instruct round is done
            Step<PendingSample, GeneratorOutput> step = call(emit.entry(), emit.entry(), condition, spec);
            if (step.kind() == Step.Kind.PROCEED) { // else the step is counted as dead-lettered
                step.counted("generated", "none"); // each emitted round once, as a finished sample is
            }
            Sample sample = emit.sample();
            return step.emit(sample.getSampleId(), new GeneratorOutput.RawSample(sample));
        } else if (progress instanceof SampleProgress.Repair repair) {
            return call(repair.entry(), repair.entry(), condition, spec);
        } else if (progress instanceof SampleProgress.Done done) {
            return Step.<PendingSample, GeneratorOutput>finish()
                    .emit(done.sample().getSampleId(), new GeneratorOutput.RawSample(done.sample()))
                    .counted("generated", "none");
        } else if (progress instanceof SampleProgress.Fail failed) {
            return fail(SampleProgress.unemitted(failed.failure(), entry, condition));
        }
        throw new IllegalStateException("unknown progress " + progress);
    }

    /** Who a sample of {@code spec} is recorded as coming from: the provider its model.provider names. */
    private SampleTraces.Provenance provenance(GenerationRequest spec) {
        try {
            return spec == null
                    ? fallback
                    : SampleTraces.Provenance.of(provider.select(spec.getModel().getProvider()));
        } catch (IllegalArgumentException e) {
            return fallback; // the call itself failed as llm_not_found
        }
    }

    /**
     * Sends the call {@code entry} waits for, storing {@code updated} first when it is not null, in
     * the structured-output mode of the provider that answers its step.
     */
    private Step<PendingSample, GeneratorOutput> call(
            PendingSample updated, PendingSample entry, ConditionTuple condition, GenerationRequest spec) {
        Call call;
        List<StepPlan> plan = plans.of(spec);
        try {
            LlmProvider answering = provider.select(PromptBuilder.provider(spec, plan, entry.getStepIndex()));
            call = Call.llm(
                    SampleProgress.callName(entry),
                    SampleProgress.request(entry, condition, spec, plan, answering.structuredOutput()),
                    SampleProgress.place(entry, condition));
        } catch (Templates.TemplateException e) {
            return fail(SampleProgress.unemitted(SampleProgress.promptError(e), entry, condition));
        } catch (IllegalArgumentException e) { // validated at ingest; the app's providers changed since
            return fail(SampleProgress.unemitted(
                    SampleFailure.ends(LlmFailure.Kind.NOT_FOUND.deadLetterReason(), e.getMessage(), 0, null),
                    entry,
                    condition));
        }
        return updated == null ? Step.proceed(List.of(call)) : Step.proceed(updated, List.of(call));
    }

    private static Step<PendingSample, GeneratorOutput> fail(SampleFailure failure) {
        return Step.<PendingSample, GeneratorOutput>fail(failure)
                .counted("dead_lettered", failure.reason().code());
    }
}
