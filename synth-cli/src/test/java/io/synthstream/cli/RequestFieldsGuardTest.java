package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.GenerationRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The guard of "every accepted setting does what its documentation says": every leaf field of the
 * request schema has a line in {@code request-field-tests.tsv} naming the test that changes it and
 * asserts a different outcome (the test must exist and its body must name the field), or a GAP
 * line saying what is missing, or a doc marked Reserved. A new field without any of these fails
 * the build; so does a line for a field that no longer exists, or a named test that is gone.
 * The GAP lines are the work left; each one that gets a test turns into a mapping.
 */
class RequestFieldsGuardTest {
    private static final String GAP = "GAP";

    record Line(String path, String test, String mention) {}

    static Map<String, Line> lines() {
        Map<String, Line> lines = new LinkedHashMap<>();
        try (var in =
                Objects.requireNonNull(RequestFieldsGuardTest.class.getResourceAsStream("/request-field-tests.tsv"))) {
            for (String raw : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (raw.isBlank() || raw.startsWith("#")) {
                    continue;
                }
                String[] cols = raw.split("\t");
                assertThat(lines.put(cols[0], new Line(cols[0], cols[1], cols.length > 2 ? cols[2] : null)))
                        .as("one line per field: %s", cols[0])
                        .isNull();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

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

    /** The body of test {@code method} in {@code module}'s test sources, or null. */
    static String body(String module, String cls, String method) {
        try (Stream<Path> files = Files.walk(Path.of("..", module, "src", "test", "java"))) {
            for (Path file : files.filter(p -> p.getFileName().toString().equals(cls + ".java"))
                    .toList()) {
                String source = Files.readString(file);
                int at = source.indexOf("void " + method + "(");
                if (at >= 0) {
                    int next = source.indexOf("@Test", at);
                    return source.substring(at, next < 0 ? source.length() : next);
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
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
        Map<String, Line> lines = lines();
        List<String> problems = new ArrayList<>();
        leaves.forEach((path, reserved) -> {
            if (!reserved && !lines.containsKey(path)) {
                problems.add(path + ": no test named in request-field-tests.tsv and not Reserved");
            }
        });
        List<String> gaps = new ArrayList<>();
        for (Line line : lines.values()) {
            if (!leaves.containsKey(line.path())) {
                problems.add(line.path() + ": no such field in the request schema (a stale line)");
                continue;
            }
            if (GAP.equals(line.test())) {
                gaps.add(line.path());
                continue;
            }
            String[] parts = line.test().split("[/#]");
            String body = parts.length == 3 ? body(parts[0], parts[1], parts[2]) : null;
            if (body == null) {
                problems.add(line.path() + ": test " + line.test() + " does not exist");
                continue;
            }
            String name = line.path().substring(line.path().lastIndexOf('.') + 1);
            boolean named = body.contains(name)
                    || body.contains(camel(name))
                    || (line.mention() != null && body.contains(line.mention()));
            if (!named) {
                problems.add(line.path() + ": test " + line.test() + " never names the field");
            }
        }
        assertThat(problems).as("request fields without a guard").isEmpty();
        System.out.println(
                "request fields still without a named test (GAP lines, the work left): " + gaps.size() + " " + gaps);
    }
}
