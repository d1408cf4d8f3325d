package io.synthstream.generator.logic;

import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.Conversation;
import io.synthstream.avro.Evolution;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.OutputField;
import io.synthstream.avro.Preference;
import io.synthstream.common.quality.QualityPolicy;
import io.synthstream.common.task.AttributeSpace;
import io.synthstream.common.task.TaskKinds;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a request before anything is planned and lists every problem at once, each
 * naming the field and saying what to change. Templates are checked by rendering them with
 * placeholder values under strict variables, so a placeholder that names no attribute or earlier
 * step is caught here rather than on the first LLM call.
 */
public final class RequestValidator {
    /**
     * @param maxCount the largest {@code count} accepted
     * @param maxBytes the largest encoded request accepted
     * @param providers the names of the LLM providers the app is configured with (the default under
     *     its own name and {@code default}, and the named ones), or null where they are not known (a
     *     {@code model.provider} naming another one is refused)
     */
    public record Limits(int maxCount, long maxBytes, java.util.Set<String> providers, Pricing pricing) {
        public Limits(int maxCount, long maxBytes) {
            this(maxCount, maxBytes, null, null);
        }

        public Limits(int maxCount, long maxBytes, java.util.Set<String> providers) {
            this(maxCount, maxBytes, providers, null);
        }
    }

    /**
     * What a cost budget is checked against.
     *
     * @param prices the app's price table
     * @param defaultModel the model a provider (null: the default one) answers with when a request
     *     names none; null when the provider is unknown
     */
    public record Pricing(
            io.synthstream.common.llm.PriceTable prices, java.util.function.Function<String, String> defaultModel) {}

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** The most values an attribute may ask the model to propose (per parent value). */
    public static final int MAX_PROPOSED = 50;

    private RequestValidator() {}

    /**
     * A {@code ModelParams}: a provider other than the configured one, and {@code extra}
     * parameters the runtime owns or whose values are not JSON.
     */
    private static void modelParams(
            String where, io.synthstream.avro.ModelParams params, Limits limits, List<String> problems) {
        if (params == null) {
            return;
        }
        Double temperature = params.getTemperature();
        if (temperature != null && (temperature < 0 || temperature > 2)) {
            problems.add(where + ".temperature must be within [0, 2], got " + temperature);
        }
        if (params.getMaxTokens() != null && params.getMaxTokens() < 1) {
            problems.add(where + ".max_tokens must be at least 1");
        }
        if (params.getProvider() != null
                && limits.providers() != null
                && !limits.providers().contains(params.getProvider())) {
            problems.add(where + ".provider '" + params.getProvider() + "' is not configured here: the configured"
                    + " providers are " + String.join(", ", new java.util.TreeSet<>(limits.providers()))
                    + " (declare one with"
                    + " llm.provider.<name>.base.url, e.g. SYNTH_LLM_PROVIDER_LOCAL_BASE_URL), or leave it unset for"
                    + " the default");
        }
        params.getExtra().forEach((name, value) -> {
            if (io.synthstream.common.llm.LlmRequest.RESERVED_EXTRA.contains(name)) {
                problems.add(where + ".extra." + name + " is set by the runtime and cannot be passed through");
            } else if (!isJson(value)) {
                problems.add(where + ".extra." + name + " must be a JSON value written as text (a string needs"
                        + " its quotes: \"\\\"text\\\"\"), got: "
                        + (value.length() > 80 ? value.substring(0, 80) + "…" : value));
            }
        });
    }

    /**
     * What a request id or dataset name may hold: letters, digits, '.', '_' and '-', starting with a
     * letter or digit, at most 128 characters. They become record keys, file names ({@code synth
     * export}), metric tags and page text, so nothing else gets that far.
     */
    public static final java.util.regex.Pattern NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private static void name(String field, String value, List<String> problems) {
        if (!NAME.matcher(value).matches()) {
            String shown = value.length() > 60 ? value.substring(0, 60) + "…" : value;
            problems.add(field + " " + JSON.getNodeFactory().textNode(shown) + " may hold only letters, digits, '.',"
                    + " '_' and '-', start with a letter or digit and have at most 128 characters (it names files,"
                    + " metric tags and keys)");
        }
    }

