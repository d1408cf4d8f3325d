package io.synthstream.generator.logic;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.Evolution;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Lineage;
import io.synthstream.avro.Sample;
import io.synthstream.avro.StepTrace;
import io.synthstream.common.task.DefaultTemplates;
import io.synthstream.common.task.TaskKinds;
import io.synthstream.common.text.RougeL;
import io.synthstream.common.text.TextNormalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * Multi-round Evol-Instruct (Xu et al., 2023, WizardLM): an instruction is generated (round 0),
 * then evolved for {@code rounds} rounds. Each round samples an operator, rewrites the chain's
 * last surviving instruction with it and answers the rewrite; the eliminator then decides whether
 * the evolution failed. Every round's result is a sample of its own with its {@link Lineage}: a
 * survivor becomes the parent of the next round, a failed evolution is emitted marked {@code
 * eliminated} (the curator rejects it as {@code EVOLUTION_FAILED}) and the next round evolves its
 * parent again, as in the paper.
 *
 * <p>The chain is the step plan {@code generate, evolve_1, answer_1, ..., evolve_N, answer_N} of
 * one pending entry, so it is held and resumed like any multi-step sample. Which instruction a
 * round evolves is recomputed from the finished steps' outputs (the eliminator is a pure function
 * of them), and the operator is drawn from the sample id and round, so a restart takes the same
 * decisions.
 */
public final class Evolutions {
    public static final int MAX_ROUNDS = io.synthstream.common.task.Recipes.MAX_EVOLUTION_ROUNDS;
    static final String GENERATE = "generate";
    static final String EVOLVE = "evolve";
    static final String ANSWER = "answer";
    /** The template variable of a round's steps: {@code method}, {@code operator}, {@code instruction}, {@code input}. */
    static final String VARIABLE = "evolution";

    /** The operators and what each asks of the rewrite (in-depth, then in-breadth). */
    public static final Map<String, String> OPERATORS = operators();

    /** Words of the evolving prompt that must not appear in its output. */
    private static final Pattern COPIED =
            Pattern.compile("(given|rewritten|created|original) (prompt|instruction)|#\\s*(given|rewritten)");

    private static final Pattern REFUSAL =
            Pattern.compile("\\b(sorry|as an ai|i cannot|i can't|i can not|i am unable|i'm unable)\\b");

    private Evolutions() {}

    private static Map<String, String> operators() {
        Map<String, String> ops = new LinkedHashMap<>();
        ops.put("add_constraints", "Add one more constraint or requirement the answer must meet.");
        ops.put("deepen", "Where it asks about something, ask about it in more depth and breadth.");
        ops.put("concretize", "Replace general concepts with more specific ones.");
        ops.put(
                "increase_reasoning",
                "If it can be answered in a few simple steps, make it explicitly require several steps of"
                        + " reasoning.");
        ops.put(
                "complicate_input",
                "Give it a realistic input to work on (data, code, a table or a passage), or make its input"
                        + " more complex.");
        ops.put(
                "breadth",
                "Instead of rewriting it, write a brand-new instruction in the same domain on a rarer, more"
                        + " specialised topic, of similar length and difficulty.");
        return java.util.Collections.unmodifiableMap(ops);
    }

    /** Whether the request evolves its instructions for rounds. */
    public static boolean of(GenerationRequest spec) {
        return spec.getEvolution() != null;
    }

    /** Samples each planned instruction ends as: 1, or 1 + rounds. */
    public static int outputs(GenerationRequest spec) {
        return io.synthstream.common.task.Recipes.outputs(spec);
    }

    /** The operators a request samples from. */
    public static List<String> operators(GenerationRequest spec) {
        List<String> declared = spec.getEvolution().getOperators();
        return declared.isEmpty() ? List.copyOf(OPERATORS.keySet()) : declared;
    }

    /** The operator of round {@code round} (from 1) of the chain rooted at {@code sampleId}. */
    public static String operator(GenerationRequest spec, String sampleId, int round) {
        List<String> ops = operators(spec);
        return ops.get(new SplittableRandom(sampleId.hashCode() * 1_000_003L + round).nextInt(ops.size()));
    }

