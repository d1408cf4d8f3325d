package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.common.topics.Topics;
import io.synthstream.local.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TopicsCommandIT {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start() {
        kafka = EmbeddedKafka.ephemeral();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private record Run(int exitCode, String out, String err) {}

    private static Run synth(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SynthCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void shouldCreateTheCatalogueOnceWithPartitionsAndCompaction() throws Exception {
        String bootstrap = kafka.bootstrapServers();
        assertThat(synth("topics", "-b", bootstrap, "list").exitCode()).isEqualTo(3);

        Run created = synth("topics", "-b", bootstrap, "create", "--partitions", "4");
        Run again = synth("topics", "-b", bootstrap, "create");
        Run listed = synth("topics", "-b", bootstrap, "list");

        assertThat(created.exitCode()).isZero();
        assertThat(created.out()).contains("synth.samples.raw        created");
        assertThat(again.out()).contains("exists (unchanged)").doesNotContain("created");
        assertThat(listed.exitCode()).isZero();
        assertThat(listed.out()).doesNotContain("MISSING").contains("[compacted]");
        try (Admin admin = kafka.admin()) {
            var description = admin.describeTopics(List.of(Topics.SAMPLES_RAW.name()))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            assertThat(description.get(Topics.SAMPLES_RAW.name()).partitions()).hasSize(4);
            ConfigResource steering = new ConfigResource(ConfigResource.Type.TOPIC, Topics.STEERING.name());
            Map<ConfigResource, Config> configs =
                    admin.describeConfigs(List.of(steering)).all().get(30, TimeUnit.SECONDS);
            assertThat(configs.get(steering).get("cleanup.policy").value()).isEqualTo("compact");
        }
    }

    @Test
    void createRegistersTheSchemasOfTheTopicsClientsProduceTo() throws Exception {
        try (var registry = io.synthstream.schemas.registry.EmbeddedSchemaRegistry.start(
                "127.0.0.1", 0, io.synthstream.schemas.registry.SchemaStore.inMemory())) {
            Run created = synth("topics", "-b", kafka.bootstrapServers(), "create", "-r", registry.url());
            assertThat(created.exitCode()).as(created.err()).isZero();
            assertThat(created.out())
                    .contains("synth.requests-value", "synth.seeds-value", "synth.review.decisions-value");
            var client = io.synthstream.schemas.registry.SchemaRegistryClients.create(registry.url(), null);
            assertThat(client.getById(client.latest("synth.requests-value").id()))
                    .isEqualTo(io.synthstream.avro.GenerationRequest.getClassSchema());
            assertThat(client.subjects()).hasSize(3);
        }
    }

    @Test
    void shouldFailWithOneClearLineWhenKafkaIsUnreachable() {
        long started = System.nanoTime();
        Run run = synth("topics", "-b", "127.0.0.1:1", "list");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("synth:").contains("unreachable").doesNotContain("\tat ");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(30);
    }
}
