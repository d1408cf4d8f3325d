package io.synthstream.curator.app;

import io.synthstream.common.app.AppLauncher;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.curator.config.CuratorConfig;
import io.synthstream.curator.topology.CuratorTopology;
import java.util.Map;

/** Entry point of {@code curator-stream}; configuration in the README's table. */
public final class CuratorApp {
    /** This app's defaults, below the environment and config file. */
    public static final Map<String, Object> DEFAULTS =
            Map.of(SynthConfig.APPLICATION_ID.key(), "synth-curator", SynthConfig.HTTP_PORT.key(), 8092);

    private CuratorApp() {}

    public static void main(String[] args) {
        System.exit(AppLauncher.runOwning(
                CuratorConfig.definition(),
                DEFAULTS,
                CuratorTopology::build,
                CuratorTopology::topics,
                config -> null,
                System.getenv()));
    }
}
