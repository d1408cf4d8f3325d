package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** The commands' Kafka and registry clients take the client settings of the environment, security included. */
class ClusterOptionsTest {
    @Test
    void commandClientsTakeTheKafkaSecuritySettingsOfTheEnvironment() {
        ClusterOptions cluster = ClusterOptions.of(
                "127.0.0.1:1",
                "http://127.0.0.1:1",
                Map.of(
                        "SYNTH_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                        "SYNTH_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                        "SYNTH_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "cli:secret"));
        assertThat(cluster.clientProperties())
                .containsEntry("bootstrap.servers", "127.0.0.1:1")
                .containsEntry("security.protocol", "SASL_PLAINTEXT")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(cluster.config().schemaRegistryUserInfo()).isEqualTo("cli:secret");
        // The consumer of synth watch/export/report is built with them: SASL without a JAAS entry fails.
        assertThatThrownBy(() -> new TopicTail<>(cluster, "synth.request-status", new StringDeserializer()))
                .hasStackTraceContaining("JAAS");
    }
}
