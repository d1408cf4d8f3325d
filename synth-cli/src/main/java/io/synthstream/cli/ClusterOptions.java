package io.synthstream.cli;

import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.SynthSerdes;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the cluster is: {@code --bootstrap-servers} and {@code --schema-registry-url}, shared by client commands. */
final class ClusterOptions {
    @Option(
            names = {"-b", "--bootstrap-servers"},
            defaultValue = "${env:SYNTH_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (default: $SYNTH_BOOTSTRAP_SERVERS or ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(
            names = {"-r", "--schema-registry-url"},
            defaultValue = "${env:SYNTH_SCHEMA_REGISTRY_URL:-http://localhost:8081}",
            description = "Schema registry URL (default: $SYNTH_SCHEMA_REGISTRY_URL or ${DEFAULT-VALUE}).")
    String schemaRegistryUrl;

    /** Where the other settings come from: the process environment, unless a platform gives its own. */
    Map<String, String> env = System.getenv();

    static ClusterOptions of(String bootstrapServers, String schemaRegistryUrl) {
        return of(bootstrapServers, schemaRegistryUrl, System.getenv());
    }

    static ClusterOptions of(String bootstrapServers, String schemaRegistryUrl, Map<String, String> env) {
        ClusterOptions options = new ClusterOptions();
        options.bootstrapServers = bootstrapServers;
        options.schemaRegistryUrl = schemaRegistryUrl;
        options.env = env;
        return options;
    }

    /**
     * The client configuration of a command: these options over the environment (and {@code
     * SYNTH_CONFIG_FILE}), so that, e.g., {@code SYNTH_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO} reaches
     * the registry client.
     */
    SynthConfig config() {
        var definition = SynthConfig.baseDefinition();
        return new SynthConfig(
                definition,
                SynthConfig.resolve(
                        definition,
                        Map.of(SynthConfig.APPLICATION_ID.key(), "synth-cli"),
                        env,
                        Map.of(
                                SynthConfig.BOOTSTRAP_SERVERS.key(), bootstrapServers,
                                SynthConfig.SCHEMA_REGISTRY_URL.key(), schemaRegistryUrl)));
    }

    /**
     * Settings for a Kafka client of a command: the bootstrap servers and the {@code kafka.*}
     * settings (security among them) from the environment ({@code SYNTH_KAFKA_*}) or the file.
     */
    Map<String, Object> clientProperties() {
        return config().kafkaClientProperties();
    }

    SynthSerdes serdes() {
        return SynthSerdes.from(config());
    }
}
