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

    static ClusterOptions of(String bootstrapServers, String schemaRegistryUrl) {
        ClusterOptions options = new ClusterOptions();
        options.bootstrapServers = bootstrapServers;
        options.schemaRegistryUrl = schemaRegistryUrl;
        return options;
    }

    SynthConfig config() {
        return new SynthConfig(
                SynthConfig.baseDefinition(),
                Map.of(
                        SynthConfig.BOOTSTRAP_SERVERS.key(), bootstrapServers,
                        SynthConfig.SCHEMA_REGISTRY_URL.key(), schemaRegistryUrl,
                        SynthConfig.APPLICATION_ID.key(), "synth-cli"));
    }

    SynthSerdes serdes() {
        return SynthSerdes.from(config());
    }
}
