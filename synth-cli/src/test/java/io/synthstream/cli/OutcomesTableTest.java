package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.RejectionReason;
import io.synthstream.common.dlq.DeadLetterReason;
import io.synthstream.common.llm.LlmFailure;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/outcomes.md} and the code in step: every rejection and dead-letter reason the
 * code can write has a row, and every class and method a row names exists.
 */
class OutcomesTableTest {
    private static final Path TABLE = Path.of("..", "docs", "outcomes.md");
    private static final Pattern REFERENCE = Pattern.compile("`([a-z]+(?:\\.[a-z]+)*\\.[A-Z][A-Za-z.]*)#([a-zA-Z]+)`");

    /** The reason codes in the first column of the table's rows. */
    private static Set<String> reasons() throws IOException {
        Set<String> reasons = new LinkedHashSet<>();
        for (String line : Files.readAllLines(TABLE)) {
            if (line.startsWith("| `")) {
                reasons.add(line.substring(3, line.indexOf('`', 3)));
            }
        }
        return reasons;
    }

    @Test
    void shouldListEveryDeadLetterReasonOfTheCode() throws IOException {
        List<String> codes = Arrays.stream(DeadLetterReason.values())
                .map(DeadLetterReason::code)
                .toList();

        assertThat(reasons()).containsAll(codes);
        assertThat(Arrays.stream(LlmFailure.Kind.values()).map(LlmFailure.Kind::reason))
                .as("every LLM failure kind is a dead-letter reason")
                .allMatch(codes::contains);
    }

    @Test
    void shouldListEveryRejectionReason() throws IOException {
        assertThat(reasons())
                .containsAll(Arrays.stream(RejectionReason.values())
                        .map(RejectionReason::name)
                        .toList());
    }

    @Test
    void shouldNameOnlyClassesAndMethodsThatExist() throws IOException {
        Matcher references = REFERENCE.matcher(Files.readString(TABLE));
        List<String> missing = new ArrayList<>();
        int found = 0;
        while (references.find()) {
            found++;
            String type = "io.synthstream." + references.group(1);
            String method = references.group(2);
            Class<?> declaring = load(type);
            if (declaring == null
                    || Arrays.stream(declaring.getDeclaredMethods())
                            .map(Method::getName)
                            .noneMatch(method::equals)) {
                missing.add(type + "#" + method);
            }
        }
        assertThat(found).as("references in the table").isGreaterThan(20);
        assertThat(missing).isEmpty();
    }

    /** A class by its dotted name, nested classes included ({@code a.B.C} is {@code a.B$C}). */
    private static Class<?> load(String dotted) {
        String name = dotted;
        while (true) {
            try {
                return Class.forName(name);
            } catch (ClassNotFoundException e) {
                int dot = name.lastIndexOf('.');
                if (dot < 0 || !Character.isUpperCase(name.charAt(name.lastIndexOf('.', dot - 1) + 1))) {
                    return null;
                }
                name = name.substring(0, dot) + "$" + name.substring(dot + 1);
            }
        }
    }
}
