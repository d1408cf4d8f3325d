package io.synthstream.generator.logic;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.ModelParams;
import io.synthstream.avro.OutputField;
import io.synthstream.avro.Preference;
import io.synthstream.avro.StepTrace;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.task.DefaultTemplates;
import io.synthstream.common.task.TaskKinds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The preference-pair recipe (UltraFeedback; the data of DPO and reward models): a prompt, {@code
 * k} candidate responses (optionally from different models or temperatures), and a judge that
 * rates each candidate from 1 to 5 against a rubric ({@code absolute}) or compares every pair in
 * both orders ({@code pairwise}, which cancels the judge's position bias: a pair whose two orders
 * disagree is a tie). The sample is the pair: the best-scored candidate as {@code chosen}, the
 * worst as {@code rejected}, their scores and the margin; whether a tie or a small margin is kept
 * is the curator's decision ({@code PREFERENCE_MARGIN}).
 *
 * <p>Like a conversation, the recipe is a step plan ({@code prompt, candidate_1..k, rating_i or
 * compare_i_j}) with templates over earlier steps, so every call is held, resumed, repaired and
 * priced as any multi-step sample's; a rating outside 1-5 or a winner other than A, B or tie is a
 * reply that did not parse (one repair turn, then {@code unparseable_output}).
 */
public final class Preferences {
    public static final String PROMPT = "prompt";
    static final String RESPONSE = "response";
    static final String SCORE = "score";
    static final String WINNER = "winner";
    static final String REASON = "reason";
    static final String CANDIDATE = "candidate";
    static final String RATING = "rating";
    static final String COMPARE = "compare";

    public static final int MIN_CANDIDATES = 2;
    public static final int MAX_CANDIDATES = 8;
    public static final List<String> RATINGS = List.of("absolute", "pairwise");
    public static final List<String> TIES = List.of("reject", "keep");

    /** The built-in rubric: UltraFeedback's four aspects in one score. */
    public static final String DEFAULT_RUBRIC = """
            Rate how good the response is as an AI assistant's answer to the request, weighing:
            - instruction following: it does what was asked, in the form asked for;
            - helpfulness: it is complete, specific and useful;
            - truthfulness: nothing it states is false or invented;
            - honesty: it says when it is unsure, and does not refuse a harmless request.
            5 = excellent on every aspect; 4 = good with a minor flaw; 3 = acceptable but clearly
            incomplete or partly wrong; 2 = mostly unhelpful or wrong; 1 = unusable, off-topic or a refusal.""";

    static final String JUDGE_SYSTEM = "You are a strict, fair and consistent judge of AI assistants' responses.";
    static final String ASSISTANT_SYSTEM = "You are a helpful, honest and knowledgeable assistant.";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Preferences() {}

    /** Whether the request is a preference-pair request. */
    public static boolean of(GenerationRequest spec) {
        return TaskKinds.PREFERENCE.equals(spec.getTask().getKind());
    }

    /** The request's preference settings, the defaults where it gives none. */
    public static Preference settings(GenerationRequest spec) {
        return spec.getPreference() == null ? Preference.newBuilder().build() : spec.getPreference();
    }

    /** Judge calls per sample: k ratings, or k(k-1) ordered comparisons. */
    public static int judgeCalls(Preference p) {
        int k = p.getCandidates();
        return "pairwise".equals(p.getRating()) ? k * (k - 1) : k;
    }

    /** The step plan: the prompt, the candidates, then the ratings or the comparisons in both orders. */
    static List<StepPlan> steps(GenerationRequest spec) {
        Preference p = settings(spec);
        int k = Math.max(MIN_CANDIDATES, Math.min(MAX_CANDIDATES, p.getCandidates()));
        List<StepPlan> steps = new ArrayList<>();
        steps.add(new StepPlan(
                PROMPT,
                "generate",
                orElse(
                        spec.getTask().getSystemTemplate(),
                        DefaultTemplates.system(spec.getTask().getKind())),
                orElse(
                        spec.getTask().getInstructionTemplate(),
                        DefaultTemplates.instruction(spec.getTask().getKind())),
                List.of(TaskKinds.field(PROMPT, "string", true, "The user's request.")),
                null));
        List<ModelParams> models = p.getCandidateModels();
        for (int i = 1; i <= k; i++) {
            steps.add(new StepPlan(
                    candidate(i),
                    CANDIDATE,
                    orElse(p.getAssistantSystemTemplate(), ASSISTANT_SYSTEM),
                    "{{ prompt.prompt }}",
                    List.of(TaskKinds.field(RESPONSE, "string", true, "Your complete response to the request.")),
                    models.isEmpty() ? null : models.get((i - 1) % models.size())));
        }
        String judgeSystem =
                JUDGE_SYSTEM + "\n\n" + orElse(p.getRubric(), DEFAULT_RUBRIC).strip();
        List<OutputField> reason = List.of(TaskKinds.field(REASON, "string", false, "One or two sentences on why."));
        if ("pairwise".equals(p.getRating())) {
            for (int i = 1; i <= k; i++) {
                for (int j = i + 1; j <= k; j++) {
                    steps.add(compare(judgeSystem, i, j, reason, p.getJudgeModel()));
                    steps.add(compare(judgeSystem, j, i, reason, p.getJudgeModel()));
                }
            }
        } else {
            for (int i = 1; i <= k; i++) {
                List<OutputField> fields = new ArrayList<>(reason);
                fields.add(TaskKinds.field(SCORE, "integer", true, "The score, an integer from 1 to 5."));
                steps.add(new StepPlan(
                        RATING + "_" + i,
                        RATING,
                        judgeSystem,
                        "Request:\n{{ prompt.prompt }}\n\nResponse:\n{{ " + candidate(i) + "." + RESPONSE + " }}\n\n"
                                + "Rate the response from 1 to 5 against the rubric.",
                        fields,
                        p.getJudgeModel()));
            }
        }
        return steps;
    }

