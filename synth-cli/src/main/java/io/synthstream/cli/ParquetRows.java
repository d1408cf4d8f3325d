package io.synthstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;

/**
 * Parquet output of {@code synth export}: the export's JSON object flattened into columns, so the
 * two formats never disagree. {@code fields} and {@code attributes} stay maps of strings; the
 * members of {@code scores} and {@code provenance} become top-level columns. Written with
 * parquet-java's Avro writer to a local file (Snappy), without a Hadoop file system.
 */
final class ParquetRows implements AutoCloseable {
    static final Schema SCHEMA = SchemaBuilder.record("ScoredSampleRow")
            .namespace("io.synthstream.export")
            .fields()
            .requiredString("sample_id")
            .requiredString("request_id")
            .requiredString("dataset")
            .name("fields")
            .type()
            .map()
            .values()
            .stringType()
            .noDefault()
            .name("attributes")
            .type()
            .map()
            .values()
            .stringType()
            .noDefault()
            .optionalString("faithfulness_status")
            .optionalDouble("faithfulness")
            .optionalString("faithfulness_rationale")
            .optionalString("judge_model")
            .optionalDouble("condition_adherence")
            .optionalDouble("label_consistency")
            .optionalDouble("novelty")
            .requiredString("provider")
            .requiredString("model")
            .requiredBoolean("simulated")
            .requiredString("template_version")
            .requiredLong("prompt_tokens")
            .requiredLong("completion_tokens")
            .optionalDouble("cost_usd")
            .optionalBoolean("usage_estimated")
            .requiredString("condition_id")
            .requiredString("created_at")
            .requiredString("scored_at")
            .optionalString("rationale")
            .optionalString("seed_id")
            .optionalString("seed_source")
            .optionalInt("seed_chunk")
            .optionalLong("steering_version")
            .optionalString("steps")
            .name("original_fields")
            .type()
            .optional()
            .map()
            .values()
            .stringType()
            .optionalString("decision")
            .optionalString("held_back")
            .optionalString("label")
            .optionalString("original_label")
            .optionalString("label_source")
            .optionalDouble("weight")
            .optionalString("weight_scheme")
            .optionalString("accepted_by")
            .optionalString("reviewer")
            .optionalString("flags")
            .endRecord();

    private static final List<String> NESTED = List.of("scores", "provenance", "quality");

    private final ParquetWriter<GenericRecord> writer;

    ParquetRows(Path file) throws IOException {
        Files.deleteIfExists(file);
        this.writer = AvroParquetWriter.<GenericRecord>builder(new LocalOutputFile(file))
                .withSchema(SCHEMA)
                .withConf(new PlainParquetConfiguration())
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .build();
    }

    void write(ObjectNode row) throws IOException {
        Map<String, JsonNode> flat = new LinkedHashMap<>();
        row.fields().forEachRemaining(e -> {
            if (NESTED.contains(e.getKey())) {
                e.getValue().fields().forEachRemaining(n -> flat.put(n.getKey(), n.getValue()));
            } else {
                flat.put(e.getKey(), e.getValue());
            }
        });
        GenericRecord record = new GenericData.Record(SCHEMA);
        for (Schema.Field field : SCHEMA.getFields()) {
            record.put(field.name(), value(flat.get(field.name()), field.schema()));
        }
        writer.write(record);
    }

    private static Object value(JsonNode node, Schema schema) {
        if (node == null || node.isNull()) {
            return null;
        }
        Schema type = schema.isUnion() ? schema.getTypes().get(1) : schema;
        return switch (type.getType()) {
            case STRING -> node.isContainerNode() ? node.toString() : node.asText();
            case DOUBLE -> node.asDouble();
            case LONG -> node.asLong();
            case INT -> node.asInt();
            case BOOLEAN -> node.asBoolean();
            case MAP -> {
                Map<String, String> map = new LinkedHashMap<>();
                node.fields()
                        .forEachRemaining(e -> map.put(
                                e.getKey(),
                                e.getValue().isContainerNode()
                                        ? e.getValue().toString() // a conversation's messages: JSON text
                                        : e.getValue().asText()));
                yield map;
            }
            default -> throw new IllegalStateException("Unexpected column type " + type);
        };
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
