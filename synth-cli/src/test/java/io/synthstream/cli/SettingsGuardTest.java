package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.common.config.Setting;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.curator.config.CuratorConfig;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.generator.config.GeneratorConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The guard of "every documented setting does what it says": every setting of
 * {@code docs/settings.md} has a line in {@code setting-tests.tsv} naming the test that changes it
 * and asserts a different outcome (the test must exist and its body must name the setting: its key,
 * environment variable, Java constant or the line's mention). A new setting without a line fails the
 * build; so does a GAP line (a setting known to lack its test), a stale line or a test that is gone.
 */
class SettingsGuardTest {
    /** Every documented setting, by key. */
    static Map<String, Setting<?>> settings() {
        Map<String, Setting<?>> all = new LinkedHashMap<>();
        SettingsTableTest.sections().values().forEach(list -> list.forEach(s -> all.put(s.key(), s)));
        return all;
    }

    /** The Java constant each setting is declared as, by key (none for settings made by a function). */
    private static Map<String, String> constants() {
        Map<String, String> names = new HashMap<>();
        for (Class<?> owner : List.of(
                SynthConfig.class,
                LlmSettings.class,
                GeneratorConfig.class,
                CuratorConfig.class,
                EvaluatorConfig.class)) {
            for (Field field : owner.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) && Setting.class.isAssignableFrom(field.getType())) {
                    try {
                        field.setAccessible(true);
                        names.put(((Setting<?>) field.get(null)).key(), field.getName());
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }
        return names;
    }

    @Test
    void everyDocumentedSettingHasATestThatChangesItOrSaysWhatIsMissing() {
        Map<String, Setting<?>> settings = settings();
        Map<String, String> constants = constants();
        Map<String, Boolean> required = new LinkedHashMap<>();
        settings.keySet().forEach(key -> required.put(key, true));
        List<String> problems = GuardFile.problems("/setting-tests.tsv", required, "setting", (line, body) -> {
            Setting<?> setting = settings.get(line.name());
            String constant = constants.get(line.name());
            return body.contains("\"" + setting.key() + "\"")
                    || body.contains(setting.environmentVariable())
                    || (constant != null
                            && Pattern.compile("\\b" + constant + "\\b")
                                    .matcher(body)
                                    .find());
        });
        assertThat(problems).as("settings without a guard").isEmpty();
    }
}