    private static StepPlan compare(String system, int a, int b, List<OutputField> reason, ModelParams judge) {
        List<OutputField> fields = new ArrayList<>(reason);
        fields.add(TaskKinds.field(WINNER, "string", true, "A, B or tie."));
        return new StepPlan(
                COMPARE + "_" + a + "_" + b,
                COMPARE,
                system,
                "Request:\n{{ prompt.prompt }}\n\nResponse A:\n{{ " + candidate(a) + "." + RESPONSE + " }}\n\n"
                        + "Response B:\n{{ " + candidate(b) + "." + RESPONSE + " }}\n\n"
                        + "Which response is better against the rubric? Answer A, B, or tie when neither is.",
                fields,
                judge);
    }

    /** A judge step's call, its reply schema bounded: a score from 1 to 5, a winner A, B or tie. */
    static LlmRequest request(LlmRequest built, StepPlan step) {
        if (built.schema() == null || !(RATING.equals(step.kind()) || COMPARE.equals(step.kind()))) {
            return built;
        }
        ObjectNode schema = built.schema().deepCopy();
        ObjectNode properties = (ObjectNode) schema.path("properties");
        if (RATING.equals(step.kind())) {
            ((ObjectNode) properties.path(SCORE)).put("minimum", 1).put("maximum", 5);
        } else {
            ArrayNode allowed = ((ObjectNode) properties.path(WINNER)).putArray("enum");
            allowed.add("A").add("B").add("tie");
        }
        return built.withSchema(schema);
    }

    /** What is wrong with a judge step's parsed reply, or null: it is then handled as a reply that did not parse. */
    static String problem(StepPlan step, Map<String, String> output) {
        if (RATING.equals(step.kind())) {
            String score = String.valueOf(output.get(SCORE)).strip();
            try {
                int value = (int) Double.parseDouble(score);
                if (value == Double.parseDouble(score) && value >= 1 && value <= 5) {
                    return null;
                }
            } catch (NumberFormatException e) {
                // falls through
            }
            return "\"score\" must be an integer from 1 to 5, got " + abbreviate(score);
        }
        if (COMPARE.equals(step.kind())) {
            String winner = String.valueOf(output.get(WINNER)).strip();
            return List.of("a", "b", "tie").contains(winner.toLowerCase(Locale.ROOT))
                    ? null
                    : "\"winner\" must be A, B or tie, got " + abbreviate(winner);
        }
        return null;
    }

    /**
     * The chosen and rejected candidates of scores (one per candidate, in order): the first of the
     * best and the last of the worst, so a tie of two keeps their order.
     */
    public record Pair(int chosen, int rejected, double chosenScore, double rejectedScore) {
        public double margin() {
            return chosenScore - rejectedScore;
        }

        public boolean tie() {
            return margin() == 0;
        }
    }

    /** The pair of {@code scores} (at least two). */
    public static Pair select(List<Double> scores) {
        int best = 0;
        int worst = scores.size() - 1;
        for (int i = 0; i < scores.size(); i++) {
            if (scores.get(i) > scores.get(best)) {
                best = i;
            }
        }
        for (int i = scores.size() - 1; i >= 0; i--) {
            if (scores.get(i) < scores.get(worst)) {
                worst = i;
            }
        }
        if (best == worst) { // every score equal: the first against the last
            best = 0;
            worst = scores.size() - 1;
        }
        return new Pair(best, worst, scores.get(best), scores.get(worst));
    }

