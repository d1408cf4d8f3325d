package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.FaithfulnessScore;
import io.synthstream.avro.ScoredSample;
import io.synthstream.schemas.TestRecords;
import java.nio.file.Path;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportFormatsTest {
    @TempDir
    Path dir;

    private static ScoredSample scored() {
        ScoredSample s = TestRecords.scoredSample();
        s.setFaithfulness(FaithfulnessScore.newBuilder()
                .setStatus("judged")
                .setScore(4.0)
                .setRationale("Clear and on topic.")
                .setJudgeModel("judge-m")
                .build());
        s.setNovelty(0.25);
        s.setLabelConsistency(null);
        return s;
    }

    @Test
    void jsonRowCarriesFieldsAttributesScoresAndProvenance() {
        ObjectNode row = ExportCommand.json(scored());

        assertThat(row.path("sample_id").asText())
                .isEqualTo(scored().getSample().getSampleId());
        assertThat(row.path("fields").path("label").asText()).isEqualTo("positive");
        assertThat(row.path("attributes").path("topic").asText()).isEqualTo("books");
        assertThat(row.path("scores").path("faithfulness").asDouble()).isEqualTo(4.0);
        assertThat(row.path("scores").has("label_consistency")).isFalse();
        assertThat(row.path("provenance").path("simulated").asBoolean()).isTrue();
        assertThat(row.path("provenance").path("prompt_tokens").asLong()).isEqualTo(120);
    }

    @Test
    void parquetHoldsTheSameRowAsColumns() throws Exception {
        Path file = dir.resolve("d.parquet");
        try (ParquetRows rows = new ParquetRows(file)) {
            rows.write(ExportCommand.withSteps(ExportCommand.json(scored()), scored().getSample()));
            rows.write(ExportCommand.json(scored()));
        }

        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file))
                .withConf(new PlainParquetConfiguration())
                .build()) {
            GenericRecord r = reader.read();
            assertThat(r.get("sample_id").toString())
                    .isEqualTo(scored().getSample().getSampleId());
            assertThat(r.get("faithfulness")).isEqualTo(4.0);
            assertThat(r.get("faithfulness_rationale").toString()).isEqualTo("Clear and on topic.");
            assertThat(r.get("label_consistency")).isNull();
            assertThat(r.get("novelty")).isEqualTo(0.25);
            assertThat(r.get("simulated")).isEqualTo(true);
            assertThat(r.get("prompt_tokens")).isEqualTo(120L);
            assertThat(r.get("steps").toString()).startsWith("[{\"name\":\"main\"");
            @SuppressWarnings("unchecked")
            Map<Object, Object> fields = (Map<Object, Object>) r.get("fields");
            assertThat(fields.toString()).contains("label=positive");
            assertThat(reader.read()).isNotNull();
            assertThat(reader.read()).isNull();
        }
    }

    @Test
    void aConversationIsExportedAsTheMessagesArrayInJsonlAndAsItsJsonTextInParquet() throws Exception {
        ScoredSample chat = scored();
        String messages = "[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello!\"}]";
        chat.getSample().setTaskKind("conversation");
        chat.getSample().setFields(Map.of("messages", messages));
        ObjectNode row = ExportCommand.json(chat);
        assertThat(row.path("fields").path("messages").isArray()).isTrue();
        assertThat(row.path("fields").path("messages").get(1).path("content").asText())
                .isEqualTo("Hello!");

        Path file = dir.resolve("chat.parquet");
        try (ParquetRows rows = new ParquetRows(file)) {
            rows.write(row);
        }
        try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(new LocalInputFile(file))
                .withConf(new PlainParquetConfiguration())
                .build()) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> fields = (Map<Object, Object>) reader.read().get("fields");
            assertThat(fields.values().iterator().next().toString()).isEqualTo(messages);
        }
    }

    @Test
    void trainerFormatsWriteDpoPairsAndChatMessages() throws Exception {
        ScoredSample pair = scored();
        pair.getSample().setTaskKind("preference");
        pair.getSample()
                .setFields(Map.of(
                        "prompt", "Name a prime.",
                        "chosen", "Seven.",
                        "rejected", "Nine.",
                        "chosen_score", "5",
                        "rejected_score", "2",
                        "margin", "3",
                        "tie", "false"));
        ObjectNode dpo = ExportCommand.trainerRow(ExportCommand.json(pair), ExportCommand.Format.dpo);
        assertThat(dpo.toString())
                .isEqualTo("{\"prompt\":\"Name a prime.\",\"chosen\":\"Seven.\",\"rejected\":\"Nine.\","
                        + "\"score_chosen\":5.0,\"score_rejected\":2.0,\"sample_id\":\""
                        + pair.getSample().getSampleId() + "\"}");

        ScoredSample instruction = scored();
        instruction.getSample().setFields(Map.of("instruction", "Add 2 and 3.", "input", "", "output", "5"));
        ObjectNode chat = ExportCommand.trainerRow(ExportCommand.json(instruction), ExportCommand.Format.chat);
        assertThat(chat.path("messages").toString())
                .isEqualTo("[{\"role\":\"user\",\"content\":\"Add 2 and 3.\"},"
                        + "{\"role\":\"assistant\",\"content\":\"5\"}]");

        ScoredSample conversation = scored();
        conversation.getSample().setTaskKind("conversation");
        String messages = "[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello!\"}]";
        conversation.getSample().setFields(Map.of("messages", messages));
        assertThat(ExportCommand.trainerRow(ExportCommand.json(conversation), ExportCommand.Format.chat)
                        .path("messages")
                        .toString())
                .isEqualTo(messages);

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> ExportCommand.trainerRow(ExportCommand.json(scored()), ExportCommand.Format.dpo))
                .hasMessageContaining("--format dpo needs a preference dataset")
                .hasMessageContaining("label");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> ExportCommand.trainerRow(ExportCommand.json(scored()), ExportCommand.Format.chat))
                .hasMessageContaining("--format chat needs a conversation, instruction or qa dataset");

        Path file = dir.resolve("pairs.dpo.jsonl");
        try (ExportCommand.RowWriter writer = ExportCommand.writer(ExportCommand.Format.dpo, file)) {
            writer.write(ExportCommand.json(pair));
        }
        assertThat(java.nio.file.Files.readAllLines(file)).containsExactly(dpo.toString());
    }

    @Test
    void anEvolvedSampleCarriesItsLineageInItsProvenance() {
        ScoredSample evolved = scored();
        evolved.getSample()
                .getTrace()
                .setLineage(io.synthstream.avro.Lineage.newBuilder()
                        .setRootId("root")
                        .setParentId("root-r1")
                        .setRound(2)
                        .setOperator("deepen")
                        .build());
        ObjectNode lineage =
                (ObjectNode) ExportCommand.json(evolved).path("provenance").path("lineage");
        assertThat(lineage.toString())
                .isEqualTo("{\"root_id\":\"root\",\"parent_id\":\"root-r1\",\"round\":2,\"operator\":\"deepen\"}");
        assertThat(ExportCommand.json(scored()).path("provenance").has("lineage"))
                .isFalse();
    }
}
