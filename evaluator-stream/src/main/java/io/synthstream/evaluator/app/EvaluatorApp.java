package io.synthstream.evaluator.app;

import io.synthstream.common.app.AppLauncher;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.evaluator.topology.EvaluatorTopology;
import java.util.Map;

/** Entry point of {@code evaluator-stream}; configuration in the README's table. */
public final class EvaluatorApp {
    /** This app's defaults, below the environment and config file. */
    public static final Map<String, Object> DEFAULTS =
            Map.of(SynthConfig.APPLICATION_ID.key(), "synth-evaluator", SynthConfig.HTTP_PORT.key(), 8093);

    private EvaluatorApp() {}

    public static void main(String[] args) {
        System.exit(AppLauncher.runOwning(
                EvaluatorConfig.definition(),
                DEFAULTS,
                EvaluatorTopology::build,
                config -> EvaluatorTopology.TOPICS,
                config -> null,
                System.getenv()));
    }
}
