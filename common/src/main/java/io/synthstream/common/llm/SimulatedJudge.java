package io.synthstream.common.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The simulator's judge: it reads the judge prompt the evaluator sends (allowed labels, conditions,
 * the sample's fields) and applies the default rubric to the text alone, with the simulator's own
 * vocabulary as its "understanding" of tone. It never sees how the text was made: a planted
 * mislabelled or low-quality sample is caught because its text gives it away, or not at all.
 *
 * <p>The rubric, point by point (start at 5, floor 1):
 *
 * <ul>
 *   <li>a refusal scores 1;
 *   <li>with labels, a text that expresses none of them clearly loses 2;
 *   <li>each condition value the text does not mention loses 1;
 *   <li>an incoherent text (a sentence that does not start with a capital, a word said twice in a
 *       row) loses 2;
 *   <li>otherwise one verdict in seven finds a minor flaw and gives 4 (judges are not unanimous).
 * </ul>
 *
 * The label it names is the one whose tone the text carries (confidence 0.9, or 0.95 with two or
 * more tone sentences); when no tone is clear, the sample's own label at confidence 0.4, below any
 * sensible relabel threshold.
 */
public final class SimulatedJudge {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SimulatedJudge() {}

    /** Whether a call is a judge call: its reply schema asks for a score and a rationale. */
    public static boolean isJudgeCall(ObjectNode schema) {
        return schema != null
                && schema.path("properties").has("score")
                && schema.path("properties").has("rationale");
    }

    /** The verdict, as JSON, on the sample in {@code prompt} (the judge's user message). */
    public static String verdict(String prompt, ObjectNode schema, long seed) {
        Prompt read = Prompt.read(prompt);
        ObjectNode verdict = JSON.createObjectNode();
        List<String> problems = new ArrayList<>();
        String text = read.text().toLowerCase(Locale.ROOT);
        int score = 5;
        String expressed = null;
        int evidence = 0;
        if (text.contains(SimulatedContent.REFUSAL.toLowerCase(Locale.ROOT))) {
            score = 1;
            problems.add("the sample is a refusal");
        } else {
            if (!read.labels().isEmpty()) {
                Map<String, Integer> tone = new LinkedHashMap<>();
                for (String label : read.labels()) {
                    tone.put(label, SimulatedContent.toneEvidence(text, label));
                }
                int best =
                        tone.values().stream().mapToInt(Integer::intValue).max().orElse(0);
                List<String> leaders = tone.entrySet().stream()
                        .filter(e -> e.getValue() == best)
                        .map(Map.Entry::getKey)
                        .toList();
                if (best > 0 && leaders.size() == 1) {
                    expressed = leaders.get(0);
                    evidence = best;
                } else {
                    score -= 2;
                    problems.add("the text expresses none of the labels clearly");
                }
            }
            for (Map.Entry<String, String> condition : read.conditions().entrySet()) {
                if (read.labels().contains(condition.getValue())) {
                    continue; // the label is judged above, not as a word to mention
                }
                if (!text.contains(condition.getValue().toLowerCase(Locale.ROOT))) {
                    score -= 1;
                    problems.add("it does not reflect " + condition.getKey() + "=" + condition.getValue());
                }
            }
            if (read.seed() != null && !supported(read.text(), read.seed())) {
                score -= 2;
                problems.add("it states things the seed does not support");
            }
            if (incoherent(read.text())) {
                score -= 2;
                problems.add("its word order is incoherent");
            }
            if (problems.isEmpty() && new SplittableRandom(seed).nextInt(7) == 0) {
                score = 4;
                problems.add("one phrase is a little awkward");
            }
        }
        verdict.put("score", Math.max(1, score));
        verdict.put(
                "rationale", problems.isEmpty() ? "Faithful: clear, on its conditions, fluent." : rationale(problems));
        if (schema.path("properties").has("label") && !read.labels().isEmpty()) {
            if (expressed != null) {
                verdict.put("label", expressed);
                verdict.put("label_confidence", evidence >= 2 ? 0.95 : 0.9);
            } else {
                String own = read.sampleLabel() != null
                        ? read.sampleLabel()
                        : read.labels().get(0);
                verdict.put("label", own);
                verdict.put("label_confidence", 0.4);
            }
        }
        return verdict.toString();
    }

    private static String rationale(List<String> problems) {
        String joined = String.join("; ", problems);
        return Character.toUpperCase(joined.charAt(0)) + joined.substring(1) + ".";
    }

    /** A sentence that starts in lower case, or a word said twice in a row. */
    static boolean incoherent(String text) {
        String[] words = text.trim().split("\\s+");
        for (int i = 1; i < words.length; i++) {
            if (!words[i].isEmpty() && words[i].equalsIgnoreCase(words[i - 1])) {
                return true;
            }
        }
        for (String sentence : text.split("(?<=[.!?])\\s+")) {
            String s = sentence.strip();
            if (!s.isEmpty() && Character.isLetter(s.charAt(0)) && !Character.isUpperCase(s.charAt(0))) {
                return true;
            }
        }
        return false;
    }

    /** What the judge prompt says, read back from its lines. */
    /**
     * Whether most content words (five letters or more) of {@code text} occur in {@code seed}:
     * the simulator's test of "supported by the passage".
     */
    static boolean supported(String text, String seed) {
        String source = seed.toLowerCase(Locale.ROOT);
        int content = 0;
        int found = 0;
        for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (word.length() >= 5
                    && !List.of("passage", "states", "according", "about", "what")
                            .contains(word)) {
                content++;
                if (source.contains(word)) {
                    found++;
                }
            }
        }
        return content == 0 || found * 2 >= content;
    }

    private record Prompt(
            List<String> labels, Map<String, String> conditions, String sampleLabel, String text, String seed) {
        static Prompt read(String prompt) {
            List<String> labels = new ArrayList<>();
            Map<String, String> conditions = new LinkedHashMap<>();
            String sampleLabel = null;
            String seed = null;
            StringBuilder text = new StringBuilder();
            String[] lines = prompt == null ? new String[0] : prompt.split("\n");
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i];
                if (line.startsWith("Allowed labels: ")) {
                    for (String l : line.substring("Allowed labels: ".length()).split(",")) {
                        if (!l.isBlank()) {
                            labels.add(l.strip());
                        }
                    }
                } else if (line.startsWith("Conditions: ")) {
                    JsonNode node = parse(line.substring("Conditions: ".length()));
                    node.fields()
                            .forEachRemaining(
                                    e -> conditions.put(e.getKey(), e.getValue().asText()));
                } else if (line.startsWith("Seed (") && i + 1 < lines.length) {
                    StringBuilder values = new StringBuilder();
                    parse(lines[i + 1])
                            .fields()
                            .forEachRemaining(
                                    e -> values.append(e.getValue().asText()).append('\n'));
                    seed = values.toString();
                } else if (line.equals("Sample:") && i + 1 < lines.length) {
                    Iterator<Map.Entry<String, JsonNode>> fields =
                            parse(lines[i + 1]).fields();
                    while (fields.hasNext()) {
                        Map.Entry<String, JsonNode> field = fields.next();
                        String value = field.getValue().asText();
                        if (sampleLabel == null && labels.contains(value)) {
                            sampleLabel = value;
                        } else {
                            text.append(value).append('\n');
                        }
                    }
                }
            }
            return new Prompt(labels, conditions, sampleLabel, text.toString().strip(), seed);
        }

        private static JsonNode parse(String json) {
            try {
                return JSON.readTree(json);
            } catch (java.io.IOException e) {
                return JSON.createObjectNode();
            }
        }
    }
}