    /**
     * A budget (the request's, and the dataset's the request states) sets a positive limit, and a
     * cost limit needs a price for every model it names.
     */
    private static void budget(GenerationRequest request, Pricing pricing, List<String> problems) {
        budget(request, request.getBudget(), "budget", pricing, problems);
        budget(request, request.getDatasetBudget(), "dataset_budget", pricing, problems);
    }

    private static void budget(
            GenerationRequest request,
            io.synthstream.avro.Budget budget,
            String field,
            Pricing pricing,
            List<String> problems) {
        if (budget == null) {
            return;
        }
        Double cost = budget.getMaxCostUsd();
        Long tokens = budget.getMaxTokens();
        if (cost == null && tokens == null) {
            problems.add(field + " sets no limit: give " + field + ".max_cost_usd and/or " + field
                    + ".max_tokens, or leave " + field + " out");
        }
        if (cost != null && !(cost > 0 && Double.isFinite(cost))) {
            problems.add(field + ".max_cost_usd must be a positive number of USD, got " + cost);
        }
        if (tokens != null && tokens <= 0) {
            problems.add(field + ".max_tokens must be at least 1, got " + tokens);
        }
        if (cost == null || pricing == null) {
            return;
        }
        List<io.synthstream.avro.ModelParams> models = new ArrayList<>();
        models.add(request.getModel());
        if (request.getEvaluation() != null && request.getEvaluation().getJudgeModel() != null) {
            models.add(request.getEvaluation().getJudgeModel());
        }
        for (io.synthstream.avro.ModelParams m : models) {
            String model =
                    m.getModel() != null ? m.getModel() : pricing.defaultModel().apply(m.getProvider());
            if (model != null && pricing.prices().price(model).isEmpty()) {
                String shown = model.length() > 60 ? model.substring(0, 60) + "…" : model;
                problems.add(field + ".max_cost_usd needs a price for model "
                        + JSON.getNodeFactory().textNode(shown)
                        + ", which the price table does not list: add a row for it to the file llm.prices names"
                        + " (docs/spend.md), or budget in max_tokens");
            }
        }
    }

    private static boolean isJson(String value) {
        try {
            JSON.readTree(value);
            return value != null && !value.isBlank();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return false;
        }
    }