    /** The step plan: the task's own step, then an evolve and an answer step per round. */
    static List<StepPlan> steps(GenerationRequest spec, StepPlan generate) {
        Evolution e = spec.getEvolution();
        List<StepPlan> steps = new ArrayList<>();
        steps.add(new StepPlan(
                GENERATE,
                generate.kind(),
                generate.systemTemplate(),
                generate.instructionTemplate(),
                generate.outputFields(),
                generate.model()));
        for (int r = 1; r <= outputs(spec) - 1; r++) {
            steps.add(new StepPlan(
                    EVOLVE + "_" + r,
                    "evolve",
                    DefaultTemplates.EVOLVE_SYSTEM,
                    "{{ evolution.method }}\n\nKeep it self-contained and answerable, and add no more than 10 to"
                            + " 20 words; reply with the new instruction only, never with words like \"given"
                            + " instruction\".\n\nInstruction: {{ evolution.instruction }}\n"
                            + "{% if evolution.input %}Input: {{ evolution.input }}\n{% endif %}",
                    List.of(
                            TaskKinds.field("instruction", "string", true, "The evolved instruction."),
                            TaskKinds.field(
                                    "input", "string", false, "Its input, if it has one (else an empty string).")),
                    e.getEvolveModel()));
            steps.add(new StepPlan(
                    ANSWER + "_" + r,
                    "generate",
                    generate.systemTemplate(),
                    "Instruction: {{ evolution.instruction }}\n"
                            + "{% if evolution.input %}Input: {{ evolution.input }}\n{% endif %}\n"
                            + "Write a complete, correct output for this instruction.",
                    List.of(TaskKinds.field("output", "string", true, "The response that fulfils the instruction.")),
                    null));
        }
        return steps;
    }

    /** The round of a step (0 for {@code generate}). */
    static int round(StepPlan step) {
        int underscore = step.name().lastIndexOf('_');
        return underscore < 0 ? 0 : Integer.parseInt(step.name().substring(underscore + 1));
    }

    /**
     * The variables of a round's step: for {@code evolve_r}, the operator's method and the
     * parent's instruction and input; for {@code answer_r}, the evolved instruction and input.
     */
    static Map<String, String> variables(GenerationRequest spec, String rootId, StepPlan step, List<StepTrace> done) {
        Map<String, String> vars = new LinkedHashMap<>();
        int round = round(step);
        if (round == 0) {
            return vars;
        }
        if (step.name().startsWith(EVOLVE)) {
            Chain chain = chain(spec, rootId, done);
            String operator = operator(spec, rootId, round);
            vars.put("operator", operator);
            vars.put("method", OPERATORS.getOrDefault(operator, operator));
            vars.put("instruction", chain.parent().getOrDefault("instruction", ""));
            vars.put("input", chain.parent().getOrDefault("input", ""));
        } else {
            Map<String, String> evolved = output(done, EVOLVE + "_" + round);
            vars.put("instruction", evolved.getOrDefault("instruction", ""));
            vars.put("input", evolved.getOrDefault("input", ""));
        }
        return vars;
    }

    /** The chain so far: the last survivor's fields and id. */
    record Chain(Map<String, String> parent, String parentId) {}

    static Chain chain(GenerationRequest spec, String rootId, List<StepTrace> done) {
        Map<String, String> parent = output(done, GENERATE);
        String parentId = rootId;
        for (int r = 1; ; r++) {
            Map<String, String> evolved = output(done, EVOLVE + "_" + r);
            Map<String, String> answer = output(done, ANSWER + "_" + r);
            if (evolved.isEmpty() || answer.isEmpty()) {
                return new Chain(parent, parentId);
            }
            if (eliminated(spec.getEvolution(), parent, evolved, answer) == null) {
                Map<String, String> survivor = new LinkedHashMap<>(evolved);
                survivor.putAll(answer);
                parent = survivor;
                parentId = id(rootId, r);
            }
        }
    }

