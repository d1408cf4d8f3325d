package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.RequestStatus;
import io.synthstream.evaluator.logic.Ledger;
import io.synthstream.local.EmbeddedPlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four recipe examples through the whole pipeline on the embedded platform and the simulator,
 * submitted and exported with the {@code synth} commands: each request's ledger completes and
 * balances, the trainer formats hold exactly the accepted samples in their shape, Evol-Instruct's
 * rounds are planned and exported with their lineage, Self-Instruct's kept instructions are
 * exported with their pool decision and its rounds reported, and the report warns of
 * self-preference.
 */
class RecipesPipelineIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void eachRecipeExampleCompletesAndExportsInItsTrainerFormat() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("SYNTH_LLM_SIM_LATENCY_MEDIAN_MS", "5"));
        try (EmbeddedPlatform broker = EmbeddedPlatform.ephemeral();
                LocalPlatform apps = LocalPlatform.apps(
                        broker.bootstrapServers(),
                        broker.registryUrl(),
                        dir.resolve("apps"),
                        LocalPlatform.Ports.FREE,
                        3,
                        env)) {
            ClusterOptions cluster = ClusterOptions.of(broker.bootstrapServers(), broker.registryUrl());
            assertThat(submit(cluster, "conversation.json", "chat-it", 24)).contains("submitted request chat-it");
            assertThat(submit(cluster, "preference-pairs.json", "pairs-it", 24)).contains("submitted request pairs-it");
            assertThat(submit(cluster, "evol-instruct.json", "evol-it", 12))
                    .contains("12 instructions x (1 + 4 rounds) = 60 samples");
            assertThat(submit(cluster, "self-instruct.json", "si-it", 6))
                    .contains("6 rounds x 8 instructions = 48 samples");

            RequestStatus chats = complete(cluster, "chat-it", 24);
            Path chatFile = dir.resolve("out/cooking-chats.chat.jsonl");
            run(
                    cluster,
                    "export",
                    "cooking-chats",
                    "--format",
                    "chat",
                    "--out",
                    dir.resolve("out").toString());
            List<JsonNode> chatRows = rows(chatFile);
            assertThat(chatRows).hasSize((int) chats.getAccepted());
            for (JsonNode row : chatRows) {
                JsonNode messages = row.path("messages");
                assertThat(messages.get(0).path("role").asText()).isEqualTo("system");
                assertThat(messages.size()).as(row.toString()).isIn(5, 7, 9); // min_turns 2 .. turns 4
                assertThat(messages.get(messages.size() - 1).path("role").asText())
                        .isEqualTo("assistant");
            }

            RequestStatus pairs = complete(cluster, "pairs-it", 24);
            run(
                    cluster,
                    "export",
                    "helpful-pairs",
                    "--format",
                    "dpo",
                    "--out",
                    dir.resolve("out").toString());
            List<JsonNode> pairRows = rows(dir.resolve("out/helpful-pairs.dpo.jsonl"));
            assertThat(pairRows).hasSize((int) pairs.getAccepted());
            for (JsonNode row : pairRows) {
                assertThat(row.path("score_chosen").asDouble()
                                - row.path("score_rejected").asDouble())
                        .as("min_margin 1: ties and smaller margins were rejected")
                        .isGreaterThanOrEqualTo(1.0);
                assertThat(row.path("chosen").asText())
                        .isNotEqualTo(row.path("rejected").asText());
            }
            assertThat(run(cluster, "report", "helpful-pairs"))
                    .contains("preference pairs-it")
                    .contains("WARNING self-preference");

            RequestStatus evolved = complete(cluster, "evol-it", 60);
            run(
                    cluster,
                    "export",
                    "evolved-instructions",
                    "--out",
                    dir.resolve("out").toString());
            List<JsonNode> evolvedRows = rows(dir.resolve("out/evolved-instructions.jsonl"));
            assertThat(evolvedRows).hasSize((int) evolved.getAccepted());
            Map<Integer, Integer> perRound = new HashMap<>();
            for (JsonNode row : evolvedRows) {
                JsonNode lineage = row.path("provenance").path("lineage");
                int round = lineage.path("round").asInt();
                perRound.merge(round, 1, Integer::sum);
                if (round > 0) {
                    assertThat(row.path("sample_id").asText())
                            .isEqualTo(lineage.path("root_id").asText() + "-r" + round);
                    assertThat(lineage.path("parent_id").asText())
                            .startsWith(lineage.path("root_id").asText());
                }
            }
            assertThat(perRound.keySet()).containsExactlyInAnyOrder(0, 1, 2, 3, 4);

            RequestStatus instructed = complete(cluster, "si-it", 48);
            assertThat(instructed.getRejectedByReason().keySet())
                    .as("the simulator repeats itself: some instructions are not novel")
                    .contains("INSTRUCTION_FILTERED");
            run(cluster, "export", "self-instruct", "--out", dir.resolve("out").toString());
            List<JsonNode> instructedRows = rows(dir.resolve("out/self-instruct.jsonl"));
            assertThat(instructedRows).hasSize((int) instructed.getAccepted());
            for (JsonNode row : instructedRows) {
                JsonNode decision = row.path("provenance").path("self_instruct");
                assertThat(decision.path("joined_pool").asBoolean())
                        .as(row.toString())
                        .isTrue();
                assertThat(decision.path("max_similarity").asDouble()).isLessThan(0.7);
                assertThat(row.path("fields").path("instruction").asText()).isNotBlank();
                assertThat(row.path("fields").path("output").asText()).isNotBlank();
            }
            assertThat(run(cluster, "report", "self-instruct"))
                    .contains("self-instruct si-it")
                    .contains("6 of 6 rounds decided, 48 instructions")
                    .contains("pool after");
        }
    }

    /** The request's ledger once complete; it planned {@code planned} samples and accounts for each. */
    private static RequestStatus complete(ClusterOptions cluster, String requestId, long planned) {
        RequestStatus done = PipelineReads.completed(cluster, requestId, Duration.ofMinutes(4));
        assertThat(done.getPlanned()).as(done.toString()).isEqualTo(planned);
        assertThat(done.getRequested()).as(done.toString()).isEqualTo(planned);
        assertThat(Ledger.accounted(done)).as("the ledger balances: %s", done).isEqualTo(planned);
        assertThat(done.getFailed()).as(done.toString()).isZero();
        assertThat(done.getAccepted()).as(done.toString()).isPositive();
        return done;
    }

    /** Submits an example with another request id and count. */
    private String submit(ClusterOptions cluster, String example, String requestId, int count) throws Exception {
        ObjectNode spec =
                (ObjectNode) JSON.readTree(Path.of("../examples", example).toFile());
        spec.put("request_id", requestId).put("count", count);
        Path file = dir.resolve(example);
        Files.writeString(file, spec.toString());
        return run(cluster, "submit", file.toString());
    }

    private static List<JsonNode> rows(Path file) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            rows.add(JSON.readTree(line));
        }
        return rows;
    }

    private static String run(ClusterOptions cluster, String... args) {
        return PipelineReads.synth(cluster, args);
    }
}
