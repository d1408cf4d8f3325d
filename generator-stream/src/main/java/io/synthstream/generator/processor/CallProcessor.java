package io.synthstream.generator.processor;

import io.micrometer.core.instrument.MeterRegistry;
import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Example;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.GenerationTrace;
import io.synthstream.avro.Sample;
import io.synthstream.avro.StepTrace;
import io.synthstream.common.dlq.DeadLetters;
import io.synthstream.common.llm.LlmProvider;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.LlmResponse;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.metrics.SynthMeters;
import io.synthstream.generator.avro.PendingSample;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.logic.DefaultTemplates;
import io.synthstream.generator.logic.Ids;
import io.synthstream.generator.logic.OutputParser;
import io.synthstream.generator.logic.PromptBuilder;
import io.synthstream.generator.logic.StepPlan;
import io.synthstream.generator.logic.Templates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Calls the LLM for each sample without blocking the stream thread (DESIGN §4.5).
 *
 * <p>{@code process()} writes a {@link PendingSample} to the changelogged {@link
 * GeneratorStores#PENDING} store and submits its call to the instance's {@link LlmRuntime}. A
 * wall-clock punctuator takes finished calls on the stream thread and, in the same transaction,
 * either submits the sample's next step (or one repair turn for a reply that did not parse) and
 * updates the entry, or forwards the finished {@link Sample} (or its dead letter) and deletes the
 * entry. After a restart or rebalance the first punctuation re-issues every entry of the task:
 * work in flight is never lost and, since results are only forwarded together with the deletion,
 * never doubled. HTTP threads never touch the context or a store; commits never wait for calls.
 *
 * <p>Back-pressure: while the runtime is saturated, {@code process()} drains and handles finished
 * calls for up to {@code generator.backpressure.max.wait.ms} before it takes the record.
 */
public final class CallProcessor implements Processor<String, ConditionTuple, String, Emit> {
    public static final String STAGE = "generate";
    public static final String UNKNOWN_SPEC = "unknown_spec";
    public static final String UNPARSEABLE_OUTPUT = "unparseable_output";
    public static final String OUTPUT_TRUNCATED = "output_truncated";
    public static final String PROMPT_ERROR = "prompt_error";

    private static final int MAX_DRAIN = 5_000;
    private static final long PARK_CHECK_MS = 500;

    private final GeneratorConfig config;
    private final LlmRuntime runtime;
    private final String app;
    private final Map<String, List<StepPlan>> steps = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<StepPlan>> eldest) {
            return size() > 256;
        }
    };
    private final Set<String> parked = new HashSet<>();
    private ProcessorContext<String, Emit> context;
    private KeyValueStore<String, PendingSample> pending;
    private TimestampedKeyValueStore<String, GenerationRequest> specs;
    private LlmRuntime.Client client;
    private MeterRegistry meters;
    private boolean reissued;
    private long lastParkCheck;

    public CallProcessor(GeneratorConfig config, LlmRuntime runtime) {
        this.config = config;
        this.runtime = runtime;
        this.app = config.synth().applicationId();
    }

    @Override
    public void init(ProcessorContext<String, Emit> context) {
        this.context = context;
        this.pending = context.getStateStore(GeneratorStores.PENDING);
        this.specs = context.getStateStore(GeneratorStores.SPECS);
        this.client = runtime.client(app + "/" + context.taskId());
        this.meters = SynthMeters.fromAppConfigs(context.appConfigs()).orElse(null);
        if (meters != null) {
            runtime.bindMetrics(meters, app);
        }
        context.schedule(config.drainInterval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<String, ConditionTuple> record) {
        runtime.awaitCapacity(config.backpressureMaxWait(), this::handleFinished);
        ConditionTuple condition = record.value();
        for (int s = 0; s < Math.max(1, condition.getSamples()); s++) {
            String sampleId = Ids.sampleId(condition.getRequestId(), condition.getConditionIndex(), s);
            if (pending.get(sampleId) != null) {
                continue; // redelivered condition: its call is already pending
            }
            PendingSample entry = PendingSample.newBuilder()
                    .setSampleId(sampleId)
                    .setCondition(Encoded.of(condition::toByteBuffer))
                    .setSampleIndex(s)
                    .setReceivedAt(System.currentTimeMillis())
                    .build();
            pending.put(sampleId, entry);
            submit(entry, condition);
        }
    }

    private void punctuate(long now) {
        if (!reissued) {
            reissued = true;
            try (KeyValueIterator<String, PendingSample> all = pending.all()) {
                while (all.hasNext()) {
                    PendingSample entry = all.next().value;
                    submit(entry, condition(entry));
                }
            }
        }
        handleFinished();
        if (!parked.isEmpty() && now - lastParkCheck >= PARK_CHECK_MS) {
            lastParkCheck = now;
            for (String sampleId : List.copyOf(parked)) {
                PendingSample entry = pending.get(sampleId);
                parked.remove(sampleId);
                if (entry != null) {
                    submit(entry, condition(entry));
                }
            }
        }
    }

    private int handleFinished() {
        List<LlmRuntime.Completion> done = client.drain(MAX_DRAIN);
        for (LlmRuntime.Completion completion : done) {
            handle(completion);
        }
        return done.size();
    }

    /** Submits the entry's current call, or parks it while its spec is unknown. */
    private void submit(PendingSample entry, ConditionTuple condition) {
        ValueAndTimestamp<GenerationRequest> spec = specs.get(condition.getRequestId());
        if (spec == null) {
            if (System.currentTimeMillis() - entry.getReceivedAt()
                    >= config.specWait().toMillis()) {
                fail(
                        entry,
                        condition,
                        null,
                        UNKNOWN_SPEC,
                        "No spec for request " + condition.getRequestId() + " in synth.specs after "
                                + config.specWait().toMillis() + " ms",
                        0,
                        null);
            } else {
                parked.add(entry.getSampleId());
            }
            return;
        }
        LlmRequest request;
        try {
            request = request(spec.value(), condition, entry);
        } catch (Templates.TemplateException e) {
            fail(entry, condition, spec.value(), PROMPT_ERROR, "Cannot render the prompt: " + e.getMessage(), 0, null);
            return;
        }
        client.submit(callId(entry), request);
    }

    private LlmRequest request(GenerationRequest spec, ConditionTuple condition, PendingSample entry) {
        List<StepPlan> plan = steps.computeIfAbsent(spec.getRequestId(), id -> StepPlan.of(spec));
        LlmRequest request = PromptBuilder.build(
                spec,
                condition,
                plan,
                entry.getStepIndex(),
                earlierOutputs(entry),
                runtime.provider().structuredOutput(),
                entry.getSampleId());
        if (entry.getRepairReply() != null) {
            request = PromptBuilder.repair(request, entry.getRepairReply(), entry.getRepairError());
        }
        return request;
    }

    private static String callId(PendingSample entry) {
        return entry.getSampleId() + "/" + entry.getStepIndex() + (entry.getRepairReply() == null ? "" : "/repair");
    }

    private void handle(LlmRuntime.Completion completion) {
        String sampleId = completion.callId().substring(0, completion.callId().indexOf('/'));
        PendingSample entry = pending.get(sampleId);
        if (entry == null || !callId(entry).equals(completion.callId())) {
            return; // stale: the entry moved on or finished (e.g. re-issued after a rebalance)
        }
        ConditionTuple condition = condition(entry);
        ValueAndTimestamp<GenerationRequest> specValue = specs.get(condition.getRequestId());
        GenerationRequest spec = specValue == null ? null : specValue.value();
        int attempts = entry.getAttempts() + completion.attempts();
        if (!completion.succeeded()) {
            fail(
                    entry,
                    condition,
                    spec,
                    completion.failure().kind().reason(),
                    completion.failure().getMessage(),
                    attempts,
                    null);
            return;
        }
        if (spec == null) {
            // The spec was deleted from synth.specs while the call ran: wait for it like a new entry.
            parked.add(sampleId);
            return;
        }
        LlmResponse response = completion.response();
        List<StepPlan> plan = steps.computeIfAbsent(spec.getRequestId(), id -> StepPlan.of(spec));
        StepPlan step = plan.get(entry.getStepIndex());
        Map<String, String> output;
        try {
            output = OutputParser.parse(response.content(), step.outputFields());
        } catch (OutputParser.UnparseableOutputException e) {
            if (response.truncated()) {
                fail(
                        entry,
                        condition,
                        spec,
                        OUTPUT_TRUNCATED,
                        "The reply hit max_tokens (finish_reason=length) and is incomplete: " + e.getMessage()
                                + "; raise model.max_tokens",
                        attempts,
                        response.content());
            } else if (entry.getRepairReply() == null) {
                entry.setRepairReply(response.content());
                entry.setRepairError(e.getMessage());
                entry.setAttempts(attempts);
                pending.put(sampleId, entry);
                submit(entry, condition);
            } else {
                fail(
                        entry,
                        condition,
                        spec,
                        UNPARSEABLE_OUTPUT,
                        "The reply did not parse, also after one repair turn: " + e.getMessage(),
                        attempts,
                        response.content());
            }
            return;
        }
        StepTrace trace = StepTrace.newBuilder()
                .setName(step.name())
                .setModel(response.model().isEmpty() ? modelOf(spec) : response.model())
                .setOutput(output)
                .setPromptTokens(response.promptTokens())
                .setCompletionTokens(response.completionTokens())
                .setLatencyMs(response.latencyMs())
                .setAttempts(completion.attempts() + (entry.getRepairReply() == null ? 0 : 1))
                .build();
        List<ByteBuffer> traces = new ArrayList<>(entry.getSteps());
        traces.add(Encoded.of(trace::toByteBuffer));
        if (entry.getStepIndex() + 1 < plan.size()) {
            entry.setSteps(traces);
            entry.setStepIndex(entry.getStepIndex() + 1);
            entry.setRepairReply(null);
            entry.setRepairError(null);
            entry.setAttempts(attempts);
            pending.put(sampleId, entry);
            submit(entry, condition);
            return;
        }
        Sample sample = sample(spec, condition, entry, plan, decodeTraces(traces));
        pending.delete(sampleId);
        context.forward(new Record<>(sampleId, Emit.sample(sample), System.currentTimeMillis()));
        if (meters != null) {
            SynthMeters.generatorSamples(meters, app, "generated", "none").increment();
        }
    }

    private Sample sample(
            GenerationRequest spec,
            ConditionTuple condition,
            PendingSample entry,
            List<StepPlan> plan,
            List<StepTrace> traces) {
        Map<String, String> fields = new LinkedHashMap<>();
        Set<String> declared = new HashSet<>();
        plan.forEach(p -> p.outputFields().forEach(f -> declared.add(f.getName())));
        String rationale = null;
        long promptTokens = 0;
        long completionTokens = 0;
        long latency = 0;
        for (StepTrace t : traces) {
            t.getOutput().forEach((k, v) -> {
                if (!PromptBuilder.RATIONALE.equals(k) || declared.contains(k)) {
                    fields.put(k, v);
                }
            });
            if (t.getOutput().containsKey(PromptBuilder.RATIONALE)) {
                rationale = t.getOutput().get(PromptBuilder.RATIONALE);
            }
            promptTokens += t.getPromptTokens();
            completionTokens += t.getCompletionTokens();
            latency += t.getLatencyMs();
        }
        LlmProvider provider = runtime.provider();
        Map<String, String> parameters = new LinkedHashMap<>();
        if (spec.getModel().getTemperature() != null) {
            parameters.put("temperature", spec.getModel().getTemperature().toString());
        }
        if (spec.getModel().getTopP() != null) {
            parameters.put("top_p", spec.getModel().getTopP().toString());
        }
        if (spec.getModel().getMaxTokens() != null) {
            parameters.put("max_tokens", spec.getModel().getMaxTokens().toString());
        }
        parameters.put("chain_of_thought", Boolean.toString(spec.getChainOfThought()));
        parameters.put(
                "attempts",
                Integer.toString(
                        entry.getAttempts() + traces.get(traces.size() - 1).getAttempts()));
        List<String> demonstrationIds = new ArrayList<>();
        List<Example> demos = condition.getDemonstrations();
        for (int i = 0; i < demos.size(); i++) {
            demonstrationIds.add(
                    demos.get(i).getId() == null ? "demo-" + i : demos.get(i).getId());
        }
        GenerationTrace trace = GenerationTrace.newBuilder()
                .setProvider(provider.name())
                .setModel(traces.get(traces.size() - 1).getModel())
                .setSimulated(provider.simulated())
                .setTemplateVersion(
                        spec.getTask().getTemplateVersion() == null
                                ? DefaultTemplates.VERSION
                                : spec.getTask().getTemplateVersion())
                .setParameters(parameters)
                .setPromptTokens(promptTokens)
                .setCompletionTokens(completionTokens)
                .setLatencyMs(latency)
                .setRationale(rationale)
                .setDemonstrationIds(demonstrationIds)
                .setSteps(traces)
                .build();
        return Sample.newBuilder()
                .setSampleId(entry.getSampleId())
                .setRequestId(condition.getRequestId())
                .setDataset(condition.getDataset())
                .setConditionId(condition.getConditionId())
                .setConditionIndex(condition.getConditionIndex())
                .setSampleIndex(entry.getSampleIndex())
                .setTaskKind(spec.getTask().getKind())
                .setAttributes(condition.getAttributes())
                .setFields(fields)
                .setTrace(trace)
                .setCreatedAt(Instant.now())
                .build();
    }

    private String modelOf(GenerationRequest spec) {
        return spec.getModel().getModel() == null
                ? runtime.provider().defaultModel()
                : spec.getModel().getModel();
    }

    private void fail(
            PendingSample entry,
            ConditionTuple condition,
            GenerationRequest spec,
            String reason,
            String message,
            int attempts,
            String rawReply) {
        DeadLetter letter = DeadLetters.forSample(
                app,
                STAGE,
                reason,
                message,
                entry.getSampleId(),
                condition.getRequestId(),
                condition.getDataset(),
                1,
                attempts,
                rawReply);
        pending.delete(entry.getSampleId());
        parked.remove(entry.getSampleId());
        context.forward(new Record<>(entry.getSampleId(), Emit.deadLetter(letter), System.currentTimeMillis()));
        if (meters != null) {
            SynthMeters.generatorSamples(meters, app, "dead_lettered", reason).increment();
            SynthMeters.deadLetters(meters, app, STAGE, reason).increment();
        }
    }

    private static Map<String, Map<String, String>> earlierOutputs(PendingSample entry) {
        Map<String, Map<String, String>> earlier = new LinkedHashMap<>();
        for (StepTrace t : decodeTraces(entry.getSteps())) {
            earlier.put(t.getName(), t.getOutput());
        }
        return earlier;
    }

    private static List<StepTrace> decodeTraces(List<ByteBuffer> bytes) {
        List<StepTrace> traces = new ArrayList<>();
        for (ByteBuffer b : bytes) {
            try {
                traces.add(StepTrace.fromByteBuffer(b.duplicate()));
            } catch (IOException e) {
                throw new UncheckedIOException("Corrupt pending entry", e);
            }
        }
        return traces;
    }

    private static ConditionTuple condition(PendingSample entry) {
        try {
            return ConditionTuple.fromByteBuffer(entry.getCondition().duplicate());
        } catch (IOException e) {
            throw new UncheckedIOException("Corrupt pending entry", e);
        }
    }

    @Override
    public void close() {
        if (client != null) {
            client.cancelAll();
        }
    }
}
