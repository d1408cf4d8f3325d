package io.synthstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synthstream.avro.DeadLetter;
import io.synthstream.schemas.TestRecords;
import io.synthstream.schemas.serde.SpecificAvroSerde;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An independent Confluent-protocol client, kafkajs' {@code @kafkajs/confluent-schema-registry}
 * (Node.js), against the embedded registry: it decodes what our serializer wrote, encodes what our
 * deserializer reads, and registers a schema of its own.
 *
 * <p>Needs Node.js and the packages of {@code src/test/node/registry-interop} ({@code npm ci}
 * there; {@code .ci/run} does it). Without them the test is skipped with a message, unless {@code
 * SYNTH_REQUIRE_NODE_INTEROP=true} (set by CI), which turns the skip into a failure.
 */
class KafkajsRegistryInteropIT {
    private static final Path SCRIPT_DIR = Path.of("src/test/node/registry-interop");
    private static final String SUBJECT = "synth.dlq-value";

    @Test
    void shouldInteroperateWithKafkajsRegistryClient() throws Exception {
        requireNodeAndPackages();
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start("127.0.0.1", 0, SchemaStore.inMemory())) {
            interoperate(registry, null);
        }
    }

    @Test
    void shouldAuthenticateTheKafkajsRegistryClientWithBasicAuth() throws Exception {
        requireNodeAndPackages();
        try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(
                "127.0.0.1", 0, SchemaStore.inMemory(), EmbeddedSchemaRegistry.users("node:n0de-pass,java:j4va"))) {
            String javaPayload = interoperate(registry, "node:n0de-pass");
            Process refused = node(registry.url(), javaPayload, "node:wrong-pass");
            String err = new String(refused.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(refused.exitValue()).as("wrong credentials").isNotZero();
            assertThat(err).contains("401");
        }
    }

    /**
     * Both directions through the registry: Java writes, kafkajs reads and writes, Java reads.
     *
     * @return the hex of the record Java wrote
     */
    private static String interoperate(EmbeddedSchemaRegistry registry, String nodeUser) throws Exception {
        String javaUser = nodeUser == null ? null : "java:j4va";
        SchemaRegistryClient client = SchemaRegistryClients.create(registry.url(), javaUser);
        SpecificAvroSerde<DeadLetter> serde = new SpecificAvroSerde<>(DeadLetter.class, client, true);
        DeadLetter written = TestRecords.deadLetter();
        byte[] javaBytes = serde.serializer().serialize("synth.dlq", written);

        JsonNode result = runNode(registry.url(), HexFormat.of().formatHex(javaBytes), nodeUser);

        JsonNode decoded = result.get("decoded");
        assertThat(decoded.get("app").asText()).isEqualTo(written.getApp());
        assertThat(decoded.get("message").asText()).isEqualTo(written.getMessage());
        assertThat(decoded.get("origin_topic").asText()).isEqualTo(written.getOriginTopic());
        assertThat(decoded.get("origin_offset").asLong()).isEqualTo(written.getOriginOffset());
        assertThat(decoded.get("original_value_hex").asText()).isEqualTo("010203");
        assertThat(result.get("javaSchemaId").asInt()).isEqualTo(client.getId(SUBJECT, DeadLetter.getClassSchema()));

        DeadLetter fromNode = serde.deserializer()
                .deserialize(
                        "synth.dlq",
                        HexFormat.of().parseHex(result.get("encodedHex").asText()));
        assertThat(fromNode.getApp()).isEqualTo("kafkajs");
        assertThat(fromNode.getOriginOffset()).isEqualTo(42L);
        assertThat(fromNode.getFailedAt()).isEqualTo(Instant.ofEpochMilli(1767225600000L));
        assertThat(fromNode.getOriginTopic()).isNull();

        int nodeId = result.get("nodeSchemaId").asInt();
        assertThat(client.latest("interop.node-value").id()).isEqualTo(nodeId);
        assertThat(client.getById(nodeId).getFullName()).isEqualTo("interop.NodeThing");
        return HexFormat.of().formatHex(javaBytes);
    }

    private static void requireNodeAndPackages() {
        boolean required = Boolean.parseBoolean(System.getenv("SYNTH_REQUIRE_NODE_INTEROP"));
        String missing = null;
        if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules/@kafkajs/confluent-schema-registry"))) {
            missing = "its npm packages are not installed (run: npm ci --prefix " + SCRIPT_DIR + ")";
        } else if (!commandWorks("node", "--version")) {
            missing = "node is not on the PATH";
        }
        if (missing != null && required) {
            throw new AssertionError("kafkajs interop test required (SYNTH_REQUIRE_NODE_INTEROP=true) but " + missing);
        }
        assumeTrue(missing == null, "kafkajs interop test skipped: " + missing);
    }

    private static Process node(String registryUrl, String payloadHex, String userInfo) throws Exception {
        List<String> command =
                new java.util.ArrayList<>(List.of("node", "interop.mjs", registryUrl, SUBJECT, payloadHex));
        if (userInfo != null) {
            command.add(userInfo);
        }
        Process process = new ProcessBuilder(command)
                .directory(SCRIPT_DIR.toFile())
                .redirectErrorStream(false)
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("node interop.mjs did not finish within 60 s");
        }
        return process;
    }

    private static JsonNode runNode(String registryUrl, String payloadHex, String userInfo) throws Exception {
        Process process = node(registryUrl, payloadHex, userInfo);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("node interop.mjs failed: %s", err).isZero();
        return new ObjectMapper().readTree(out);
    }

    private static boolean commandWorks(String... command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
