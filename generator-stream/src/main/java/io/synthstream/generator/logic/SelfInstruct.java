package io.synthstream.generator.logic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.Example;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.GenerationTrace;
import io.synthstream.avro.Sample;
import io.synthstream.avro.SelfInstructDecision;
import io.synthstream.avro.Spend;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.task.DefaultTemplates;
import io.synthstream.common.task.Recipes;
import io.synthstream.common.task.TaskKinds;
import io.synthstream.common.text.RougeL;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * Self-Instruct (Wang et al., 2023): the request's {@code examples} are the seed tasks, and each
 * round, one per {@code count}, shows the model a sample of seed tasks and of the dataset's pool
 * of generated instructions (6 + 2 by default), asks it for {@code instructions_per_round} new
 * ones, and decides about each in order ({@link #decide}): the heuristic filters, then novelty,
 * ROUGE-L F1 below {@code max_similarity} (0.7) against every seed task and every pool
 * instruction, those of the same round decided before it included. A kept instruction joins the
 * pool and gets an input and an output in a call of its own: the input first, or the output
 * first (a class label, then an input for it) for classification tasks, as in the paper. A
 * filtered one is emitted marked ({@code trace.self_instruct.filtered}); the curator rejects it
 * as {@code INSTRUCTION_FILTERED}.
 *
 * <p>The step plan is {@code instructions} (a round's entry), then {@code instance_input_first}
 * and {@code instance_output_first}: a kept instruction's entry runs one of the two. Everything
 * here is a pure function of the request, the round and the pool; the generator keeps the pool
 * per dataset in a changelogged store and begins a round only after the request's round before
 * it is decided, so bursts, instances and restarts cannot change which instruction joins.
 */
public final class SelfInstruct {
    public static final int MAX_PER_ROUND = Recipes.MAX_INSTRUCTIONS_PER_ROUND;
    public static final int MAX_DEMONSTRATIONS = 20;
    public static final int MAX_POOL_LIMIT = 100_000;
    public static final List<String> ORDERS = List.of("auto", "input_first", "output_first");

    /** The paper's keywords of tasks a text-only model cannot do, and a few of the same kind. */
    public static final List<String> EXCLUDED_WORDS = List.of(
            "image",
            "images",
            "graph",
            "graphs",
            "picture",
            "pictures",
            "file",
            "files",
            "map",
            "maps",
            "draw",
            "plot",
            "go to",
            "video",
            "audio",
            "music",
            "flowchart",
            "diagram");

    static final String INSTRUCTIONS = "instructions";
    static final String INPUT_FIRST = "instance_input_first";
    static final String OUTPUT_FIRST = "instance_output_first";
    /** The template variable of an instance step: {@code instruction}, {@code classification}. */
    static final String VARIABLE = "self_instruct";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern STARTS_WITH_PUNCTUATION = Pattern.compile("^\\p{Punct}");

    private SelfInstruct() {}

    /** Whether the request runs Self-Instruct. */
    public static boolean of(GenerationRequest spec) {
        return spec.getSelfInstruct() != null;
    }

    /**
     * The key of a planned tuple on {@code synth.conditions}: a Self-Instruct round's is its
     * dataset, so every round that reads or grows the dataset's pool is on one partition; others
     * keep their condition id.
     */
    public static String key(GenerationRequest spec, io.synthstream.avro.ConditionTuple tuple) {
        return of(spec) ? tuple.getDataset() : tuple.getConditionId();
    }

    /** Instructions asked for per round: the samples each round plans. */
    public static int perRound(GenerationRequest spec) {
        return Recipes.outputs(spec);
    }

    /** The step plan: the round's call for instructions, then the two kinds of instance call. */
    static List<StepPlan> steps(GenerationRequest spec) {
        String system = spec.getTask().getSystemTemplate() == null
                        || spec.getTask().getSystemTemplate().isBlank()
                ? DefaultTemplates.system(TaskKinds.INSTRUCTION)
                : spec.getTask().getSystemTemplate();
        String task = "Task: {{ self_instruct.instruction }}\n\n";
        return List.of(
                new StepPlan(
                        INSTRUCTIONS,
                        "generate",
                        "You write task instructions for training a language model to follow instructions.",
                        "Come up with new task instructions.",
                        List.of(TaskKinds.field(INSTRUCTIONS, "list", true, "The new task instructions.")),
                        spec.getSelfInstruct().getInstructionModel()),
                new StepPlan(
                        INPUT_FIRST,
                        "generate",
                        system,
                        task + "Write an input for this task (a realistic one; an empty string if the task needs"
                                + " none), then the correct output for that input.",
                        List.of(
                                TaskKinds.field("input", "string", false, "The task's input, or an empty string."),
                                TaskKinds.field("output", "string", true, "The correct output for the input.")),
                        null),
                new StepPlan(
                        OUTPUT_FIRST,
                        "generate",
                        system,
                        task + "This is a classification task. First choose one of its possible class labels"
                                + " (the output), then write an input whose correct label is that one.",
                        List.of(
                                TaskKinds.field("output", "string", true, "The class label."),
                                TaskKinds.field("input", "string", true, "An input of that class.")),
                        null));
    }

    /** The index in {@link #steps} of the instance step for a kept instruction. */
    public static int instanceStep(GenerationRequest spec, boolean classification) {
        String order = spec.getSelfInstruct().getInstanceOrder();
        boolean outputFirst = "output_first".equals(order) || ("auto".equals(order) && classification);
        return outputFirst ? 2 : 1;
    }

    /** Whether a step of the plan is an instance step (the last of its entry). */
    static boolean instance(StepPlan step) {
        return INPUT_FIRST.equals(step.name()) || OUTPUT_FIRST.equals(step.name());
    }

    /** The instance step's variables: the instruction, and whether it is a classification task. */
    static Map<String, String> variables(SelfInstructDecision decision) {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("instruction", decision.getInstruction());
        vars.put("classification", Boolean.toString(decision.getClassification()));
        return vars;
    }

    /**
     * An instruction shown to the model, with its id: a seed task's example id (or {@code
     * seed-<i>} for the i-th example without one), or a pool sample id.
     */
    public record Demonstration(String id, String instruction) {}

    /** The seed tasks: each example's {@code instruction} (with its input, when it has one). */
    public static List<Demonstration> seeds(GenerationRequest spec) {
        List<Demonstration> seeds = new ArrayList<>();
        List<Example> examples = spec.getExamples();
        for (int i = 0; i < examples.size(); i++) {
            String instruction = examples.get(i).getFields().get("instruction");
            if (instruction != null && !instruction.isBlank()) {
                String id = examples.get(i).getId();
                seeds.add(new Demonstration(id == null || id.isBlank() ? "seed-" + i : id, instruction.strip()));
            }
        }
        return seeds;
    }

    /**
     * The instructions round {@code round} shows: {@code pool_demonstrations} drawn from the pool
     * (fewer while it is smaller) and seed tasks for the rest, in a shuffled order; drawn from the
     * request's seed, its id and the round, so the same round shows the same ones.
     */
    public static List<Demonstration> demonstrations(
            GenerationRequest spec, long round, List<Demonstration> seeds, List<Demonstration> pool) {
        io.synthstream.avro.SelfInstruct s = spec.getSelfInstruct();
        SplittableRandom random = new SplittableRandom(
                spec.getSeed() * 0x9E3779B97F4A7C15L + spec.getRequestId().hashCode() * 1_000_003L + round);
        List<Demonstration> fromPool = sample(pool, Math.min(s.getPoolDemonstrations(), pool.size()), random);
        int fromSeeds = s.getSeedDemonstrations() + s.getPoolDemonstrations() - fromPool.size();
        List<Demonstration> shown = new ArrayList<>(sample(seeds, Math.min(fromSeeds, seeds.size()), random));
        shown.addAll(fromPool);
        Collections.shuffle(shown, new java.util.Random(random.nextLong()));
        return shown;
    }

    private static List<Demonstration> sample(List<Demonstration> from, int k, SplittableRandom random) {
        List<Integer> indices = new ArrayList<>(from.size());
        for (int i = 0; i < from.size(); i++) {
            indices.add(i);
        }
        List<Demonstration> chosen = new ArrayList<>(k);
        for (int i = 0; i < k; i++) { // a partial Fisher-Yates shuffle
            int j = i + random.nextInt(indices.size() - i);
            Collections.swap(indices, i, j);
            chosen.add(from.get(indices.get(i)));
        }
        return chosen;
    }

    /**
     * The round's call: the demonstrations as a numbered list of tasks, and a request for {@code
     * instructions_per_round} new ones, each with whether it is a classification task.
     *
     * @param built the call PromptBuilder made for the {@code instructions} step (model, hints)
     */
    public static LlmRequest request(GenerationRequest spec, LlmRequest built, List<String> shownInstructions) {
        int wanted = perRound(spec);
        StringBuilder user = new StringBuilder("Come up with ")
                .append(wanted)
                .append(" new, diverse task instructions for training a language model to follow instructions.");
        if (spec.getTask().getDescription() != null
                && !spec.getTask().getDescription().isBlank()) {
            user.append(" They are for: ")
                    .append(spec.getTask().getDescription().strip());
        }
        user.append("\n\nHere are some existing tasks:");
        for (int i = 0; i < shownInstructions.size(); i++) {
            user.append("\n").append(i + 1).append(". ").append(shownInstructions.get(i));
        }
        user.append("\n\nWrite ")
                .append(wanted)
                .append(" new tasks that differ from these and from each other: vary the verbs and the kind of"
                        + " task (open-ended writing, classification, editing, rewriting, question answering,"
                        + " brainstorming, reasoning, coding). Each must be doable by a text-only model (no"
                        + " images, files, audio or browsing) and be one or two sentences long. Mark each that is"
                        + " a classification task (its output is one of a few labels).");
        user.append("\n\nReply with only a JSON object: {\"instructions\": [{\"instruction\": string,"
                        + " \"classification\": boolean}, ...]} with exactly ")
                .append(wanted)
                .append(" items.");
        return built.withConversation(List.of(
                        LlmRequest.Message.system(built.messages().get(0).content()),
                        LlmRequest.Message.user(user.toString())))
                .withSchema(schema(wanted));
    }

    /** The round's reply schema: an array of exactly {@code wanted} instruction objects. */
    static ObjectNode schema(int wanted) {
        ObjectNode schema = JSON.createObjectNode().put("type", "object");
        ObjectNode list = schema.putObject("properties").putObject(INSTRUCTIONS);
        list.put("type", "array").put("minItems", wanted).put("maxItems", wanted);
        ObjectNode item = list.putObject("items").put("type", "object");
        ObjectNode properties = item.putObject("properties");
        properties.putObject("instruction").put("type", "string");
        properties.putObject("classification").put("type", "boolean");
        item.putArray("required").add("instruction").add("classification");
        item.put("additionalProperties", false);
        schema.putArray("required").add(INSTRUCTIONS);
        schema.put("additionalProperties", false);
        return schema;
    }

    /** A new instruction as the model wrote it. */
    public record Candidate(String instruction, boolean classification) {}

    /**
     * The new instructions of a round's reply, in order: items that are objects with an {@code
     * instruction} or plain strings; other items become blank candidates (filtered as {@code
     * missing}).
     *
     * @return null when the field is not a JSON array (the reply needs a repair turn)
     */
    public static List<Candidate> candidates(Map<String, String> output) {
        String list = output.get(INSTRUCTIONS);
        JsonNode array;
        try {
            array = list == null ? null : JSON.readTree(list);
        } catch (java.io.IOException e) {
            return null;
        }
        if (array == null || !array.isArray()) {
            return null;
        }
        List<Candidate> candidates = new ArrayList<>();
        for (JsonNode item : array) {
            if (item.isTextual()) {
                candidates.add(new Candidate(item.asText().strip(), false));
            } else {
                candidates.add(new Candidate(
                        item.path("instruction").asText("").strip(),
                        item.path("classification").asBoolean(false)));
            }
        }
        return candidates;
    }

    /** Why a reply's instructions cannot be used, for its repair turn; null when they can. */
    public static String problem(Map<String, String> output) {
        return candidates(output) == null
                ? "\"instructions\" must be a JSON array of {\"instruction\": string, \"classification\": boolean}"
                : null;
    }

    /**
     * Why the heuristic filters drop an instruction, or null: fewer than {@code
     * min_instruction_words} or more than {@code max_instruction_words} words, an excluded word,
     * starting with punctuation or with a non-ASCII character (the paper's filters).
     */
    public static String filtered(io.synthstream.avro.SelfInstruct settings, String instruction) {
        if (instruction.isBlank()) {
            return "missing: the reply has no instruction here";
        }
        int words = instruction.strip().split("\\s+").length;
        if (words < settings.getMinInstructionWords()) {
            return "too_short: " + words + " words, below min_instruction_words " + settings.getMinInstructionWords();
        }
        if (words > settings.getMaxInstructionWords()) {
            return "too_long: " + words + " words, above max_instruction_words " + settings.getMaxInstructionWords();
        }
        String lower = " " + String.join(" ", RougeL.words(instruction)) + " ";
        for (String word : settings.getExcludedWords().isEmpty() ? EXCLUDED_WORDS : settings.getExcludedWords()) {
            String folded = String.join(" ", RougeL.words(word));
            if (!folded.isEmpty() && lower.contains(" " + folded + " ")) {
                return "excluded_word: names '" + folded + "', which a text-only model cannot do";
            }
        }
        if (STARTS_WITH_PUNCTUATION.matcher(instruction).find()) {
            return "punctuation: starts with '" + instruction.charAt(0) + "'";
        }
        if (instruction.charAt(0) > 0x7F) {
            return "non_ascii: starts with a non-ASCII character";
        }
        return null;
    }

    /**
     * Instructions to compare a new one with, each with its words read once: the seed tasks of a
     * request, or the pool of a dataset. Comparing is exact: against every instruction held. Words
     * are kept as ids of the pool's own vocabulary, and an instruction whose shared words alone
     * (in any order) cannot beat the best match so far is passed over without its longest common
     * subsequence, which bounds it from above; so the result is that of comparing with each.
     */
    public static final class Pool {
        private final List<String> ids = new ArrayList<>();
        private final List<String> texts = new ArrayList<>();
        private final List<int[]> words = new ArrayList<>();
        private final List<long[]> sorted = new ArrayList<>();
        private final Map<String, Integer> vocabulary = new java.util.HashMap<>();

        public static Pool of(List<Demonstration> instructions) {
            Pool pool = new Pool();
            instructions.forEach(d -> pool.add(d.id(), d.instruction()));
            return pool;
        }

        public int size() {
            return ids.size();
        }

        public void add(String id, String instruction) {
            List<String> w = RougeL.words(instruction);
            int[] encoded = new int[w.size()];
            for (int i = 0; i < encoded.length; i++) {
                encoded[i] = vocabulary.computeIfAbsent(w.get(i), k -> vocabulary.size());
            }
            ids.add(id);
            texts.add(instruction);
            words.add(encoded);
            sorted.add(sortedCopy(encoded));
        }

        /** Every instruction held, in the order it joined. */
        public List<Demonstration> all() {
            return since(0);
        }

        /** The instructions that joined from position {@code from} on, in order. */
        public List<Demonstration> since(int from) {
            List<Demonstration> joined = new ArrayList<>(Math.max(0, ids.size() - from));
            for (int i = from; i < ids.size(); i++) {
                joined.add(new Demonstration(ids.get(i), texts.get(i)));
            }
            return joined;
        }

        /**
         * The held instruction most similar to {@code candidate} (ROUGE-L F1; the first of equals),
         * or null when empty.
         */
        Closest closest(List<String> candidate) {
            int[] encoded = new int[candidate.size()];
            for (int i = 0; i < encoded.length; i++) {
                Integer id = vocabulary.get(candidate.get(i));
                encoded[i] = id == null ? -1 - i : id; // a word no held instruction has matches none
            }
            long[] candidateSorted = sortedCopy(encoded);
            String bestId = null;
            double best = -1;
            for (int i = 0; i < ids.size(); i++) {
                if (RougeL.bound(candidateSorted, sorted.get(i)) <= best) {
                    continue;
                }
                double f1 = RougeL.f1(encoded, words.get(i));
                if (f1 > best) {
                    best = f1;
                    bestId = ids.get(i);
                }
            }
            return bestId == null ? null : new Closest(bestId, best);
        }

        private static long[] sortedCopy(int[] values) {
            long[] copy = java.util.Arrays.stream(values).asLongStream().toArray();
            java.util.Arrays.sort(copy);
            return copy;
        }
    }

    record Closest(String id, double similarity) {}

    /**
     * The decisions about a round's new instructions, in order; kept ones that the pool has room
     * for are added to {@code pool} as they are decided (so a later candidate of the same round
     * is compared with them too). A reply with fewer instructions than asked for gets {@code
     * missing} decisions for the rest; instructions beyond {@code instructions_per_round} are
     * ignored.
     *
     * @param ids the sample id of each candidate, by position
     * @param roundSpend what the round's call cost: on candidate 0's decision
     */
    public static List<SelfInstructDecision> decide(
            GenerationRequest spec,
            long round,
            List<Candidate> candidates,
            Pool seeds,
            Pool pool,
            java.util.function.IntFunction<String> ids,
            List<String> demonstrationIds,
            Spend roundSpend) {
        io.synthstream.avro.SelfInstruct s = spec.getSelfInstruct();
        int wanted = perRound(spec);
        List<SelfInstructDecision> decisions = new ArrayList<>(wanted);
        for (int k = 0; k < wanted; k++) {
            Candidate c = k < candidates.size() ? candidates.get(k) : new Candidate("", false);
            SelfInstructDecision.Builder d = SelfInstructDecision.newBuilder()
                    .setRound(round)
                    .setCandidate(k)
                    .setInstruction(c.instruction())
                    .setClassification(c.classification())
                    .setPoolSize(pool.size())
                    .setDemonstrationIds(demonstrationIds)
                    .setRoundSpend(k == 0 ? roundSpend : null);
            String why = k < candidates.size()
                    ? filtered(s, c.instruction())
                    : "missing: the reply listed " + candidates.size() + " of " + wanted + " instructions";
            if (why == null) {
                List<String> words = RougeL.words(c.instruction());
                Closest closest = max(seeds.closest(words), pool.closest(words));
                if (closest != null) {
                    d.setMaxSimilarity(closest.similarity()).setMostSimilar(closest.id());
                    if (closest.similarity() >= s.getMaxSimilarity()) {
                        why = String.format(
                                Locale.ROOT,
                                "not_novel: ROUGE-L %.2f against %s reaches max_similarity %.2f",
                                closest.similarity(),
                                closest.id(),
                                s.getMaxSimilarity());
                    }
                }
            }
            d.setFiltered(why);
            if (why == null && pool.size() < s.getPoolLimit()) {
                pool.add(ids.apply(k), c.instruction());
                d.setJoined(true);
            }
            decisions.add(d.build());
        }
        return decisions;
    }

    private static Closest max(Closest a, Closest b) {
        if (a == null) {
            return b;
        }
        return b == null || a.similarity() >= b.similarity() ? a : b;
    }

    /**
     * The sample of a filtered instruction, emitted marked for the curator to reject: the round's
     * sample ({@code base}, as SampleTraces built it from the round's call) with the instruction
     * as its fields and the decision on its trace. Candidate 0 carries the round's call (its
     * steps, tokens and spend); the others carry none, so the round is paid once.
     */
    public static Sample filteredSample(Sample base, SelfInstructDecision decision, String sampleId) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("instruction", decision.getInstruction());
        fields.put("input", "");
        fields.put("output", "");
        GenerationTrace.Builder trace = GenerationTrace.newBuilder(base.getTrace())
                .setSelfInstruct(decision)
                .setDemonstrationIds(decision.getDemonstrationIds());
        if (decision.getCandidate() > 0) {
            trace.setSteps(List.of())
                    .setSpend(null)
                    .setPromptTokens(0)
                    .setCompletionTokens(0)
                    .setLatencyMs(0);
        }
        return Sample.newBuilder(base)
                .setSampleId(sampleId)
                .setSampleIndex(decision.getCandidate())
                .setConditionId(base.getConditionId() + "-i" + decision.getCandidate())
                .setFields(fields)
                .setTrace(trace.build())
                .build();
    }

    /**
     * The condition of a kept instruction: the round's, for one sample, with the decision that
     * its instance call reads ({@link #variables}) and its sample records.
     */
    public static ConditionTuple condition(ConditionTuple round, SelfInstructDecision decision, Instant now) {
        return ConditionTuple.newBuilder(round)
                .setConditionId(round.getConditionId() + "-i" + decision.getCandidate())
                .setSamples(1)
                .setOutputs(1)
                .setSelfInstructRound(false)
                .setSelfInstruct(decision)
                .setPlannedAt(now)
                .build();
    }

    /**
     * What one round decided, from its instructions' decisions.
     *
     * @param joined kept and added to the pool
     * @param full kept without joining: the pool was full
     * @param notNovel filtered by ROUGE-L
     * @param heuristic filtered by the word, length, punctuation or ASCII rules
     * @param missing not in the reply
     * @param poolAfter the dataset's pool size after the round
     */
    public record RoundFigures(
            long round, int asked, int joined, int full, int notNovel, int heuristic, int missing, int poolAfter) {
        /** The share of the round's instructions the filters rejected. */
        public double rejectedShare() {
            return asked == 0 ? 0 : (double) (notNovel + heuristic + missing) / asked;
        }
    }

    /** Each round's figures, in round order, from the decisions its samples carry (any order, duplicates ignored). */
    public static List<RoundFigures> rounds(java.util.Collection<SelfInstructDecision> decisions) {
        java.util.TreeMap<Long, java.util.TreeMap<Integer, SelfInstructDecision>> byRound = new java.util.TreeMap<>();
        for (SelfInstructDecision d : decisions) {
            byRound.computeIfAbsent(d.getRound(), r -> new java.util.TreeMap<>())
                    .put(d.getCandidate(), d);
        }
        List<RoundFigures> figures = new ArrayList<>();
        byRound.forEach((round, candidates) -> {
            int joined = 0, full = 0, notNovel = 0, heuristic = 0, missing = 0, poolAfter = 0;
            for (SelfInstructDecision d : candidates.values()) {
                String why = d.getFiltered();
                if (why == null) {
                    if (d.getJoined()) {
                        joined++;
                    } else {
                        full++;
                    }
                } else if (why.startsWith("not_novel")) {
                    notNovel++;
                } else if (why.startsWith("missing")) {
                    missing++;
                } else {
                    heuristic++;
                }
                poolAfter = Math.max(poolAfter, d.getPoolSize() + (d.getJoined() ? 1 : 0));
            }
            figures.add(
                    new RoundFigures(round, candidates.size(), joined, full, notNovel, heuristic, missing, poolAfter));
        });
        return figures;
    }

    /** The sample id of candidate {@code k} of the round whose entry is {@code roundId}. */
    public static String id(String roundId, int k) {
        return roundId + "-i" + k;
    }
}