    /**
     * Why an evolution failed, or null when it survives (WizardLM's elimination, with the
     * information-gain test made lexical): {@code copied_prompt} (the rewrite repeats the evolving
     * prompt's words), {@code no_gain} (ROUGE-L F1 against the parent's instruction reaches {@code
     * max_similarity}), {@code refusal} (the answer apologises or refuses and is under 80 words),
     * {@code too_short} (the answer has fewer than {@code min_output_words} words).
     */
    public static String eliminated(
            Evolution settings, Map<String, String> parent, Map<String, String> evolved, Map<String, String> answer) {
        String instruction = evolved.getOrDefault("instruction", "");
        String lower = instruction.toLowerCase(Locale.ROOT);
        if (COPIED.matcher(lower).find()) {
            return "copied_prompt: the rewrite repeats the evolving prompt's words";
        }
        double similarity = RougeL.f1(
                instruction + " " + evolved.getOrDefault("input", ""),
                parent.getOrDefault("instruction", "") + " " + parent.getOrDefault("input", ""));
        if (similarity >= settings.getMaxSimilarity()) {
            return String.format(
                    Locale.ROOT,
                    "no_gain: ROUGE-L %.2f against the parent reaches max_similarity %.2f",
                    similarity,
                    settings.getMaxSimilarity());
        }
        String output = answer.getOrDefault("output", "");
        List<String> words = TextNormalizer.words(TextNormalizer.normalize(output));
        if (REFUSAL.matcher(output.toLowerCase(Locale.ROOT).replace('’', '\'')).find() && words.size() < 80) {
            return "refusal: the answer apologises or refuses in " + words.size() + " words";
        }
        if (words.size() < settings.getMinOutputWords()) {
            return "too_short: the answer has " + words.size() + " words, below min_output_words "
                    + settings.getMinOutputWords();
        }
        return null;
    }

    /** The id of round {@code round}'s sample of the chain rooted at {@code rootId}. */
    public static String id(String rootId, int round) {
        return round == 0 ? rootId : rootId + "-r" + round;
    }

    /**
     * The sample of the round a finished step closes, or null when the step closes none ({@code
     * evolve_r}): round 0 after {@code generate}, round r after {@code answer_r}.
     *
     * @param traces the finished steps' traces, the closing step's last
     * @param built the round's sample as {@link SampleTraces} builds it from the round's own steps
     */
    static Sample roundSample(
            GenerationRequest spec, String rootId, StepPlan step, List<StepTrace> traces, Sample built) {
        int round = round(step);
        Lineage.Builder lineage = Lineage.newBuilder().setRootId(rootId).setRound(round);
        if (round > 0) {
            List<StepTrace> before = traces.subList(0, traces.size() - 2);
            Chain chain = chain(spec, rootId, before);
            lineage.setParentId(chain.parentId())
                    .setOperator(operator(spec, rootId, round))
                    .setEliminated(eliminated(
                            spec.getEvolution(),
                            chain.parent(),
                            output(traces, EVOLVE + "_" + round),
                            output(traces, ANSWER + "_" + round)));
        }
        built.setSampleId(id(rootId, round));
        built.getTrace().setLineage(lineage.build());
        return built;
    }

    /** Whether a finished step closes a round (and so emits a sample). */
    static boolean closesRound(StepPlan step) {
        return step.name().equals(GENERATE) || step.name().startsWith(ANSWER + "_");
    }

    /** The traces of the round a closing step ends: {@code generate}, or {@code evolve_r, answer_r}. */
    static List<StepTrace> roundTraces(StepPlan step, List<StepTrace> traces) {
        return round(step) == 0
                ? traces.subList(traces.size() - 1, traces.size())
                : traces.subList(traces.size() - 2, traces.size());
    }

    /** Whether a request's kind can be evolved. */
    static boolean evolvable(GenerationRequest spec) {
        return TaskKinds.INSTRUCTION.equals(spec.getTask().getKind())
                && spec.getTask().getOutputFields().isEmpty();
    }

    private static Map<String, String> output(List<StepTrace> traces, String name) {
        for (StepTrace t : traces) {
            if (t.getName().equals(name)) {
                return t.getOutput();
            }
        }
        return Map.of();
    }

    /** The condition's samples ({@code outputs}) a pending entry has not emitted yet. */
    static int remaining(ConditionTuple condition, int emitted) {
        return Math.max(1, condition.getOutputs() - emitted);
    }
}
