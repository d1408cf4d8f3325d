package io.synthstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.cli.indirect.LabelledText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Labelled texts for {@code synth evaluate}: from a file (JSON Lines, CSV with a header row, or
 * Parquet, read by {@link SeedFiles}) or from a dataset's exported rows. A record's text and label
 * are the fields named by the mapping, looked up at the top level, then (for rows as
 * {@code synth export} writes them) in its {@code fields} object; an exported row's final label
 * and weight come from its {@code quality} object.
 */
final class LabelledFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LabelledFiles() {}

    /** Which fields hold the text and the label. */
    record Mapping(String textField, String labelField) {}

    /** A set that cannot be used, with what was found. */
    static final class UnusableSetException extends IllegalArgumentException {
        UnusableSetException(String message) {
            super(message);
        }
    }

    /**
     * Every record of {@code file} as a labelled text.
     *
     * @param what the set's name in messages, e.g. {@code the real test set}
     * @throws UnusableSetException on an unreadable record, a record without the text or label
     *     field (naming the fields it has), or no records at all
     */
    static List<LabelledText> read(Path file, Mapping mapping, String what) {
        List<LabelledText> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        SeedFiles.read(file, Set.of(), new SeedFiles.Visitor() {
            @Override
            public void seed(SeedFiles.Seed seed) {
                ObjectNode row = JSON.createObjectNode();
                seed.fields().forEach((k, v) -> row.set(k, value(v)));
                try {
                    out.add(of(row, mapping));
                } catch (UnusableSetException e) {
                    problems.add("line " + seed.line() + ": " + e.getMessage());
                }
            }

            @Override
            public void problem(SeedFiles.Problem problem) {
                problems.add(problem.toString());
            }
        });
        if (!problems.isEmpty()) {
            throw new UnusableSetException(what + " (" + file + ") has " + problems.size() + " unusable record"
                    + (problems.size() == 1 ? "" : "s") + "; the first: " + problems.get(0));
        }
        if (out.isEmpty()) {
            throw new UnusableSetException(what + " (" + file + ") has no records");
        }
        return out;
    }

    /** The rows of a dataset (as {@code synth export} makes them) as labelled texts. */
    static List<LabelledText> fromRows(List<? extends JsonNode> rows, Mapping mapping, String what) {
        List<LabelledText> out = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            try {
                out.add(of(rows.get(i), mapping));
            } catch (UnusableSetException e) {
                throw new UnusableSetException(what + ", sample "
                        + rows.get(i).path("sample_id").asText("#" + (i + 1)) + ": " + e.getMessage());
            }
        }
        return out;
    }

    /** One record: text and label by the mapping; the final label and weight of an exported row. */
    static LabelledText of(JsonNode row, Mapping mapping) {
        String text = field(row, mapping.textField());
        if (text == null || text.isBlank()) {
            throw new UnusableSetException(
                    "no text field '" + mapping.textField() + "'; its fields are " + fieldNames(row));
        }
        JsonNode quality = row.path("quality");
        String label =
                quality.path("label").isTextual() ? quality.path("label").asText() : field(row, mapping.labelField());
        if (label == null || label.isBlank()) {
            throw new UnusableSetException(
                    "no label field '" + mapping.labelField() + "'; its fields are " + fieldNames(row));
        }
        double weight = quality.path("weight").isNumber()
                ? quality.path("weight").asDouble()
                : row.path("weight").isNumber()
                        ? row.path("weight").asDouble()
                        : row.path("weight").isTextual()
                                ? parseWeight(row.path("weight").asText())
                                : 1.0;
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new UnusableSetException("weight " + weight + " is not a positive number");
        }
        return new LabelledText(text, label, weight);
    }

    /**
     * Checks that a set can train or test a classifier for {@code labels}: every label it has is one
     * of them, and it has at least two (a single-class set trains nothing, and tests only one row
     * of the confusion matrix).
     */
    static void check(List<LabelledText> set, List<String> labels, String what) {
        Map<String, Long> counts = counts(set);
        Set<String> foreign = new LinkedHashSet<>(counts.keySet());
        labels.forEach(foreign::remove);
        if (!foreign.isEmpty()) {
            throw new UnusableSetException(what + " has labels that are not the task's " + labels + ": " + foreign
                    + " (found " + counts + ")");
        }
        if (counts.size() < 2) {
            throw new UnusableSetException(what + " has " + (counts.isEmpty() ? "no label" : "a single label " + counts)
                    + "; training and testing a classifier need examples of at least two labels");
        }
    }

    /** Examples per label, in label order. */
    static Map<String, Long> counts(List<LabelledText> set) {
        Map<String, Long> counts = new TreeMap<>();
        set.forEach(t -> counts.merge(t.label(), 1L, Long::sum));
        return counts;
    }

    private static String field(JsonNode row, String name) {
        JsonNode top = row.get(name);
        if (top != null && top.isValueNode() && !top.isNull()) {
            return top.asText();
        }
        JsonNode nested = row.path("fields").get(name);
        return nested != null && nested.isValueNode() && !nested.isNull() ? nested.asText() : null;
    }

    private static List<String> fieldNames(JsonNode row) {
        List<String> names = new ArrayList<>();
        row.fieldNames().forEachRemaining(names::add);
        row.path("fields").fieldNames().forEachRemaining(n -> names.add("fields." + n));
        return names;
    }

    /** A file value: an object written as JSON text (an exported row's fields, quality) is read back as one. */
    private static JsonNode value(String v) {
        if (v != null && v.startsWith("{")) {
            try {
                JsonNode node = JSON.readTree(v);
                if (node.isObject()) {
                    return node;
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                // not JSON: the text as it is
            }
        }
        return JSON.getNodeFactory().textNode(v);
    }

    private static double parseWeight(String s) {
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw new UnusableSetException("weight '" + s + "' is not a number");
        }
    }
}