    /** The problems of {@code request}; empty when it is valid. */
    public static List<String> problems(GenerationRequest request, long encodedBytes, Limits limits) {
        List<String> problems = new ArrayList<>();
        if (encodedBytes > limits.maxBytes()) {
            problems.add("request is " + encodedBytes + " bytes, above the limit of " + limits.maxBytes()
                    + " (generator.max.request.bytes); move large example sets out of the request");
            return problems;
        }
        if (request.getRequestId() == null || request.getRequestId().isBlank()) {
            problems.add("request_id is required");
        } else {
            name("request_id", request.getRequestId(), problems);
        }
        if (request.getDataset() == null || request.getDataset().isBlank()) {
            problems.add("dataset is required");
        } else {
            name("dataset", request.getDataset(), problems);
        }
        String kind = request.getTask().getKind();
        if (!TaskKinds.isKnown(kind)) {
            problems.add("task.kind '" + kind
                    + "' is unknown; use classification, instruction, qa, conversation, preference or custom");
        }
        conversation(request, limits, problems);
        preference(request, limits, problems);
        evolution(request, limits, problems);
        selfInstruct(request, limits, problems);
        if (request.getCount() <= 0) {
            problems.add("count must be at least 1, got " + request.getCount());
        } else if (request.getCount() > limits.maxCount()) {
            problems.add("count " + request.getCount() + " is above the limit of " + limits.maxCount()
                    + " (generator.max.count); split the request");
        } else if (request.getQuality() != null) {
            long maxPlanned = QualityPolicy.of(request).maxPlanned();
            if (maxPlanned > limits.maxCount()) {
                problems.add("quality.max_planned " + maxPlanned + " is above the limit of " + limits.maxCount()
                        + " (generator.max.count); lower it or the count");
            }
        }
        modelParams("model", request.getModel(), limits, problems);
        budget(request, limits.pricing(), problems);
        for (int i = 0; i < request.getSteps().size(); i++) {
            modelParams("steps[" + i + "].model", request.getSteps().get(i).getModel(), limits, problems);
        }
        if (request.getEvaluation() != null) {
            modelParams("evaluation.judge_model", request.getEvaluation().getJudgeModel(), limits, problems);
        }
        for (Attribute a : request.getAttributes()) {
            if (a.getAdherence() != null
                    && !List.of("mention", "length", "none").contains(a.getAdherence())) {
                problems.add("attributes." + a.getName() + ".adherence '" + a.getAdherence()
                        + "' is unknown; use mention, length or none");
            } else if ("length".equals(a.getAdherence())
                    && a.getValues().stream()
                            .anyMatch(v -> !List.of("short", "medium", "long").contains(v.getValue()))) {
                problems.add(
                        "attributes." + a.getName() + ".adherence length needs the values short, medium and long only");
            }
        }
        var curation = request.getCuration();
        if (curation != null && curation.getSemanticThreshold() != null) {
            double threshold = curation.getSemanticThreshold();
            if (!curation.getSemanticDedup()) {
                problems.add("curation.semantic_threshold is set but curation.semantic_dedup is false: set"
                        + " semantic_dedup to true, or leave the threshold unset");
            } else if (!(threshold >= 0.5 && threshold <= 1.0)) {
                problems.add("curation.semantic_threshold must be a cosine between 0.5 and 1, got " + threshold);
            }
        }
        List<String> labels = request.getTask().getLabels();
        if (TaskKinds.CLASSIFICATION.equals(kind) && labels.isEmpty()) {
            problems.add("task.labels is required for classification (e.g. [\"positive\", \"negative\"])");
        }
        if (!Conversations.of(request) && !Preferences.of(request)) { // a recipe's fields are built in
            checkFields(TaskKinds.outputFields(request), "task.output_fields", labels, problems);
        }
        if (TaskKinds.CUSTOM.equals(kind)
                && request.getTask().getOutputFields().isEmpty()
                && request.getSteps().isEmpty()) {
            problems.add("task.output_fields is required for custom tasks");
        }
        checkAttributes(request, problems);
        if (!Planner.SAMPLING_MODES.contains(request.getSamplingMode())) {
            problems.add("sampling_mode '" + request.getSamplingMode() + "' is unknown; use " + Planner.SAMPLING_MODES);
        }
        if (!Planner.DEMONSTRATION_STRATEGIES.contains(request.getDemonstrationStrategy())) {
            problems.add("demonstration_strategy '" + request.getDemonstrationStrategy() + "' is unknown; use "
                    + Planner.DEMONSTRATION_STRATEGIES);
        }
        if (request.getDemonstrations() < 0) {
            problems.add("demonstrations must be >= 0, got " + request.getDemonstrations());
        } else if (request.getDemonstrations() > 0
                && request.getExamples().isEmpty()
                && !"exemplar".equals(request.getDemonstrationStrategy())) {
            problems.add("demonstrations is " + request.getDemonstrations()
                    + " but examples is empty; add examples or use demonstration_strategy exemplar");
        }
        checkSteps(request, problems, null);
        problems.addAll(Seeds.problems(request));
        problems.addAll(QualityPolicy.problems(request));
        return problems;
    }

