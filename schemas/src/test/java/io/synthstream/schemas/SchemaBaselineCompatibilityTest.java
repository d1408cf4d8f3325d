package io.synthstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.schemas.registry.CompatibilityLevel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every top-level schema must stay BACKWARD compatible with its committed baseline in {@code
 * src/test/resources/schema-baseline/}: consumers built against the new schema must still read
 * everything already in the topics.
 *
 * <p>After a deliberate, compatible change, refresh the baselines with {@code ./mvnw -pl schemas
 * test -Dtest=SchemaBaselineCompatibilityTest -Dsynth.schemas.updateBaseline=true} and commit them.
 */
class SchemaBaselineCompatibilityTest {
    private static final Path BASELINE_DIR = Path.of("src/test/resources/schema-baseline");

    static List<Schema> topLevelSchemas() {
        return TestRecords.allTopLevel().stream().map(SpecificRecord::getSchema).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topLevelSchemas")
    void shouldStayBackwardCompatibleWithBaseline(Schema current) throws IOException {
        String file = current.getName() + ".avsc";
        if (Boolean.getBoolean("synth.schemas.updateBaseline")) {
            Files.createDirectories(BASELINE_DIR);
            Files.writeString(BASELINE_DIR.resolve(file), current.toString(true) + "\n");
        }
        Schema baseline;
        try (InputStream in = getClass().getResourceAsStream("/schema-baseline/" + file)) {
            assertThat(in)
                    .as("No baseline for %s: a new top-level schema needs one (see the class javadoc)", file)
                    .isNotNull();
            baseline = new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }

        List<String> problems = CompatibilityLevel.BACKWARD.check(current, List.of(baseline));

        assertThat(problems)
                .as(
                        "%s is not BACKWARD compatible with its baseline (readers of the new schema could not read"
                                + " existing data). Add a default to new fields instead of changing or removing fields.",
                        file)
                .isEmpty();
    }

    @Test
    void shouldNameTheFieldWhenAChangeIsIncompatible() {
        assertThat(CompatibilityLevel.BACKWARD.check(TestSchemas.THING_V2_INCOMPATIBLE, List.of(TestSchemas.THING_V1)))
                .singleElement()
                .asString()
                .contains("weight")
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE");
    }
}
