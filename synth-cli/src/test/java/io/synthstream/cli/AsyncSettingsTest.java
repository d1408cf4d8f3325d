package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.async.AsyncSettings;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.generator.config.GeneratorConfig;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The call-stage settings of the generator and the evaluator reach the stage each app builds (what
 * the stage then does with a drain interval, a spec wait and a back-pressure bound is AsyncStageTest's).
 */
class AsyncSettingsTest {
    private static AsyncSettings of(String app, Map<String, Object> overrides) {
        Map<String, Object> props = new java.util.HashMap<>(Map.of(SynthConfig.APPLICATION_ID.key(), "a"));
        props.putAll(overrides);
        return app.equals("generator")
                ? GeneratorConfig.from(new SynthConfig(GeneratorConfig.definition(), props))
                        .async()
                : EvaluatorConfig.from(new SynthConfig(EvaluatorConfig.definition(), props))
                        .async();
    }

    private static final Map<String, Function<AsyncSettings, Long>> READ = Map.of(
            "drain.interval.ms", s -> s.drainInterval().toMillis(),
            "spec.wait.ms", s -> s.specWait().toMillis());

    @ParameterizedTest(name = "{0}.{1}")
    @CsvSource({
        "generator, drain.interval.ms, SYNTH_GENERATOR_DRAIN_INTERVAL_MS",
        "generator, spec.wait.ms, SYNTH_GENERATOR_SPEC_WAIT_MS",
        "evaluator, drain.interval.ms, SYNTH_EVALUATOR_DRAIN_INTERVAL_MS",
        "evaluator, spec.wait.ms, SYNTH_EVALUATOR_SPEC_WAIT_MS"
    })
    void eachCallStageSettingReachesTheAppsStage(String app, String key, String environmentVariable) {
        String full = app + "." + key;
        assertThat(SynthConfig.envName(full)).isEqualTo(environmentVariable);
        long before = READ.get(key).apply(of(app, Map.of()));
        long after = READ.get(key).apply(of(app, Map.of(full, 7L)));
        assertThat(after).isEqualTo(7L).isNotEqualTo(before);
    }
}
