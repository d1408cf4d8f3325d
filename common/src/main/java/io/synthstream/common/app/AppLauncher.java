package io.synthstream.common.app;

import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.topics.TopicSpec;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.Topology;

/**
 * What every app's {@code main} does: resolve the config (environment, {@code SYNTH_CONFIG_FILE},
 * the app's defaults), build the topology, run it until the JVM is stopped, and turn start-up
 * mistakes into one clear line and a non-zero exit code instead of a stack trace.
 */
public final class AppLauncher {
    private AppLauncher() {}

    /** Exit codes of the apps. */
    public static final int EXIT_OK = 0;

    public static final int EXIT_FAILED = 1;
    public static final int EXIT_BAD_CONFIG = 2;

    /**
     * Runs an app to completion and returns its exit code.
     *
     * @param definition the app's config definition: {@link SynthConfig#baseDefinition()} plus its own keys
     * @param appDefaults the app's own defaults (application.id, http.port)
     * @param topology the app's {@code XxxTopology::build}
     * @param topics the topics the app reads or writes, for its config (created if missing)
     */
    public static int run(
            ConfigDef definition,
            Map<String, ?> appDefaults,
            Function<SynthConfig, Topology> topology,
            Function<SynthConfig, Collection<TopicSpec<?, ?>>> topics,
            Map<String, String> env) {
        return run(definition, appDefaults, topology, topics, c -> null, env);
    }

    /**
     * Runs an app whose topology needs resources that must close after its stream threads (an LLM
     * runtime, an embedding pool): {@code topology} hands each to its second argument.
     *
     * @param companion what runs beside the topology and closes with it ({@link StreamsApp#attach})
     */
    public static int runOwning(
            ConfigDef definition,
            Map<String, ?> appDefaults,
            java.util.function.BiFunction<SynthConfig, java.util.function.Consumer<AutoCloseable>, Topology> topology,
            Function<SynthConfig, Collection<TopicSpec<?, ?>>> topics,
            Function<SynthConfig, AutoCloseable> companion,
            Map<String, String> env) {
        SynthConfig config;
        try {
            config = new SynthConfig(definition, SynthConfig.resolve(definition, appDefaults, env, Map.of()));
        } catch (ConfigException | java.io.UncheckedIOException e) {
            System.err.println("Invalid configuration: " + e.getMessage());
            return EXIT_BAD_CONFIG;
        }
        try {
            return StreamsApp.runUntilShutdown(
                    config, owner -> topology.apply(config, owner), topics.apply(config), companion);
        } catch (IllegalStateException | org.apache.kafka.common.KafkaException e) {
            System.err.println(config.applicationId() + " could not start: " + e.getMessage());
            return EXIT_FAILED;
        }
    }

    /** @param companion what runs beside the topology and closes with it ({@link StreamsApp#attach}) */
    public static int run(
            ConfigDef definition,
            Map<String, ?> appDefaults,
            Function<SynthConfig, Topology> topology,
            Function<SynthConfig, Collection<TopicSpec<?, ?>>> topics,
            Function<SynthConfig, AutoCloseable> companion,
            Map<String, String> env) {
        return runOwning(definition, appDefaults, (config, owner) -> topology.apply(config), topics, companion, env);
    }
}
