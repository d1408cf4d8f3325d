package io.synthstream.generator.logic;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.avro.SelfInstructDecision;
import io.synthstream.avro.Spend;
import io.synthstream.avro.StepTrace;
import io.synthstream.common.avro.SingleObject;
import io.synthstream.common.dlq.DeadLetterReason;
import io.synthstream.common.dlq.SampleFailure;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.LlmResponse;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.Spends;
import io.synthstream.generator.avro.PendingSample;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One sample's way through its steps, as pure decisions: the pending entries a condition starts,
 * the chat call an entry waits for, and what a finished call means for it ({@link #advance}): the
 * next step, one repair turn for a reply that did not parse, the finished sample, or a failure
 * for {@code synth.dlq}. The generator's call stage applies these decisions; nothing here touches
 * Kafka or the network.
 */
public final class SampleProgress {
    private SampleProgress() {}

    /** What a finished call means for its sample. */
    public sealed interface Progress permits Next, Emit, Repair, Done, Fail {}

    /** The step's reply parsed and another step follows: the entry has moved on to it. */
    public record Next(PendingSample entry) implements Progress {}

    /** A round of Evol-Instruct is finished: its sample goes out and the entry moves on to the next round. */
    public record Emit(PendingSample entry, Sample sample) implements Progress {}

    /** The reply did not parse: the entry now waits for one repair turn. */
    public record Repair(PendingSample entry) implements Progress {}

    /** The last step's reply parsed: the sample is finished. */
    public record Done(Sample sample) implements Progress {}

    /** The sample ends in {@code synth.dlq}. */
    public record Fail(SampleFailure failure) implements Progress {}

    /** The pending entries of a condition's samples, by sample id, waiting for their first step. */
    public static Map<String, PendingSample> start(ConditionTuple condition, long timestamp) {
        Map<String, PendingSample> entries = new LinkedHashMap<>();
        ByteBuffer encoded = SingleObject.encode(condition::toByteBuffer);
        SelfInstructDecision kept = condition.getSelfInstruct();
        if (kept != null) { // a kept Self-Instruct instruction: its one instance call, carrying the round's spend
            String sampleId = SelfInstruct.id(
                    Ids.sampleId(condition.getRequestId(), condition.getConditionIndex(), 0), kept.getCandidate());
            entries.put(
                    sampleId,
                    PendingSample.newBuilder()
                            .setSampleId(sampleId)
                            .setCondition(encoded)
                            .setSampleIndex(kept.getCandidate())
                            .setReceivedAt(timestamp)
                            .setRequestId(condition.getRequestId())
                            .setDataset(condition.getDataset())
                            .setSpend(kept.getRoundSpend() == null ? null : Spends.encode(kept.getRoundSpend()))
                            .build());
            return entries;
        }
        for (int s = 0; s < Math.max(1, condition.getSamples()); s++) {
            String sampleId = Ids.sampleId(condition.getRequestId(), condition.getConditionIndex(), s);
            entries.put(
                    sampleId,
                    PendingSample.newBuilder()
                            .setSampleId(sampleId)
                            .setCondition(encoded.duplicate())
                            .setSampleIndex(s)
                            .setReceivedAt(timestamp)
                            .setRequestId(condition.getRequestId())
                            .setDataset(condition.getDataset())
                            .build());
        }
        return entries;
    }

    /** The entry's condition. */
    public static ConditionTuple condition(PendingSample entry) {
        return SingleObject.decode(ConditionTuple::fromByteBuffer, entry.getCondition());
    }

    /** The entry's request id (read from its condition in entries that predate the field). */
    public static String requestId(PendingSample entry) {
        return entry.getRequestId().isEmpty() ? condition(entry).getRequestId() : entry.getRequestId();
    }

    /** The entry's dataset (read from its condition in entries that predate the field). */
    public static String dataset(PendingSample entry) {
        return entry.getDataset().isEmpty() ? condition(entry).getDataset() : entry.getDataset();
    }

    /** The name of the call the entry waits for: {@code step-<i>}, or {@code step-<i>-repair}. */
    /**
     * Where the entry's calls are in their request, the same when the request is run again under
     * another id: its condition's index and its sample's (the response cache's place).
     */
    public static String place(PendingSample entry, ConditionTuple condition) {
        return "c" + condition.getConditionIndex() + ".s" + entry.getSampleIndex();
    }

    public static String callName(PendingSample entry) {
        return "step-" + entry.getStepIndex() + (entry.getRepairReply() == null ? "" : "-repair");
    }

    /**
     * The chat call the entry waits for: its current step's prompt, or that prompt with the reply
     * that did not parse and a request to repair it.
     *
     * @throws Templates.TemplateException when the step's templates cannot be rendered
     */
    public static LlmRequest request(
            PendingSample entry,
            ConditionTuple condition,
            GenerationRequest spec,
            List<StepPlan> plan,
            LlmRequest.ResponseFormat structuredOutput) {
        List<StepTrace> done = decodeTraces(entry.getSteps());
        Map<String, Map<String, String>> earlier = outputs(done);
        if (Evolutions.of(spec)) {
            earlier.put(
                    Evolutions.VARIABLE,
                    Evolutions.variables(spec, entry.getSampleId(), plan.get(entry.getStepIndex()), done));
        } else if (SelfInstruct.of(spec) && condition.getSelfInstruct() != null) {
            earlier.put(SelfInstruct.VARIABLE, SelfInstruct.variables(condition.getSelfInstruct()));
        }
        LlmRequest request = PromptBuilder.build(
                spec, condition, plan, entry.getStepIndex(), earlier, structuredOutput, entry.getSampleId());
        if (Conversations.of(spec)) {
            request = Conversations.request(request, plan.get(entry.getStepIndex()), earlier);
        } else if (Preferences.of(spec)) {
            request = Preferences.request(request, plan.get(entry.getStepIndex()));
        } else if (SelfInstruct.of(spec) && condition.getSelfInstruct() == null) {
            request = SelfInstruct.request(spec, request, entry.getDemonstrations());
        }
        if (entry.getRepairReply() != null) {
            request = PromptBuilder.repair(request, entry.getRepairReply(), entry.getRepairError());
        }
        return request;
    }

    /**
     * {@code failure} accounting for every sample the entry has not emitted: 1, or for an
     * Evol-Instruct chain the rounds it will never finish (the ledger planned {@code outputs} per
     * entry).
     */
    public static SampleFailure unemitted(SampleFailure failure, PendingSample entry, ConditionTuple condition) {
        return failure.samples() == 0
                ? failure
                : failure.withSamples(Evolutions.remaining(condition, entry.getEmitted()));
    }

    /** The sample whose condition's spec never reached the generator's global table. */
    public static SampleFailure unknownSpec(PendingSample entry, Duration waited) {
        return SampleFailure.ends(
                DeadLetterReason.UNKNOWN_SPEC,
                "No spec for request " + requestId(entry) + " in synth.specs after " + waited.toMillis() + " ms",
                0,
                null);
    }

    /** A step whose templates cannot be rendered for the entry's condition. */
    public static SampleFailure promptError(Templates.TemplateException error) {
        return SampleFailure.ends(
                DeadLetterReason.PROMPT_ERROR, "Cannot render the prompt: " + error.getMessage(), 0, null);
    }

    /**
     * What the finished call means for the entry.
     *
     * @param spec the request's spec; may be null only when the call failed
     * @param plan the spec's steps
     * @param now the finished sample's creation time
     */
    public static Progress advance(
            PendingSample entry,
            ConditionTuple condition,
            GenerationRequest spec,
            List<StepPlan> plan,
            LlmRuntime.Completion completion,
            SampleTraces.Provenance provenance,
            Instant now) {
        int attempts = entry.getAttempts() + completion.attempts();
        Spend spent = Spends.plus(Spends.decode(entry.getSpend()), completion.spend());
        if (!completion.succeeded()) {
            return new Fail(SampleFailure.ends(
                            completion.failure().kind().deadLetterReason(),
                            completion.failure().getMessage(),
                            attempts,
                            null)
                    .withSpend(spent));
        }
        LlmResponse response = completion.response();
        StepPlan step = plan.get(entry.getStepIndex());
        Map<String, String> output;
        try {
            output = OutputParser.parse(response.content(), step.outputFields());
            String problem = Preferences.of(spec)
                    ? Preferences.problem(step, output)
                    : SelfInstruct.of(spec) && !SelfInstruct.instance(step) ? SelfInstruct.problem(output) : null;
            if (problem != null) {
                throw new OutputParser.UnparseableOutputException(problem);
            }
        } catch (OutputParser.UnparseableOutputException e) {
            if (response.truncated()) {
                return new Fail(SampleFailure.ends(
                                DeadLetterReason.OUTPUT_TRUNCATED,
                                "The reply hit max_tokens (finish_reason=length) and is incomplete: " + e.getMessage()
                                        + "; raise model.max_tokens",
                                attempts,
                                response.content())
                        .withSpend(spent));
            }
            if (entry.getRepairReply() != null) {
                return new Fail(SampleFailure.ends(
                                DeadLetterReason.UNPARSEABLE_OUTPUT,
                                "The reply did not parse, also after one repair turn: " + e.getMessage(),
                                attempts,
                                response.content())
                        .withSpend(spent));
            }
            return new Repair(PendingSample.newBuilder(entry)
                    .setRepairReply(response.content())
                    .setRepairError(e.getMessage())
                    .setAttempts(attempts)
                    .setSpend(Spends.encode(spent))
                    .build());
        }
        // the step's tokens: its reply's and, after a repair turn, the reply that did not parse
        List<StepTrace> earlier = decodeTraces(entry.getSteps());
        long earlierPrompt = 0;
        long earlierCompletion = 0;
        for (StepTrace t : earlier) {
            earlierPrompt += t.getPromptTokens();
            earlierCompletion += t.getCompletionTokens();
        }
        StepTrace trace = StepTrace.newBuilder()
                .setName(step.name())
                .setModel(response.model().isEmpty() ? provenance.modelOf(spec) : response.model())
                .setOutput(output)
                .setPromptTokens(Math.max(response.promptTokens(), spent.getPromptTokens() - earlierPrompt))
                .setCompletionTokens(
                        Math.max(response.completionTokens(), spent.getCompletionTokens() - earlierCompletion))
                .setLatencyMs(response.latencyMs())
                .setAttempts(completion.attempts() + (entry.getRepairReply() == null ? 0 : 1))
                .build();
        List<ByteBuffer> traces = new ArrayList<>(entry.getSteps());
        traces.add(SingleObject.encode(trace::toByteBuffer));
        if (Evolutions.of(spec) && Evolutions.closesRound(step)) {
            List<StepTrace> all = decodeTraces(traces);
            Sample sample = Evolutions.roundSample(
                    spec,
                    entry.getSampleId(),
                    step,
                    all,
                    SampleTraces.sample(
                            spec, condition, entry, plan, Evolutions.roundTraces(step, all), spent, provenance, now));
            if (entry.getStepIndex() + 1 >= plan.size()) {
                return new Done(sample);
            }
            return new Emit(
                    PendingSample.newBuilder(entry)
                            .setSteps(traces)
                            .setStepIndex(entry.getStepIndex() + 1)
                            .setRepairReply(null)
                            .setRepairError(null)
                            .setAttempts(0)
                            .setSpend(null) // what came before is on the emitted sample
                            .setEmitted(entry.getEmitted() + 1)
                            .build(),
                    sample);
        }
        // a Self-Instruct entry is one call: a round's, or a kept instruction's instance
        boolean ends = SelfInstruct.of(spec)
                || (Conversations.of(spec) && Conversations.ends(spec, step, entry.getStepIndex(), output));
        if (entry.getStepIndex() + 1 < plan.size() && !ends) {
            return new Next(PendingSample.newBuilder(entry)
                    .setSteps(traces)
                    .setStepIndex(entry.getStepIndex() + 1)
                    .setRepairReply(null)
                    .setRepairError(null)
                    .setAttempts(attempts)
                    .setSpend(Spends.encode(spent))
                    .build());
        }
        return new Done(
                SampleTraces.sample(spec, condition, entry, plan, decodeTraces(traces), spent, provenance, now));
    }

    /** The finished steps' outputs by step name, in order. */
    private static Map<String, Map<String, String>> outputs(List<StepTrace> done) {
        Map<String, Map<String, String>> earlier = new LinkedHashMap<>();
        for (StepTrace t : done) {
            earlier.put(t.getName(), t.getOutput());
        }
        return earlier;
    }

    private static List<StepTrace> decodeTraces(List<ByteBuffer> bytes) {
        List<StepTrace> traces = new ArrayList<>(bytes.size());
        for (ByteBuffer b : bytes) {
            traces.add(SingleObject.decode(StepTrace::fromByteBuffer, b));
        }
        return traces;
    }
}
