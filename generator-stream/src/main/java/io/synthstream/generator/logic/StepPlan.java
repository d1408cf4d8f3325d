package io.synthstream.generator.logic;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.ModelParams;
import io.synthstream.avro.OutputField;
import io.synthstream.avro.Step;
import io.synthstream.common.task.DefaultTemplates;
import io.synthstream.common.task.TaskKinds;
import java.util.ArrayList;
import java.util.List;

/**
 * One LLM call of a sample (sample-wise decomposition), with templates and output
 * fields resolved: a request without {@code steps} has the single step {@value #DEFAULT_NAME}
 * built from its task and kind.
 *
 * @param kind {@code generate} or {@code evolve} (rewrite an earlier output to be deeper or broader);
 *     in a conversation ({@link Conversations}) {@code user} or {@code assistant}; in a preference
 *     pair ({@link Preferences}) {@code generate}, {@code candidate}, {@code rating} or {@code compare}
 * @param model the step's model settings, or null for the request's
 */
public record StepPlan(
        String name,
        String kind,
        String systemTemplate,
        String instructionTemplate,
        List<OutputField> outputFields,
        ModelParams model) {
    public static final String DEFAULT_NAME = "generate";

    /** The steps of a request, in order. */
    public static List<StepPlan> of(GenerationRequest request) {
        if (Conversations.of(request)) {
            return Conversations.steps(request);
        }
        if (Preferences.of(request)) {
            return Preferences.steps(request);
        }
        if (SelfInstruct.of(request)) {
            return SelfInstruct.steps(request);
        }
        if (Evolutions.of(request) && request.getSteps().isEmpty()) {
            return Evolutions.steps(request, single(request));
        }
        String kind = request.getTask().getKind();
        String system = orElse(request.getTask().getSystemTemplate(), DefaultTemplates.system(kind));
        if (request.getSteps().isEmpty()) {
            return List.of(new StepPlan(
                    DEFAULT_NAME,
                    "generate",
                    system,
                    orElse(request.getTask().getInstructionTemplate(), DefaultTemplates.instruction(kind)),
                    TaskKinds.outputFields(request),
                    null));
        }
        List<StepPlan> steps = new ArrayList<>();
        List<Step> declared = request.getSteps();
        for (int i = 0; i < declared.size(); i++) {
            Step step = declared.get(i);
            boolean last = i == declared.size() - 1;
            List<OutputField> fields =
                    step.getOutputFields().isEmpty() && last ? TaskKinds.outputFields(request) : step.getOutputFields();
            String stepSystem = step.getSystemTemplate() != null
                    ? step.getSystemTemplate()
                    : "evolve".equals(step.getKind()) ? DefaultTemplates.EVOLVE_SYSTEM : system;
            steps.add(new StepPlan(
                    step.getName(),
                    step.getKind(),
                    stepSystem,
                    step.getInstructionTemplate(),
                    fields,
                    step.getModel()));
        }
        return steps;
    }

    private static StepPlan single(GenerationRequest request) {
        String kind = request.getTask().getKind();
        return new StepPlan(
                DEFAULT_NAME,
                "generate",
                orElse(request.getTask().getSystemTemplate(), DefaultTemplates.system(kind)),
                orElse(request.getTask().getInstructionTemplate(), DefaultTemplates.instruction(kind)),
                TaskKinds.outputFields(request),
                null);
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