    /** The preference recipe's settings, and what a preference request cannot be combined with. */
    private static void preference(GenerationRequest request, Limits limits, List<String> problems) {
        Preference p = request.getPreference();
        if (!Preferences.of(request)) {
            if (p != null) {
                problems.add("preference is set but task.kind is '"
                        + request.getTask().getKind() + "'; use task.kind preference, or leave preference out");
            }
            return;
        }
        recipeExclusions(request, "preference", "the prompt, the candidates and the ratings", problems);
        if (p == null) {
            return;
        }
        if (p.getCandidates() < Preferences.MIN_CANDIDATES || p.getCandidates() > Preferences.MAX_CANDIDATES) {
            problems.add("preference.candidates must be within [" + Preferences.MIN_CANDIDATES + ", "
                    + Preferences.MAX_CANDIDATES + "], got " + p.getCandidates());
        }
        if (!Preferences.RATINGS.contains(p.getRating())) {
            problems.add("preference.rating '" + p.getRating() + "' is unknown; use absolute or pairwise");
        }
        if (!Preferences.TIES.contains(p.getTies())) {
            problems.add("preference.ties '" + p.getTies() + "' is unknown; use reject or keep");
        }
        double most = "pairwise".equals(p.getRating()) ? Math.max(1, p.getCandidates() - 1) : 4;
        if (!(p.getMinMargin() >= 0 && p.getMinMargin() <= most)) {
            problems.add("preference.min_margin must be within [0, " + (long) most + "] for " + p.getRating()
                    + " rating, got " + p.getMinMargin());
        }
        for (int i = 0; i < p.getCandidateModels().size(); i++) {
            modelParams(
                    "preference.candidate_models[" + i + "]",
                    p.getCandidateModels().get(i),
                    limits,
                    problems);
        }
        modelParams("preference.judge_model", p.getJudgeModel(), limits, problems);
    }

    /** Multi-round Evol-Instruct's settings. */
    private static void evolution(GenerationRequest request, Limits limits, List<String> problems) {
        Evolution e = request.getEvolution();
        if (e == null) {
            return;
        }
        if (!Evolutions.evolvable(request)) {
            problems.add("evolution needs task.kind instruction with its built-in fields (instruction, input,"
                    + " output); got task.kind '" + request.getTask().getKind() + "'"
                    + (request.getTask().getOutputFields().isEmpty() ? "" : " with task.output_fields"));
        }
        if (!request.getSteps().isEmpty()) {
            problems.add("steps cannot be combined with evolution: its steps are the rounds (evolution.rounds);"
                    + " for one rewrite per declared step use a step of kind evolve instead");
        }
        if (e.getRounds() < 1 || e.getRounds() > Evolutions.MAX_ROUNDS) {
            problems.add("evolution.rounds must be within [1, " + Evolutions.MAX_ROUNDS + "], got " + e.getRounds());
        } else if ((long) request.getCount() * (1 + e.getRounds()) > limits.maxCount()) {
            problems.add("count " + request.getCount() + " with evolution.rounds " + e.getRounds() + " plans "
                    + (long) request.getCount() * (1 + e.getRounds()) + " samples, above the limit of "
                    + limits.maxCount() + " (generator.max.count); lower the count or the rounds");
        }
        for (String op : e.getOperators()) {
            if (!Evolutions.OPERATORS.containsKey(op)) {
                problems.add("evolution.operators: '" + op + "' is unknown; use " + Evolutions.OPERATORS.keySet());
            }
        }
        if (!(e.getMaxSimilarity() >= 0.5 && e.getMaxSimilarity() <= 1.0)) {
            problems.add("evolution.max_similarity must be within [0.5, 1], got " + e.getMaxSimilarity());
        }
        if (e.getMinOutputWords() < 1 || e.getMinOutputWords() > 1000) {
            problems.add("evolution.min_output_words must be within [1, 1000], got " + e.getMinOutputWords());
        }
        if (request.getQuality() != null && QualityPolicy.of(request).targetsAccepted()) {
            problems.add("evolution cannot be combined with quality.target accepted: a top-up would plan whole"
                    + " chains for single accepted samples; use target planned");
        }
        modelParams("evolution.evolve_model", e.getEvolveModel(), limits, problems);
    }