    /**
     * Each candidate's wins over {@code k} candidates from the winners of the ordered comparisons
     * ({@code winners.get("i_j")} with candidate i shown as A): a pair whose two orders name the
     * same candidate is its win; otherwise (they disagree, or either says tie) half a win each.
     */
    public static List<Double> wins(int k, Map<String, String> winners) {
        double[] wins = new double[k];
        for (int i = 1; i <= k; i++) {
            for (int j = i + 1; j <= k; j++) {
                int first = winnerOf(winners.get(i + "_" + j), i, j);
                int second = winnerOf(winners.get(j + "_" + i), j, i);
                if (first != 0 && first == second) {
                    wins[first - 1] += 1;
                } else {
                    wins[i - 1] += 0.5;
                    wins[j - 1] += 0.5;
                }
            }
        }
        List<Double> list = new ArrayList<>();
        for (double w : wins) {
            list.add(w);
        }
        return list;
    }

    private static int winnerOf(String winner, int a, int b) {
        String w = winner == null ? "" : winner.strip().toLowerCase(Locale.ROOT);
        return w.equals("a") ? a : w.equals("b") ? b : 0;
    }

    /** The sample's fields from its steps' traces. */
    static Map<String, String> fields(GenerationRequest spec, List<StepTrace> traces) {
        Preference p = settings(spec);
        Map<String, StepTrace> byName = new LinkedHashMap<>();
        traces.forEach(t -> byName.put(t.getName(), t));
        int k = (int) traces.stream()
                .filter(t -> t.getName().startsWith(CANDIDATE + "_"))
                .count();
        List<Double> scores = new ArrayList<>();
        String judgeModel = null;
        if ("pairwise".equals(p.getRating())) {
            Map<String, String> winners = new LinkedHashMap<>();
            byName.forEach((name, t) -> {
                if (name.startsWith(COMPARE + "_")) {
                    winners.put(
                            name.substring(COMPARE.length() + 1), t.getOutput().get(WINNER));
                }
            });
            scores.addAll(wins(k, winners));
            judgeModel = byName.get(COMPARE + "_1_2").getModel();
        } else {
            for (int i = 1; i <= k; i++) {
                scores.add(Double.parseDouble(
                        byName.get(RATING + "_" + i).getOutput().get(SCORE).strip()));
            }
            judgeModel = byName.get(RATING + "_1").getModel();
        }
        Pair pair = select(scores);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(PROMPT, byName.get(PROMPT).getOutput().get(PROMPT));
        StepTrace chosen = byName.get(candidate(pair.chosen() + 1));
        StepTrace rejected = byName.get(candidate(pair.rejected() + 1));
        fields.put("chosen", chosen.getOutput().get(RESPONSE));
        fields.put("rejected", rejected.getOutput().get(RESPONSE));
        fields.put("chosen_score", number(pair.chosenScore()));
        fields.put("rejected_score", number(pair.rejectedScore()));
        fields.put("margin", number(pair.margin()));
        fields.put("tie", Boolean.toString(pair.tie()));
        fields.put("chosen_model", chosen.getModel());
        fields.put("rejected_model", rejected.getModel());
        fields.put("judge_model", judgeModel);
        ArrayNode candidates = JSON.createArrayNode();
        for (int i = 1; i <= k; i++) {
            StepTrace t = byName.get(candidate(i));
            candidates
                    .addObject()
                    .put(RESPONSE, t.getOutput().get(RESPONSE))
                    .put("model", t.getModel())
                    .put(SCORE, scores.get(i - 1));
        }
        fields.put("candidates", candidates.toString());
        return fields;
    }

    /**
     * The model that both judges and writes candidates of a preference request, if any: LLM judges
     * favour their own outputs (self-preference bias), so such pairs lean towards the judge's style.
     * Models are compared by name ({@code model.model}; a request without one uses the app's default
     * for every role, which is then the same model).
     */
    public static java.util.Optional<String> selfPreference(GenerationRequest spec) {
        if (!of(spec)) {
            return java.util.Optional.empty();
        }
        Preference p = settings(spec);
        String fallback = spec.getModel().getModel() == null
                ? "the app's default model"
                : spec.getModel().getModel();
        String judge = p.getJudgeModel() != null && p.getJudgeModel().getModel() != null
                ? p.getJudgeModel().getModel()
                : fallback;
        List<ModelParams> models = p.getCandidateModels();
        for (int i = 0; i < Math.max(MIN_CANDIDATES, p.getCandidates()); i++) {
            ModelParams m = models.isEmpty() ? null : models.get(i % models.size());
            String writer = m != null && m.getModel() != null ? m.getModel() : fallback;
            if (writer.equals(judge)) {
                return java.util.Optional.of(judge);
            }
        }
        return java.util.Optional.empty();
    }

    private static String candidate(int i) {
        return CANDIDATE + "_" + i;
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 37) + "...";
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
