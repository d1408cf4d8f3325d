package io.synthstream.generator.app;

import io.synthstream.common.app.AppLauncher;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.generator.bridge.SeedBridges;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.topology.GeneratorTopology;
import java.util.Map;

/** Entry point of {@code generator-stream}; configuration in the README's table. */
public final class GeneratorApp {
    /** This app's defaults, below the environment and config file. */
    public static final Map<String, Object> DEFAULTS =
            Map.of(SynthConfig.APPLICATION_ID.key(), "synth-generator", SynthConfig.HTTP_PORT.key(), 8091);

    private GeneratorApp() {}

    public static void main(String[] args) {
        System.exit(AppLauncher.runOwning(
                GeneratorConfig.definition(),
                DEFAULTS,
                GeneratorTopology::build,
                config -> GeneratorTopology.TOPICS,
                SeedBridges::start,
                System.getenv()));
    }
}
