package io.synthstream.cli;

import io.synthstream.common.topics.TopicAdmin;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code synth topics create|list}: the topic catalogue on a real cluster. */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description = "Create or list the SynthStream topics on a Kafka cluster.")
final class TopicsCommand {
    @Spec
    CommandSpec spec;

    @Option(
            names = {"-b", "--bootstrap-servers"},
            scope = picocli.CommandLine.ScopeType.INHERIT,
            defaultValue = "${env:SYNTH_BOOTSTRAP_SERVERS:-localhost:9092}",
            description = "Kafka bootstrap servers (default: $SYNTH_BOOTSTRAP_SERVERS or ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Command(name = "create", description = "Create every catalogue topic that does not exist yet.")
    int create(
            @Option(
                            names = "--partitions",
                            defaultValue = "6",
                            description =
                                    "Partitions per topic: the most instances a stage can use (default ${DEFAULT-VALUE}).")
                    int partitions,
            @Option(
                            names = "--replication-factor",
                            defaultValue = "-1",
                            description = "Replication factor; -1 uses the broker default (default ${DEFAULT-VALUE}).")
                    short replicationFactor,
            @Option(
                            names = {"-r", "--schema-registry-url"},
                            defaultValue = "${env:SYNTH_SCHEMA_REGISTRY_URL}",
                            description = "Also register the value schemas of the topics clients produce to"
                                    + " (synth.requests, synth.seeds, synth.review.decisions) in this registry"
                                    + " (default: $SYNTH_SCHEMA_REGISTRY_URL; unset: not registered).")
                    String schemaRegistryUrl) {
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Admin admin = admin()) {
            List<String> created = TopicAdmin.ensureTopics(
                    admin,
                    Topics.ALL,
                    partitions,
                    replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor));
            for (TopicSpec<?, ?> topic : Topics.ALL) {
                out.printf(
                        "%-24s %s%n", topic.name(), created.contains(topic.name()) ? "created" : "exists (unchanged)");
            }
        }
        if (schemaRegistryUrl == null || schemaRegistryUrl.isBlank()) {
            out.println("input schemas not registered (give -r URL or set SYNTH_SCHEMA_REGISTRY_URL)");
        } else {
            try (var serdes =
                    ClusterOptions.of(bootstrapServers, schemaRegistryUrl).serdes()) {
                io.synthstream.common.topics.InputSchemas.register(serdes.registry(), Topics.ALL)
                        .forEach((subject, id) -> out.printf("%-24s schema id %d%n", subject, id));
            }
        }
        return 0;
    }

    @Command(name = "list", description = "Show which catalogue topics exist.")
    int list() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Admin admin = admin()) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            int missing = 0;
            for (TopicSpec<?, ?> topic : Topics.ALL) {
                boolean exists = existing.contains(topic.name());
                missing += exists ? 0 : 1;
                out.printf(
                        "%-24s %-8s %s%n",
                        topic.name(),
                        exists ? "present" : "MISSING",
                        (topic.compacted() ? "[compacted] " : "") + topic.doc());
            }
            return missing == 0 ? 0 : 3;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " is unreachable: " + e.getMessage(), e);
        }
    }

    private Admin admin() {
        // Fail within seconds when the cluster is unreachable instead of retrying for minutes.
        // Security settings come from SYNTH_KAFKA_* or the file, as for every command.
        Map<String, Object> config = new java.util.HashMap<>(
                ClusterOptions.of(bootstrapServers, "unused").clientProperties());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        return Admin.create(config);
    }
}