    /** Self-Instruct's settings, and what it cannot be combined with. */
    private static void selfInstruct(GenerationRequest request, Limits limits, List<String> problems) {
        io.synthstream.avro.SelfInstruct s = request.getSelfInstruct();
        if (s == null) {
            return;
        }
        if (!Evolutions.evolvable(request)) {
            problems.add("self_instruct needs task.kind instruction with its built-in fields (instruction, input,"
                    + " output); got task.kind '" + request.getTask().getKind() + "'"
                    + (request.getTask().getOutputFields().isEmpty() ? "" : " with task.output_fields"));
        }
        List<String> excluded = new ArrayList<>();
        if (!request.getSteps().isEmpty()) {
            excluded.add("steps (its steps are the rounds)");
        }
        if (request.getEvolution() != null) {
            excluded.add("evolution");
        }
        if (request.getSeeds() != null) {
            excluded.add("seeds (its seed tasks are examples)");
        }
        if (!request.getAttributes().isEmpty() || request.getConditions() != null) {
            excluded.add("attributes or conditions (a round asks for diverse tasks, not for a condition)");
        }
        if (request.getDemonstrations() > 0) {
            excluded.add("demonstrations (use self_instruct.seed_demonstrations and pool_demonstrations)");
        }
        if (request.getChainOfThought()) {
            excluded.add("chain_of_thought");
        }
        if (request.getTask().getInstructionTemplate() != null
                && !request.getTask().getInstructionTemplate().isBlank()) {
            excluded.add("task.instruction_template (the rounds' and instances' prompts are built in; the"
                    + " task's description and system_template are used)");
        }
        if (request.getQuality() != null && QualityPolicy.of(request).targetsAccepted()) {
            excluded.add("quality.target accepted (a top-up would plan whole rounds; use target planned)");
        }
        for (String what : excluded) {
            problems.add("self_instruct cannot be combined with " + what);
        }
        if (SelfInstruct.seeds(request).isEmpty()) {
            problems.add("self_instruct needs seed tasks: examples with an instruction field (the paper starts from"
                    + " 175; a few dozen diverse ones work)");
        }
        int perRound = s.getInstructionsPerRound();
        int most = SelfInstruct.MAX_PER_ROUND;
        if (perRound < 1 || perRound > most) {
            problems.add("self_instruct.instructions_per_round must be within [1, " + most + "], got " + perRound);
        } else if ((long) request.getCount() * perRound > limits.maxCount()) {
            problems.add("count " + request.getCount() + " rounds of self_instruct.instructions_per_round " + perRound
                    + " plan " + (long) request.getCount() * perRound + " samples, above the limit of "
                    + limits.maxCount() + " (generator.max.count); lower the count or instructions_per_round");
        }
        int demos = SelfInstruct.MAX_DEMONSTRATIONS;
        if (s.getSeedDemonstrations() < 0 || s.getSeedDemonstrations() > demos) {
            problems.add("self_instruct.seed_demonstrations must be within [0, " + demos + "], got "
                    + s.getSeedDemonstrations());
        }
        if (s.getPoolDemonstrations() < 0 || s.getPoolDemonstrations() > demos) {
            problems.add("self_instruct.pool_demonstrations must be within [0, " + demos + "], got "
                    + s.getPoolDemonstrations());
        }
        if (s.getSeedDemonstrations() + s.getPoolDemonstrations() < 1) {
            problems.add("self_instruct.seed_demonstrations + pool_demonstrations must be at least 1: a round shows"
                    + " the model some tasks");
        }
        if (!(s.getMaxSimilarity() >= 0.1 && s.getMaxSimilarity() <= 1.0)) {
            problems.add("self_instruct.max_similarity must be within [0.1, 1], got " + s.getMaxSimilarity());
        }
        if (s.getMinInstructionWords() < 1 || s.getMinInstructionWords() > 100) {
            problems.add(
                    "self_instruct.min_instruction_words must be within [1, 100], got " + s.getMinInstructionWords());
        }
        if (s.getMaxInstructionWords() < 10 || s.getMaxInstructionWords() > 1000) {
            problems.add(
                    "self_instruct.max_instruction_words must be within [10, 1000], got " + s.getMaxInstructionWords());
        } else if (s.getMaxInstructionWords() < s.getMinInstructionWords()) {
            problems.add("self_instruct.max_instruction_words " + s.getMaxInstructionWords()
                    + " is below min_instruction_words " + s.getMinInstructionWords());
        }
        for (int i = 0; i < s.getExcludedWords().size(); i++) {
            if (s.getExcludedWords().get(i).isBlank()) {
                problems.add("self_instruct.excluded_words[" + i + "] is blank");
            }
        }
        if (!SelfInstruct.ORDERS.contains(s.getInstanceOrder())) {
            problems.add("self_instruct.instance_order '" + s.getInstanceOrder()
                    + "' is unknown; use auto, input_first or output_first");
        }
        modelParams("self_instruct.instruction_model", s.getInstructionModel(), limits, problems);
        int limit = SelfInstruct.MAX_POOL_LIMIT;
        if (s.getPoolLimit() < 1 || s.getPoolLimit() > limit) {
            problems.add("self_instruct.pool_limit must be within [1, " + limit + "], got " + s.getPoolLimit());
        }
    }

