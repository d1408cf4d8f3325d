package io.synthstream.generator.processor;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.avro.SelfInstructDecision;
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
import io.synthstream.generator.logic.SelfInstruct;
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
    private final SpecLookup.Derived<SelfInstruct.Pool> seedTasks =
            SpecLookup.derived(spec -> SelfInstruct.Pool.of(SelfInstruct.seeds(spec)));
    private SelfInstructPools pools;

    SampleCalls(LlmProvider provider, Duration specWait, Clock clock) {
        this.provider = provider;
        this.fallback = SampleTraces.Provenance.of(provider);
        this.specWait = specWait;
        this.clock = clock;
    }

    @Override
    public void init(Stores stores) {
        pools = new SelfInstructPools(stores.get(GeneratorStores.POOL), stores.get(GeneratorStores.QUEUE));
    }

    @Override
    public Map<String, PendingSample> start(ConditionTuple condition, long timestamp) {
        return SampleProgress.start(condition, timestamp);
    }

    /** A Self-Instruct round also takes its place in its dataset's queue: its tuple's offset. */
    @Override
    public Map<String, PendingSample> start(ConditionTuple condition, long timestamp, long offset) {
        Map<String, PendingSample> entries = SampleProgress.start(condition, timestamp);
        if (condition.getSelfInstructRound() && condition.getSelfInstruct() == null && offset >= 0) {
            entries.replaceAll((key, entry) -> {
                pools.enqueue(condition.getDataset(), offset, key);
                return PendingSample.newBuilder(entry).setQueuePosition(offset).build();
            });
        }
        return entries;
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
        ConditionTuple condition = SampleProgress.condition(entry);
        if (SelfInstruct.of(spec)) {
            return beginSelfInstruct(entry, condition, spec);
        }
        return call(null, entry, condition, spec);
    }

    /**
     * A Self-Instruct round begins once the request's round before it is decided, showing the
     * demonstrations chosen then (kept on the entry, so a restart sends the same call); a kept
     * instruction's entry moves to the instance step its order asks for.
     */
    private Step<PendingSample, GeneratorOutput> beginSelfInstruct(
            PendingSample entry, ConditionTuple condition, GenerationRequest spec) {
        if (condition.getSelfInstruct() != null) {
            if (entry.getStepIndex() != 0) {
                return call(null, entry, condition, spec);
            }
            PendingSample moved = PendingSample.newBuilder(entry)
                    .setStepIndex(SelfInstruct.instanceStep(
                            spec, condition.getSelfInstruct().getClassification()))
                    .build();
            return call(moved, moved, condition, spec);
        }
        if (entry.getQueuePosition() >= 0 && !pools.heads(condition.getDataset(), entry.getQueuePosition())) {
            return Step.hold(); // woken when the round before it in its dataset's queue is decided
        }
        if (!entry.getDemonstrationIds().isEmpty()) {
            return call(null, entry, condition, spec);
        }
        List<SelfInstruct.Demonstration> shown = SelfInstruct.demonstrations(
                spec,
                condition.getConditionIndex(),
                seedTasks.of(spec).all(),
                pools.pool(condition.getDataset()).all());
        PendingSample chosen = PendingSample.newBuilder(entry)
                .setDemonstrations(shown.stream()
                        .map(SelfInstruct.Demonstration::instruction)
                        .toList())
                .setDemonstrationIds(
                        shown.stream().map(SelfInstruct.Demonstration::id).toList())
                .build();
        return call(chosen, chosen, condition, spec);
    }

    @Override
    public Step<PendingSample, GeneratorOutput> specMissing(String key, PendingSample entry) {
        ConditionTuple condition = SampleProgress.condition(entry);
        return fail(SampleProgress.unemitted(SampleProgress.unknownSpec(entry, specWait), entry, condition), entry);
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
        boolean round = SelfInstruct.of(spec) && condition.getSelfInstruct() == null;
        if (round && progress instanceof SampleProgress.Done done) {
            return decide(key, entry, condition, spec, done.sample());
        }
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
            return fail(SampleProgress.unemitted(failed.failure(), entry, condition), entry);
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
            return fail(SampleProgress.unemitted(SampleProgress.promptError(e), entry, condition), entry);
        } catch (IllegalArgumentException e) { // validated at ingest; the app's providers changed since
            return fail(
                    SampleProgress.unemitted(
                            SampleFailure.ends(LlmFailure.Kind.NOT_FOUND.deadLetterReason(), e.getMessage(), 0, null),
                            entry,
                            condition),
                    entry);
        }
        return updated == null ? Step.proceed(List.of(call)) : Step.proceed(updated, List.of(call));
    }

    /**
     * A Self-Instruct round's call parsed: its new instructions are decided in order against the
     * seed tasks and the dataset's pool, which the kept ones join, in this transaction. Filtered
     * ones go out as marked samples, kept ones as conditions of their own (for their input and
     * output), and the request's next round is woken.
     */
    private Step<PendingSample, GeneratorOutput> decide(
            String key, PendingSample entry, ConditionTuple condition, GenerationRequest spec, Sample round) {
        List<SelfInstruct.Candidate> candidates =
                SelfInstruct.candidates(round.getTrace().getSteps().get(0).getOutput());
        SelfInstruct.Pool pool = pools.pool(condition.getDataset());
        int before = pool.size();
        List<SelfInstructDecision> decisions = SelfInstruct.decide(
                spec,
                condition.getConditionIndex(),
                candidates == null ? List.of() : candidates, // parsed: a reply that is not a list was repaired
                seedTasks.of(spec),
                pool,
                k -> SelfInstruct.id(key, k),
                entry.getDemonstrationIds(),
                round.getTrace().getSpend());
        pools.joined(condition.getDataset(), condition.getRequestId(), condition.getConditionIndex(), before);
        Step<PendingSample, GeneratorOutput> step = Step.<PendingSample, GeneratorOutput>finish()
                .counted( // the marked samples; a kept instruction's counts when its instance is done
                        decisions.stream().filter(d -> d.getFiltered() != null).count(), "generated", "none");
        for (SelfInstructDecision decision : decisions) {
            String id = SelfInstruct.id(key, decision.getCandidate());
            if (decision.getFiltered() != null) {
                step.emit(id, new GeneratorOutput.RawSample(SelfInstruct.filteredSample(round, decision, id)));
            } else {
                step.emit(
                        id,
                        new GeneratorOutput.Condition(SelfInstruct.condition(condition, decision, clock.instant())));
            }
        }
        return dequeued(step, entry);
    }

    /** A Self-Instruct round that is over leaves its dataset's queue and wakes the round now at its head. */
    private Step<PendingSample, GeneratorOutput> dequeued(
            Step<PendingSample, GeneratorOutput> step, PendingSample entry) {
        if (entry.getQueuePosition() >= 0) {
            String next = pools.dequeue(SampleProgress.dataset(entry), entry.getQueuePosition());
            if (next != null) {
                step.wake(next);
            }
        }
        return step;
    }

    /**
     * The entry ends in synth.dlq; a Self-Instruct round that does ends undecided, and the round
     * after it in its dataset's queue may begin (with the pool as it is).
     */
    private Step<PendingSample, GeneratorOutput> fail(SampleFailure failure, PendingSample entry) {
        return dequeued(
                Step.<PendingSample, GeneratorOutput>fail(failure)
                        .counted("dead_lettered", failure.reason().code()),
                entry);
    }
}
