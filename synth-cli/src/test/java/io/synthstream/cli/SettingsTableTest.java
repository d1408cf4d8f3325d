package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.common.config.Setting;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.curator.config.CuratorConfig;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.generator.config.GeneratorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keeps the settings tables of {@code docs/settings.md} and the settings' declarations in step: each
 * table is rendered from the code and must equal the docs. With {@code -Dsynth.docs.update=true}
 * the docs are rewritten instead.
 */
class SettingsTableTest {
    private static final Path DOCS = Path.of("..", "docs", "settings.md");

    static Map<String, List<Setting<?>>> sections() {
        Map<String, List<Setting<?>>> sections = new LinkedHashMap<>();
        sections.put("common", SynthConfig.SETTINGS);
        sections.put("llm", LlmSettings.SETTINGS);
        sections.put("generator", GeneratorConfig.SETTINGS);
        sections.put("curator", CuratorConfig.SETTINGS);
        sections.put("evaluator", EvaluatorConfig.SETTINGS);
        return sections;
    }

    /** One section's table, as the docs hold it. */
    static String table(List<Setting<?>> settings) {
        StringBuilder table = new StringBuilder("| key | environment variable | default | accepted | meaning |\n");
        table.append("|---|---|---|---|---|\n");
        for (Setting<?> s : settings) {
            table.append("| `")
                    .append(s.key())
                    .append("` | `")
                    .append(s.environmentVariable())
                    .append("` | ")
                    .append(GeneratedDocs.cell(s.documentedDefault()))
                    .append(" | ")
                    .append(GeneratedDocs.cell(s.documentedRange()))
                    .append(" | ")
                    .append(GeneratedDocs.cell(s.doc()))
                    .append(" |\n");
        }
        return table.toString();
    }

    @Test
    void shouldDocumentEverySettingAsTheCodeDeclaresIt() throws IOException {
        String expected = Files.readString(DOCS);
        for (Map.Entry<String, List<Setting<?>>> section : sections().entrySet()) {
            expected = GeneratedDocs.replaceBetween(
                    expected,
                    "<!-- settings:" + section.getKey() + " -->\n",
                    "<!-- /settings:" + section.getKey() + " -->",
                    table(section.getValue()));
        }
        GeneratedDocs.assertInStep(DOCS, expected);
    }

    @Test
    void shouldDeclareEveryKeyOnce() {
        List<String> keys = new ArrayList<>();
        sections().values().forEach(settings -> settings.forEach(s -> keys.add(s.key())));
        assertThat(keys).doesNotHaveDuplicates();
        assertThat(keys).hasSizeGreaterThan(60);
    }
}