    /** What a recipe's built-in step plan cannot be combined with. */
    private static void recipeExclusions(
            GenerationRequest request, String recipe, String steps, List<String> problems) {
        String kind = "task.kind " + request.getTask().getKind();
        if (!request.getSteps().isEmpty()) {
            problems.add("steps cannot be combined with " + kind + ": its steps are " + steps);
        }
        if (!request.getTask().getOutputFields().isEmpty()) {
            problems.add("task.output_fields cannot be set for " + kind + ": its fields are built in");
        }
        if (!request.getTask().getLabels().isEmpty()) {
            problems.add("task.labels cannot be set for " + kind + ": nothing in a " + recipe + " is labelled");
        }
        if (request.getChainOfThought()) {
            problems.add("chain_of_thought cannot be used with " + kind);
        }
        if (request.getDemonstrations() > 0) {
            problems.add("demonstrations cannot be used with " + kind);
        }
    }

    /** The conversation recipe's settings, and what a conversation cannot be combined with. */
    private static void conversation(GenerationRequest request, Limits limits, List<String> problems) {
        Conversation c = request.getConversation();
        if (!Conversations.of(request)) {
            if (c != null) {
                problems.add("conversation is set but task.kind is '"
                        + request.getTask().getKind() + "'; use task.kind conversation, or leave conversation out");
            }
            return;
        }
        recipeExclusions(request, "conversation", "the turns (conversation.turns)", problems);
        if (c == null) {
            return;
        }
        if (c.getTurns() < 1 || c.getTurns() > Conversations.MAX_TURNS) {
            problems.add("conversation.turns must be within [1, " + Conversations.MAX_TURNS + "], got " + c.getTurns());
        }
        if (c.getMinTurns() < 1 || c.getMinTurns() > Math.max(1, c.getTurns())) {
            problems.add("conversation.min_turns must be within [1, conversation.turns = " + c.getTurns() + "], got "
                    + c.getMinTurns());
        }
        if (!Conversations.JUDGE_TURNS.contains(c.getJudgeTurns())) {
            problems.add("conversation.judge_turns '" + c.getJudgeTurns() + "' is unknown; use all or last");
        }
        modelParams("conversation.user_model", c.getUserModel(), limits, problems);
        modelParams("conversation.assistant_model", c.getAssistantModel(), limits, problems);
    }

