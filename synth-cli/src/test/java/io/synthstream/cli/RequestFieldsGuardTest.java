package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.GenerationRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The guard of "every accepted setting does what its documentation says": every leaf field of the
 * request schema has a line in {@code request-field-tests.tsv} naming the test that changes it and
 * asserts a different outcome (the test must exist and its body must name the field), or a doc
 * marked Reserved. A new field without either fails the build; so does a GAP line (a field known to
 * lack its test), a line for a field that no longer exists, or a named test that is gone.
 */
class RequestFieldsGuardTest {
    /** Leaf paths of the request schema (records are walked into), with whether their doc says Reserved. */
    static Map<String, Boolean> leaves() {
        Map<String, Boolean> leaves = new LinkedHashMap<>();
        walk(GenerationRequest.getClassSchema(), "", leaves);
        return leaves;
    }

    private static void walk(Schema record, String prefix, Map<String, Boolean> leaves) {
        for (Schema.Field field : record.getFields()) {
            Schema inner = recordOf(field.schema());
            if (inner != null) {
                walk(inner, prefix + field.name() + ".", leaves);
            } else {
                leaves.put(
                        prefix + field.name(),
                        field.doc() != null && field.doc().contains("eserved"));
            }
        }
    }

    private static Schema recordOf(Schema s) {
        return switch (s.getType()) {
            case RECORD -> s;
            case ARRAY -> recordOf(s.getElementType());
            case MAP -> recordOf(s.getValueType());
            case UNION ->
                s.getTypes().stream()
                        .map(RequestFieldsGuardTest::recordOf)
                        .filter(Objects::nonNull)
                        .findFirst()
                        .orElse(null);
            default -> null;
        };
    }

    private static String camel(String snake) {
        StringBuilder out = new StringBuilder();
        for (String part : snake.split("_")) {
            out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return out.toString();
    }

    @Test
    void everyRequestFieldHasATestThatChangesItOrSaysWhatIsMissing() {
        Map<String, Boolean> leaves = leaves();
        Map<String, Boolean> required = new LinkedHashMap<>();
        leaves.forEach((path, reserved) -> required.put(path, !reserved));
        List<String> problems =
                GuardFile.problems("/request-field-tests.tsv", required, "request field", (line, body) -> {
                    String name = line.name().substring(line.name().lastIndexOf('.') + 1);
                    return body.contains(name) || body.contains(camel(name));
                });
        assertThat(problems).as("request fields without a guard").isEmpty();
    }
}
