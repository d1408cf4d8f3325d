package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.common.json.AvroJson;
import io.synthstream.generator.logic.RequestValidator;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * Every value the schema docs name for an enum-like field is accepted by validation (the README
 * once said "exemplars" where validation took only "exemplar"). Each field: its documented values,
 * checked against the field's doc text, and a request that sets it to each value, which must
 * validate.
 */
class DocumentedValuesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A valid base request; each case sets one field with a JSON patch. */
    private static final String BASE = """
            {"request_id": "r", "dataset": "d", "created_at": 0, "count": 10, "model": {},
             "task": {"kind": "classification", "labels": ["a", "b"]},
             "examples": [{"fields": {"text": "x", "label": "a"}}],
             "attributes": [{"name": "length", "values": [{"value": "short"}, {"value": "long"}]}]}
            """;

    record Case(String path, List<String> values, String patch) {}

    /** patch: a JSON object merged into the base, with %s for the value. */
    static final List<Case> CASES = List.of(
            new Case(
                    "task.kind",
                    List.of("classification", "instruction", "qa", "custom"),
                    "{\"task\": {\"kind\": \"%s\", \"labels\": [\"a\", \"b\"],"
                            + " \"instruction_template\": \"Write.\", \"output_fields\": [{\"name\": \"text\"}]}}"),
            new Case("sampling_mode", List.of("weighted", "balanced"), "{\"sampling_mode\": \"%s\"}"),
            new Case(
                    "demonstration_strategy",
                    List.of("fixed", "random", "stratified", "exemplar"),
                    "{\"demonstration_strategy\": \"%s\", \"demonstrations\": 1}"),
            new Case(
                    "attributes.adherence",
                    List.of("mention", "length", "none"),
                    "{\"attributes\": [{\"name\": \"length\", \"adherence\": \"%s\","
                            + " \"values\": [{\"value\": \"short\"}, {\"value\": \"long\"}]}]}"),
            new Case(
                    "steps.kind",
                    List.of("generate", "evolve"),
                    "{\"steps\": [{\"name\": \"one\", \"kind\": \"%s\", \"instruction_template\": \"Write.\","
                            + " \"output_fields\": [{\"name\": \"text\"}, {\"name\": \"label\", \"type\": \"label\"}]}]}"),
            new Case(
                    "task.output_fields.type",
                    List.of("string", "integer", "number", "boolean", "label", "list"),
                    "{\"task\": {\"kind\": \"custom\", \"labels\": [\"a\", \"b\"], \"instruction_template\": \"Write.\","
                            + " \"output_fields\": [{\"name\": \"f\", \"type\": \"%s\"}]}}"),
            new Case(
                    "quality.action",
                    List.of("reject", "review", "keep"),
                    "{\"quality\": {\"min_judge_score\": 3, \"action\": \"%s\"}}"),
            new Case(
                    "quality.on_judge_failure",
                    List.of("reject", "review", "keep"),
                    "{\"quality\": {\"min_judge_score\": 3, \"on_judge_failure\": \"%s\"}}"),
            new Case(
                    "quality.relabel",
                    List.of("relabel", "review", "reject", "keep"),
                    "{\"quality\": {\"relabel\": \"%s\"}}"),
            new Case(
                    "quality.weights",
                    List.of("none", "quality", "balance", "both"),
                    "{\"quality\": {\"weights\": \"%s\"}}"),
            new Case("quality.target", List.of("planned", "accepted"), "{\"quality\": {\"target\": \"%s\"}}"),
            new Case(
                    "quality.review_timeout_action",
                    List.of("accept", "reject"),
                    "{\"quality\": {\"min_judge_score\": 3, \"action\": \"review\", \"review_timeout_action\": \"%s\"}}"),
            new Case(
                    "seeds.source",
                    List.of("inline", "file", "topic"),
                    "{\"seeds\": {\"source\": \"%s\", \"records\": [], \"expected\": 3, \"topic\": \"tickets\"}}"),
            new Case(
                    "seeds.format",
                    List.of("json", "avro"),
                    "{\"seeds\": {\"source\": \"topic\", \"topic\": \"tickets\", \"format\": \"%s\"}}"),
            new Case(
                    "seeds.chunking.unit",
                    List.of("chars", "tokens"),
                    "{\"seeds\": {\"source\": \"topic\", \"topic\": \"t\", \"chunking\": {\"unit\": \"%s\"}}}"),
            new Case(
                    "seeds.chunking.encoding",
                    List.of("cl100k_base", "o200k_base", "p50k_base", "r50k_base"),
                    "{\"seeds\": {\"source\": \"topic\", \"topic\": \"t\","
                            + " \"chunking\": {\"unit\": \"tokens\", \"encoding\": \"%s\"}}}"));

    private static String doc(String path) {
        Schema schema = GenerationRequest.getClassSchema();
        Schema.Field field = null;
        for (String name : path.split("\\.")) {
            field = schema.getField(name);
            assertThat(field).as(path).isNotNull();
            schema = recordOf(field.schema());
        }
        return field.doc();
    }

    private static Schema recordOf(Schema s) {
        return switch (s.getType()) {
            case ARRAY -> recordOf(s.getElementType());
            case MAP -> recordOf(s.getValueType());
            case UNION ->
                s.getTypes().stream()
                        .filter(t -> t.getType() != Schema.Type.NULL)
                        .findFirst()
                        .map(DocumentedValuesTest::recordOf)
                        .orElse(s);
            default -> s;
        };
    }

    private static GenerationRequest request(Case c, String value) throws Exception {
        ObjectNode base = (ObjectNode) JSON.readTree(BASE);
        ObjectNode patch = (ObjectNode) JSON.readTree(c.patch().formatted(value));
        base.setAll(patch);
        if (c.path().equals("seeds.source") && value.equals("inline")) {
            ((ObjectNode) base.get("seeds")).putArray("records").addObject().put("text", "x");
            ((ObjectNode) base.get("seeds")).remove(List.of("expected", "topic"));
        } else if (c.path().equals("seeds.source") && value.equals("file")) {
            ((ObjectNode) base.get("seeds")).remove("topic");
        } else if (c.path().equals("seeds.source")) {
            ((ObjectNode) base.get("seeds")).remove("expected");
        }
        return AvroJson.read(base, GenerationRequest.class);
    }

    @Test
    void everyDocumentedValueIsInItsDocAndPassesValidation() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Case c : CASES) {
            String doc = doc(c.path());
            for (String value : c.values()) {
                if (!doc.contains(value)) {
                    problems.add(c.path() + ": the doc does not name '" + value + "': " + doc);
                }
                List<String> refused = RequestValidator.problems(
                        request(c, value), 0, new RequestValidator.Limits(1_000, Long.MAX_VALUE));
                if (!refused.isEmpty()) {
                    problems.add(c.path() + " = " + value + " is documented but refused: " + refused);
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(CASES).extracting(Case::path).doesNotHaveDuplicates();
    }
}
