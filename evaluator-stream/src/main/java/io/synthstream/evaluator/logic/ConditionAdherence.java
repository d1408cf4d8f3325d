package io.synthstream.evaluator.logic;

import io.synthstream.common.text.TextNormalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Cheap checks, without an LLM, that an output reflects the attribute values it was conditioned
 * on. The score is the share of applicable checks passed, in [0,1]; null when no check applies.
 *
 * <ul>
 *   <li><b>label</b>: when the sample has both a {@code label} attribute and a {@code label} field,
 *       they must be equal (case-insensitive).
 *   <li><b>length class</b>: an attribute whose name contains {@code length} or {@code size} with
 *       value {@code short}, {@code medium} or {@code long} bounds the word count of the text:
 *       short ≤ {@value #SHORT_MAX} words, medium {@value #MEDIUM_MIN}–{@value #MEDIUM_MAX}, long ≥
 *       {@value #LONG_MIN}.
 *   <li><b>mention</b>: any other value must be mentioned: at least one of its content words (four
 *       letters or more, not a stop word) occurs in the text, comparing the first
 *       {@value #STEM} letters so that "sport" matches "sports". Values without a content word
 *       (codes, numbers) are not checked.
 * </ul>
 *
 * <p>A request declares the check of an attribute with {@code attributes[].adherence} ({@code
 * mention}, {@code length} or {@code none}); the name-based inference above applies otherwise.
 */
public final class ConditionAdherence {
    static final int SHORT_MAX = 60;
    static final int MEDIUM_MIN = 20;
    static final int MEDIUM_MAX = 200;
    static final int LONG_MIN = 80;
    static final int STEM = 5;

    private static final Pattern LENGTH_ATTRIBUTE = Pattern.compile("(?i).*(length|size).*");
    private static final Set<String> STOP_WORDS = Set.of(
            "about", "above", "after", "again", "also", "some", "such", "that", "their", "them", "then", "there",
            "these", "they", "this", "those", "very", "what", "when", "where", "which", "with", "from", "into", "more",
            "most", "other", "only", "over", "same", "than", "your", "have", "been", "were", "will", "would");

    private ConditionAdherence() {}

    /** A check and whether it passed, for explanations and tests. */
    public record Check(String attribute, String kind, boolean passed) {}

    /** The declared checks: {@code mention}, {@code length} or {@code none}. */
    public static final List<String> KINDS = List.of("mention", "length", "none");

    public static Double score(Map<String, String> attributes, Map<String, String> fields, String text) {
        return score(attributes, Map.of(), fields, text);
    }

    /**
     * @param declared attribute name to its declared check (attributes not in it are inferred)
     */
    public static Double score(
            Map<String, String> attributes, Map<String, String> declared, Map<String, String> fields, String text) {
        List<Check> checks = checks(attributes, declared, fields, text);
        if (checks.isEmpty()) {
            return null;
        }
        return checks.stream().filter(Check::passed).count() / (double) checks.size();
    }

    public static List<Check> checks(Map<String, String> attributes, Map<String, String> fields, String text) {
        return checks(attributes, Map.of(), fields, text);
    }

    public static List<Check> checks(
            Map<String, String> attributes, Map<String, String> declared, Map<String, String> fields, String text) {
        List<String> words = TextNormalizer.words(TextNormalizer.normalize(text));
        List<Check> checks = new ArrayList<>();
        new java.util.TreeMap<>(attributes).forEach((name, value) -> {
            String v = value.strip().toLowerCase(Locale.ROOT);
            String kind = declared.get(name);
            if ("none".equals(kind)) {
                return;
            }
            boolean lengthClass = Set.of("short", "medium", "long").contains(v);
            if (name.equals("label") && kind == null) {
                String label = fields.get("label");
                if (label != null) {
                    checks.add(new Check(name, "label", label.strip().equalsIgnoreCase(value.strip())));
                }
            } else if (lengthClass
                    && ("length".equals(kind)
                            || (kind == null && LENGTH_ATTRIBUTE.matcher(name).matches()))) {
                int n = words.size();
                boolean ok = switch (v) {
                    case "short" -> n <= SHORT_MAX;
                    case "medium" -> n >= MEDIUM_MIN && n <= MEDIUM_MAX;
                    default -> n >= LONG_MIN;
                };
                checks.add(new Check(name, "length", ok));
            } else {
                List<String> content = TextNormalizer.words(TextNormalizer.normalize(value)).stream()
                        .filter(w -> w.length() >= 4 && !STOP_WORDS.contains(w))
                        .toList();
                if (!content.isEmpty()) {
                    boolean mentioned =
                            content.stream().anyMatch(c -> words.stream().anyMatch(w -> stem(w).equals(stem(c))));
                    checks.add(new Check(name, "mention", mentioned));
                }
            }
        });
        return checks;
    }

    private static String stem(String word) {
        return word.length() <= STEM ? word : word.substring(0, STEM);
    }
}
