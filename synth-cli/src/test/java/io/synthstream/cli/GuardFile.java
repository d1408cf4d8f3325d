package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A guard file of "every accepted setting does what its documentation says": one line per request
 * field or app setting, {@code name<TAB>module/Class#method[<TAB>mention]} naming the test that
 * changes it and asserts a different outcome, or {@code name<TAB>GAP<TAB>what is missing}.
 */
final class GuardFile {
    static final String GAP = "GAP";

    record Line(String name, String test, String mention) {
        boolean gap() {
            return GAP.equals(test);
        }
    }

    private GuardFile() {}

    /** The lines of a resource, by name; a name given twice fails. */
    static Map<String, Line> read(String resource) {
        Map<String, Line> lines = new LinkedHashMap<>();
        try (var in = Objects.requireNonNull(GuardFile.class.getResourceAsStream(resource), resource)) {
            for (String raw : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (raw.isBlank() || raw.startsWith("#")) {
                    continue;
                }
                String[] cols = raw.split("\t");
                assertThat(lines.put(cols[0], new Line(cols[0], cols[1], cols.length > 2 ? cols[2] : null)))
                        .as("one line per name: %s", cols[0])
                        .isNull();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }

    /** The source of the test a line names ({@code module/Class#method}), up to the next test, or null. */
    static String body(String test) {
        String[] parts = test.split("[/#]");
        if (parts.length != 3) {
            return null;
        }
        try (Stream<Path> files = Files.walk(Path.of("..", parts[0], "src", "test", "java"))) {
            for (Path file : files.filter(p -> p.getFileName().toString().equals(parts[1] + ".java"))
                    .toList()) {
                String source = Files.readString(file);
                int at = source.indexOf("void " + parts[2] + "(");
                if (at >= 0) { // from its annotations (a parameterized test's arguments) to the next test
                    int start = Math.max(
                            Math.max(source.lastIndexOf("@Test", at), source.lastIndexOf("@ParameterizedTest", at)), 0);
                    int next = nextTest(source, at);
                    return source.substring(start, next < 0 ? source.length() : next);
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private static int nextTest(String source, int from) {
        int test = source.indexOf("@Test", from);
        int parameterized = source.indexOf("@ParameterizedTest", from);
        return test < 0 ? parameterized : parameterized < 0 ? test : Math.min(test, parameterized);
    }

    /**
     * What is wrong with a guard file: a name that needs a line and has none, a line for a name that
     * does not exist, a GAP line, a named test that is gone, or one whose body never names its
     * subject (by {@code names} or by the line's mention).
     *
     * @param required every name, and whether it needs a line (false: exempt, e.g. Reserved)
     * @param what what a name is, for the messages ("request field", "setting")
     */
    static java.util.List<String> problems(
            String resource,
            Map<String, Boolean> required,
            String what,
            java.util.function.BiPredicate<Line, String> names) {
        Map<String, Line> lines = read(resource);
        java.util.List<String> problems = new java.util.ArrayList<>();
        required.forEach((name, needed) -> {
            if (needed && !lines.containsKey(name)) {
                problems.add(name + ": no test named in " + resource.substring(1));
            }
        });
        for (Line line : lines.values()) {
            if (!required.containsKey(line.name())) {
                problems.add(line.name() + ": no such " + what + " (a stale line)");
            } else if (line.gap()) {
                problems.add(line.name() + ": GAP, " + line.mention());
            } else {
                String body = body(line.test());
                if (body == null) {
                    problems.add(line.name() + ": test " + line.test() + " does not exist");
                } else if (!names.test(line, body) && (line.mention() == null || !body.contains(line.mention()))) {
                    problems.add(line.name() + ": test " + line.test() + " never names the " + what);
                }
            }
        }
        return problems;
    }
}
