package io.synthstream.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthConfigTest {
    private static SynthConfig load(Map<String, ?> appDefaults, Map<String, String> env, Map<String, ?> overrides) {
        return new SynthConfig(
                SynthConfig.baseDefinition(),
                SynthConfig.resolve(SynthConfig.baseDefinition(), appDefaults, env, overrides));
    }

    @Test
    void shouldApplyPrecedenceOverridesThenEnvThenFileThenAppDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("synth.properties");
        Files.writeString(
                file, "bootstrap.servers=file:9092\ntopic.partitions=3\nnum.stream.threads=2\nkafka.client.rack=r1\n");
        Map<String, String> env = Map.of(
                "SYNTH_CONFIG_FILE", file.toString(),
                "SYNTH_TOPIC_PARTITIONS", "4",
                "SYNTH_NUM_STREAM_THREADS", "3");

        SynthConfig config = load(
                Map.of("application.id", "synth-test", "topic.partitions", "9"),
                env,
                Map.of("num.stream.threads", "5"));

        assertThat(config.bootstrapServers()).containsExactly("file:9092");
        assertThat(config.topicPartitions()).isEqualTo(4);
        assertThat(config.get(SynthConfig.NUM_STREAM_THREADS)).isEqualTo(5);
        assertThat(config.applicationId()).isEqualTo("synth-test");
        assertThat(config.kafkaClientProperties())
                .containsEntry("client.rack", "r1")
                .containsEntry("bootstrap.servers", "file:9092");
    }

    @Test
    void shouldDefaultToExactlyOnceV2() {
        SynthConfig config = load(Map.of("application.id", "a"), Map.of(), Map.of());

        assertThat(config.get(SynthConfig.PROCESSING_GUARANTEE)).isEqualTo("exactly_once_v2");
        assertThat(config.topicReplicationFactor()).isEmpty();
    }

    @Test
    void shouldFailAtStartupNamingTheBadKey() {
        assertThatThrownBy(
                        () -> load(Map.of("application.id", "a"), Map.of("SYNTH_TOPIC_PARTITIONS", "zero"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("topic.partitions");
        assertThatThrownBy(() ->
                        load(Map.of("application.id", "a"), Map.of(), Map.of("processing.guarantee", "exactly_once")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("processing.guarantee");
        assertThatThrownBy(() -> load(Map.of(), Map.of(), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("application.id");
    }

    @Test
    void shouldReportUnreadableConfigFile() {
        assertThatThrownBy(() -> load(Map.of(), Map.of("SYNTH_CONFIG_FILE", "/nonexistent/synth.properties"), Map.of()))
                .hasMessageContaining("/nonexistent/synth.properties");
    }

    @Test
    void shouldMaskSecretsWhenDescribed() {
        SynthConfig config = load(
                Map.of("application.id", "a"),
                Map.of("SYNTH_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "bob:hunter2"),
                Map.of(
                        "kafka.sasl.jaas.config", "PlainLoginModule username=x password=topsecret;",
                        "kafka.ssl.truststore.password", "trustme",
                        "kafka.client.rack", "r1"));

        String described = config.describe();

        assertThat(described)
                .doesNotContain("hunter2")
                .doesNotContain("topsecret")
                .doesNotContain("trustme")
                .contains("schema.registry.basic.auth.user.info = [hidden]")
                .contains("kafka.sasl.jaas.config = [hidden]")
                .contains("kafka.client.rack = r1")
                .contains("bootstrap.servers = localhost:9092");
        assertThat(config.schemaRegistryUserInfo()).isEqualTo("bob:hunter2");
    }

    @Test
    void shouldNameEnvironmentVariables() {
        assertThat(SynthConfig.envName("schema.registry.url")).isEqualTo("SYNTH_SCHEMA_REGISTRY_URL");
    }

    @Test
    void clientSecuritySettingsComeFromTheEnvironmentToo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("synth.properties");
        Files.writeString(file, "kafka.security.protocol=PLAINTEXT\nkafka.client.rack=r1\n");
        Map<String, String> env = Map.of(
                "SYNTH_CONFIG_FILE", file.toString(),
                "SYNTH_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "SYNTH_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "SYNTH_KAFKA_SASL_JAAS_CONFIG",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"app\""
                                + " password=\"topsecret\";",
                "SYNTH_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/synth/truststore.p12",
                "SYNTH_KAFKA_SSL_TRUSTSTORE_PASSWORD", "trustme",
                "SYNTH_STREAMS_COMMIT_INTERVAL_MS", "250");

        SynthConfig config = load(Map.of("application.id", "a"), env, Map.of("kafka.client.rack", "r2"));

        assertThat(config.kafkaClientProperties())
                .containsEntry("security.protocol", "SASL_SSL") // the environment wins over the file
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/synth/truststore.p12")
                .containsEntry("ssl.truststore.password", "trustme")
                .containsEntry("client.rack", "r2"); // overrides win over everything
        assertThat(config.streamsOverrides()).containsEntry("commit.interval.ms", "250");
        assertThat(io.synthstream.common.streams.StreamsDefaults.properties(config))
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("commit.interval.ms", "250");
        assertThat(config.describe())
                .contains("kafka.security.protocol = SASL_SSL")
                .contains("kafka.sasl.jaas.config = [hidden]")
                .contains("kafka.ssl.truststore.password = [hidden]")
                .doesNotContain("topsecret")
                .doesNotContain("trustme");
        assertThat(SynthConfig.passThroughKey("SYNTH_BOOTSTRAP_SERVERS")).isNull();
    }
}
