package io.synthstream.curator.logic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.OutputField;
import io.synthstream.avro.RejectionReason;
import io.synthstream.avro.Sample;
import io.synthstream.common.task.Messages;
import io.synthstream.common.task.TaskKinds;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The curator's first stage: a sample must have every required output field of its request, each
 * value must parse as its declared type, and a label must be in the task's label set.
 *
 * <p>Types: {@code string} (non-blank when required), {@code integer}, {@code number} (finite),
 * {@code boolean} ({@code true}/{@code false}), {@code label} (one of {@code task.labels}, when the
 * set is not empty), {@code list} (a JSON array of strings) and {@code messages} (a conversation:
 * {@link Messages#problem}).
 */
public final class SampleValidator {
    public static final String STAGE = "validation";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SampleValidator() {}

    public static Optional<Verdict> validate(Sample sample, GenerationRequest spec) {
        List<String> labels = spec.getTask().getLabels();
        for (OutputField field : TaskKinds.outputFields(spec)) {
            String value = sample.getFields().get(field.getName());
            if (value == null || value.isBlank()) {
                if (field.getRequired()) {
                    return reject("required field '%s' is missing or blank", field.getName());
                }
                continue;
            }
            Optional<String> problem = typeProblem(field.getType(), value.strip(), labels);
            if (problem.isPresent()) {
                return reject("field '%s' %s", field.getName(), problem.get());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> typeProblem(String type, String value, List<String> labels) {
        switch (type) {
            case "string":
                return Optional.empty();
            case "integer":
                try {
                    Long.parseLong(value);
                    return Optional.empty();
                } catch (NumberFormatException e) {
                    return Optional.of("is not an integer: " + abbreviate(value));
                }
            case "number":
                try {
                    double number = Double.parseDouble(value);
                    return Double.isFinite(number)
                            ? Optional.empty()
                            : Optional.of("is not a finite number: " + abbreviate(value));
                } catch (NumberFormatException e) {
                    return Optional.of("is not a number: " + abbreviate(value));
                }
            case "boolean":
                String lower = value.toLowerCase(Locale.ROOT);
                return lower.equals("true") || lower.equals("false")
                        ? Optional.empty()
                        : Optional.of("is not true or false: " + abbreviate(value));
            case "label":
                return labels.isEmpty() || labels.contains(value)
                        ? Optional.empty()
                        : Optional.of("has label '" + abbreviate(value) + "' outside the label set " + labels);
            case "list":
                try {
                    JsonNode node = JSON.readTree(value);
                    if (node != null && node.isArray()) {
                        for (JsonNode item : node) {
                            if (!item.isTextual()) {
                                return Optional.of("is a JSON array with a non-string item");
                            }
                        }
                        return Optional.empty();
                    }
                    return Optional.of("is not a JSON array of strings: " + abbreviate(value));
                } catch (IOException e) {
                    return Optional.of("is not a JSON array of strings: " + abbreviate(value));
                }
            case TaskKinds.MESSAGES:
                return Messages.problem(value);
            default:
                return Optional.of("has unknown type '" + type + "'");
        }
    }

    private static String abbreviate(String value) {
        return value.length() <= 60 ? value : value.substring(0, 57) + "...";
    }

    private static Optional<Verdict> reject(String format, Object... args) {
        return Optional.of(new Verdict(RejectionReason.VALIDATION, STAGE, String.format(Locale.ROOT, format, args)));
    }
}
