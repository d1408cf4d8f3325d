package io.synthstream.generator.logic;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.Example;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.GenerationTrace;
import io.synthstream.avro.Sample;
import io.synthstream.avro.Spend;
import io.synthstream.avro.StepTrace;
import io.synthstream.common.task.DefaultTemplates;
import io.synthstream.generator.avro.PendingSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A finished sample with its provenance: the fields of every step (a later step's field wins, the
 * chain-of-thought rationale goes to the trace unless declared), and a {@link GenerationTrace}
 * with the provider, model, template version, parameters, tokens, latency and each step.
 */
public final class SampleTraces {
    private SampleTraces() {}

    /**
     * Who answers the generator's calls, as recorded on every sample.
     *
     * @param provider the provider's name ({@code openai}, {@code simulated}, or a named provider's name)
     * @param simulated whether it is the built-in simulator
     * @param defaultModel the model used when a request names none
     */
    public record Provenance(String provider, boolean simulated, String defaultModel) {
        public static Provenance of(io.synthstream.common.llm.LlmProvider provider) {
            return new Provenance(provider.name(), provider.simulated(), provider.defaultModel());
        }

        /** The model a request asks for, else the provider's default. */
        public String modelOf(GenerationRequest spec) {
            return spec.getModel().getModel() == null
                    ? defaultModel
                    : spec.getModel().getModel();
        }
    }

    /**
     * The finished sample of {@code entry}, whose steps' traces are {@code traces}.
     *
     * @param spend what every reply of the sample cost, including those that needed a repair turn
     */
    public static Sample sample(
            GenerationRequest spec,
            ConditionTuple condition,
            PendingSample entry,
            List<StepPlan> plan,
            List<StepTrace> traces,
            Spend spend,
            Provenance provenance,
            Instant now) {
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
        if (Conversations.of(spec)) {
            fields.clear(); // a conversation is its messages, not its turns' fields
            fields.putAll(Conversations.fields(spec, condition, traces));
        } else if (Preferences.of(spec)) {
            fields.clear(); // a preference sample is its pair, not its steps' fields
            fields.putAll(Preferences.fields(spec, traces));
        } else if (condition.getSelfInstruct() != null) { // a kept Self-Instruct instruction's instance
            Map<String, String> instance = new LinkedHashMap<>(fields);
            fields.clear();
            fields.put("instruction", condition.getSelfInstruct().getInstruction());
            fields.put("input", instance.getOrDefault("input", ""));
            fields.put("output", instance.getOrDefault("output", ""));
        }
        Seeds.keep(spec, condition.getSeed(), fields);
        GenerationTrace trace = GenerationTrace.newBuilder()
                .setProvider(provenance.provider())
                .setModel(traces.get(traces.size() - 1).getModel())
                .setSimulated(provenance.simulated())
                .setTemplateVersion(
                        spec.getTask().getTemplateVersion() == null
                                ? DefaultTemplates.VERSION
                                : spec.getTask().getTemplateVersion())
                .setParameters(parameters(
                        spec,
                        entry.getAttempts() + traces.get(traces.size() - 1).getAttempts()))
                .setPromptTokens(promptTokens)
                .setCompletionTokens(completionTokens)
                .setSpend(spend)
                .setLatencyMs(latency)
                .setRationale(rationale)
                .setDemonstrationIds(demonstrationIds(condition))
                .setSteeringVersion(condition.getSteeringVersion())
                .setSteps(traces)
                .setSelfInstruct(condition.getSelfInstruct())
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
                .setSeed(condition.getSeed())
                .setTrace(trace)
                .setCreatedAt(now)
                .build();
    }

    private static Map<String, String> parameters(GenerationRequest spec, int attempts) {
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
        parameters.put("attempts", Integer.toString(attempts));
        return parameters;
    }

    private static List<String> demonstrationIds(ConditionTuple condition) {
        if (condition.getSelfInstruct() != null) { // the round's, which showed the instruction's model
            return condition.getSelfInstruct().getDemonstrationIds();
        }
        List<String> ids = new ArrayList<>();
        List<Example> demos = condition.getDemonstrations();
        for (int i = 0; i < demos.size(); i++) {
            ids.add(demos.get(i).getId() == null ? "demo-" + i : demos.get(i).getId());
        }
        return ids;
    }
}
