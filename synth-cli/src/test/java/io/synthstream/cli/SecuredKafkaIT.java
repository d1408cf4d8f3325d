package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.local.EmbeddedKafka;
import io.synthstream.local.EmbeddedPlatform;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The pipeline against a broker that requires SASL/SCRAM-SHA-512 over TLS, configured the way a
 * container is: every client setting from {@code SYNTH_KAFKA_*} environment variables (key and
 * trust stores made at test time with {@code keytool}). Right credentials: a request completes.
 * Wrong credentials: one line naming the cause within seconds. No secret in any log line.
 */
class SecuredKafkaIT {
    private static final String USER_PASSWORD = "scram-Pa55-word";
    private static final String STORE_PASSWORD = "store-Pa55-word";

    @TempDir
    Path dir;

    private static void keytool(Path dir, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0)
                .as("keytool %s: %s", args[0], out)
                .isTrue();
    }

    private Map<String, String> clientEnv(Path truststore, String password) {
        Map<String, String> env = new HashMap<>();
        env.put("SYNTH_KAFKA_SECURITY_PROTOCOL", "SASL_SSL");
        env.put("SYNTH_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512");
        env.put(
                "SYNTH_KAFKA_SASL_JAAS_CONFIG",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"synth\" password=\""
                        + password + "\";");
        env.put("SYNTH_KAFKA_SSL_TRUSTSTORE_LOCATION", truststore.toString());
        env.put("SYNTH_KAFKA_SSL_TRUSTSTORE_PASSWORD", STORE_PASSWORD);
        env.put("SYNTH_KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12");
        env.put("SYNTH_LLM_SIM_LATENCY_MEDIAN_MS", "20");
        return env;
    }

    @Test
    void thePipelineRunsOverSaslScramAndTlsAndWrongCredentialsFailInOneLine() throws Exception {
        Path keystore = dir.resolve("broker.p12");
        Path truststore = dir.resolve("trust.p12");
        keytool(
                dir,
                "-genkeypair",
                "-alias",
                "broker",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-validity",
                "2",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=IP:127.0.0.1",
                "-keystore",
                keystore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                STORE_PASSWORD,
                "-keypass",
                STORE_PASSWORD);
        keytool(
                dir,
                "-exportcert",
                "-alias",
                "broker",
                "-keystore",
                keystore.toString(),
                "-storepass",
                STORE_PASSWORD,
                "-file",
                dir.resolve("broker.crt").toString());
        keytool(
                dir,
                "-importcert",
                "-noprompt",
                "-alias",
                "broker",
                "-file",
                dir.resolve("broker.crt").toString(),
                "-keystore",
                truststore.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                STORE_PASSWORD);

        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        logs.start();
        root.addAppender(logs);
        try (EmbeddedPlatform platform = EmbeddedPlatform.start(
                EmbeddedKafka.builder()
                        .saslSsl(new EmbeddedKafka.SecureListener(
                                keystore, STORE_PASSWORD, Map.of("synth", USER_PASSWORD)))
                        .start(),
                0)) {
            String secure = platform.kafka().secureBootstrapServers();
            try (LocalPlatform apps = LocalPlatform.apps(
                    secure,
                    platform.registryUrl(),
                    dir.resolve("apps"),
                    LocalPlatform.Ports.FREE,
                    1,
                    clientEnv(truststore, USER_PASSWORD))) {
                GenerationRequest request = SpecFiles.load(Path.of("../examples/sentiment.json"));
                request.setRequestId("secured-1");
                request.setCount(12);
                SubmitCommand.publish(apps.cluster(), request);
                RequestStatus status = PipelineReads.completed(apps.cluster(), "secured-1", Duration.ofSeconds(180));
                assertThat(status.getAccepted()).isEqualTo(12);
            }

            long started = System.nanoTime();
            assertThatThrownBy(() -> LocalPlatform.apps(
                            secure,
                            platform.registryUrl(),
                            dir.resolve("intruder"),
                            LocalPlatform.Ports.FREE,
                            1,
                            clientEnv(truststore, "not-the-password")))
                    .hasMessageContaining("Kafka refused this client's credentials")
                    .hasMessageContaining("SCRAM-SHA-512")
                    .satisfies(e -> assertThat(e.getMessage())
                            .doesNotContain("not-the-password")
                            .doesNotContain("\n"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        } finally {
            root.detachAppender(logs);
        }
        assertThat(logs.list).isNotEmpty();
        assertThat(logs.list)
                .as("no secret in any log line")
                .allSatisfy(e -> assertThat(e.getFormattedMessage())
                        .doesNotContain(USER_PASSWORD)
                        .doesNotContain(STORE_PASSWORD)
                        .doesNotContain("not-the-password"));
    }
}