    private static void checkFields(
            List<OutputField> fields, String where, List<String> labels, List<String> problems) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < fields.size(); i++) {
            OutputField f = fields.get(i);
            if (!names.add(f.getName())) {
                problems.add(where + "[" + i + "]: field '" + f.getName() + "' is declared twice");
            }
            if (!TaskKinds.FIELD_TYPES.contains(f.getType())) {
                problems.add(where + "[" + i + "]: type '" + f.getType() + "' of field '" + f.getName()
                        + "' is not understood; use one of " + new java.util.TreeSet<>(TaskKinds.FIELD_TYPES));
            }
            if ("label".equals(f.getType()) && labels.isEmpty()) {
                problems.add(
                        where + "[" + i + "]: field '" + f.getName() + "' has type label but task.labels is empty");
            }
        }
    }

    private static void checkAttributes(GenerationRequest request, List<String> problems) {
        Set<String> names = new HashSet<>();
        for (Attribute a : request.getAttributes()) {
            if (!names.add(a.getName())) {
                problems.add("attributes: '" + a.getName() + "' is declared twice");
            }
            boolean listed = !a.getValues().isEmpty() || !a.getValuesBy().isEmpty();
            if (a.getPropose() != null) {
                if (a.getPropose() < 2 || a.getPropose() > MAX_PROPOSED) {
                    problems.add("attributes." + a.getName() + ".propose must be within [2, " + MAX_PROPOSED + "], got "
                            + a.getPropose());
                }
                if (listed && a.getProposedBy() == null) {
                    problems.add("attributes." + a.getName() + " both lists values and asks to propose them;"
                            + " do one or the other");
                }
            } else if (!listed) {
                problems.add("attributes." + a.getName() + " has no values; list them, or set propose: N to let"
                        + " the model propose N");
            }
            if (!a.getValuesBy().isEmpty() && a.getDependsOn() == null) {
                problems.add("attributes." + a.getName() + ".values_by needs depends_on (the attribute whose values"
                        + " are its keys)");
            }
            if (a.getDependsOn() != null && "balanced".equals(request.getSamplingMode())) {
                problems.add("attributes." + a.getName() + ".depends_on: sampling_mode balanced does not support"
                        + " dependent attributes; use weighted");
            }
            a.getValuesBy()
                    .forEach((parentValue, values) -> values.forEach(v -> {
                        if (v.getWeight() < 0 || Double.isNaN(v.getWeight())) {
                            problems.add("attributes." + a.getName() + ".values_by." + parentValue + ": weight of '"
                                    + v.getValue() + "' must be >= 0");
                        }
                    }));
            double total = 0;
            for (AttributeValue v : a.getValues()) {
                if (v.getWeight() < 0 || Double.isNaN(v.getWeight())) {
                    problems.add("attributes." + a.getName() + ": weight of '" + v.getValue() + "' must be >= 0");
                }
                total += v.getWeight();
            }
            if (!a.getValues().isEmpty() && total <= 0) {
                problems.add("attributes." + a.getName() + ": weights sum to 0");
            }
        }
        try {
            java.util.Map<String, Attribute> byName = new java.util.HashMap<>();
            for (Attribute a : AttributeSpace.ordered(request)) {
                byName.put(a.getName(), a);
                Attribute parent = a.getDependsOn() == null ? null : byName.get(a.getDependsOn());
                if (parent != null
                        && parent.getPropose() == null
                        && !parent.getValues().isEmpty()) {
                    Set<String> parentValues = new HashSet<>();
                    parent.getValues().forEach(v -> parentValues.add(v.getValue()));
                    for (String key : a.getValuesBy().keySet()) {
                        if (!parentValues.contains(key)) {
                            problems.add("attributes." + a.getName() + ".values_by." + key + ": '" + key
                                    + "' is not a value of " + parent.getName() + " " + parentValues);
                        }
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if ("balanced".equals(request.getSamplingMode())) {
            try {
                long cells = 1;
                for (Attribute a : AttributeSpace.of(request)) {
                    cells = Math.multiplyExact(cells, Math.max(1, a.getValues().size()));
                }
            } catch (ArithmeticException e) {
                problems.add("sampling_mode balanced: the attribute space has more than 2^63 combinations;"
                        + " use weighted sampling");
            }
        }
        if (request.getConditions() != null && request.getConditions().isEmpty()) {
            problems.add("conditions is an empty list; leave it out to sample the attribute space");
        }
    }

    /**
     * The seed fields ({@code {{ seed.x }}}) the request's templates read: found by rendering
     * them with a seed that records every field asked of it.
     */
    static Set<String> seedFieldsUsed(GenerationRequest request) {
        SeedRecorder seed = new SeedRecorder();
        checkSteps(request, new ArrayList<>(), seed);
        return new java.util.TreeSet<>(seed.asked);
    }

    /** A seed that has every field: it records the names templates ask for. */
    private static final class SeedRecorder extends HashMap<String, String> {
        private static final long serialVersionUID = 1L;
        final Set<String> asked = new HashSet<>();

        @Override
        public boolean containsKey(Object key) {
            asked.add(String.valueOf(key));
            return true;
        }

        @Override
        public String get(Object key) {
            asked.add(String.valueOf(key));
            return "x";
        }
    }

    /** @param seed the seed to render with; null uses a recording one for seeded requests */
    private static void checkSteps(GenerationRequest request, List<String> problems, SeedRecorder seed) {
        List<StepPlan> steps = StepPlan.of(request);
        Map<String, String> attributes = placeholderAttributes(request);
        Map<String, Map<String, String>> earlier = new LinkedHashMap<>();
        Map<String, String> seedVars = seed != null ? seed : Seeds.seeded(request) ? new SeedRecorder() : null;
        Set<String> reserved =
                PromptBuilder.variables(request, attributes, Map.of(), seedVars).keySet();
        boolean conversation = Conversations.of(request);
        if (SelfInstruct.of(request)) { // its instance steps' variable
            earlier.put(SelfInstruct.VARIABLE, Map.of("instruction", "x", "classification", "x"));
        }
        boolean declared = !request.getSteps().isEmpty() && !conversation && !Preferences.of(request);
        // a conversation's turns share two prompts: the first exchange checks them; Evol-Instruct's
        // rounds have built-in templates over the round's own variable: the task's step checks the rest
        int checked = conversation
                ? Math.min(2, steps.size())
                : Evolutions.of(request) && request.getSteps().isEmpty() ? 1 : steps.size();
        for (int i = 0; i < checked; i++) {
            StepPlan step = steps.get(i);
            String where = conversation
                    ? "conversation " + step.kind() + " turn"
                    : Preferences.of(request) && i > 0
                            ? "preference " + step.name()
                            : request.getSteps().isEmpty() ? "task" : "steps[" + i + "] (" + step.name() + ")";
            if (declared) {
                if (step.name() == null || step.name().isBlank()) {
                    problems.add(where + ": name is required");
                } else if (earlier.containsKey(step.name()) || reserved.contains(step.name())) {
                    problems.add(where + ": name '" + step.name()
                            + "' is already used by an earlier step, an attribute or a built-in variable");
                }
                if (!List.of("generate", "evolve").contains(step.kind())) {
                    problems.add(where + ": kind '" + step.kind() + "' is unknown; use generate or evolve");
                }
                if (step.outputFields().isEmpty()) {
                    problems.add(where + ": output_fields is required (only the last step inherits the task's)");
                }
                checkFields(
                        step.outputFields(),
                        where + ".output_fields",
                        request.getTask().getLabels(),
                        problems);
            }
            Map<String, Object> vars = PromptBuilder.variables(request, attributes, earlier, seedVars);
            checkTemplate(step.systemTemplate(), where + " system_template", vars, problems);
            checkTemplate(step.instructionTemplate(), where + " instruction_template", vars, problems);
            Map<String, String> outputs = new HashMap<>();
            step.outputFields().forEach(f -> outputs.put(f.getName(), "x"));
            outputs.put(PromptBuilder.RATIONALE, "x");
            earlier.put(step.name(), outputs);
        }
    }

    private static void checkTemplate(String template, String where, Map<String, Object> vars, List<String> problems) {
        if (template == null || template.isBlank()) {
            problems.add(where + " is empty");
            return;
        }
        try {
            Templates.render(template, vars);
        } catch (Templates.TemplateException e) {
            problems.add(
                    where + ": " + e.getMessage() + "; known variables: " + new java.util.TreeSet<>(vars.keySet()));
        }
    }

    /** One value per attribute (and explicit condition key) to render templates with. */
    private static Map<String, String> placeholderAttributes(GenerationRequest request) {
        Map<String, String> values = new HashMap<>();
        if (request.getSeeds() != null && !request.getSeeds().getCrossAttributes()) {
            return values; // seeds alone: no attribute is sampled, so none may be used
        }
        for (Attribute a : AttributeSpace.of(request)) {
            values.put(
                    a.getName(),
                    a.getValues().isEmpty() ? "x" : a.getValues().get(0).getValue());
        }
        if (request.getConditions() != null) {
            for (Map<String, String> c : request.getConditions()) {
                c.forEach(values::putIfAbsent);
            }
        }
        return values;
    }
}
