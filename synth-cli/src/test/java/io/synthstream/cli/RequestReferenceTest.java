package io.synthstream.cli;

import io.synthstream.avro.GenerationRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * Keeps the field reference of {@code docs/requests.md} and {@code GenerationRequest.avsc} in step:
 * the table is rendered from the schema (every field, nested ones by path, with type, default and
 * doc) and must equal the docs. With {@code -Dsynth.docs.update=true} the docs are rewritten.
 */
class RequestReferenceTest {
    private static final Path DOCS = Path.of("..", "docs", "requests.md");
    private static final String OPEN = "<!-- fields -->\n";
    private static final String CLOSE = "<!-- /fields -->";

    static String table() {
        StringBuilder table = new StringBuilder("| field | type | default | meaning |\n|---|---|---|---|\n");
        rows(GenerationRequest.getClassSchema(), "", table);
        return table.toString();
    }

    private static void rows(Schema record, String prefix, StringBuilder table) {
        for (Schema.Field field : record.getFields()) {
            String path = prefix + field.name();
            Schema type = nonNull(field.schema());
            table.append("| `")
                    .append(path)
                    .append("` | ")
                    .append(typeName(field.schema()))
                    .append(" | ")
                    .append(GeneratedDocs.cell(defaultText(field)))
                    .append(" | ")
                    .append(GeneratedDocs.cell(field.doc() == null ? "" : field.doc()))
                    .append(" |\n");
            if (type.getType() == Schema.Type.RECORD) {
                rows(type, path + ".", table);
            } else if (type.getType() == Schema.Type.ARRAY
                    && nonNull(type.getElementType()).getType() == Schema.Type.RECORD) {
                rows(nonNull(type.getElementType()), path + "[].", table);
            }
        }
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() != Schema.Type.UNION) {
            return schema;
        }
        return schema.getTypes().stream()
                .filter(t -> t.getType() != Schema.Type.NULL)
                .findFirst()
                .orElse(schema);
    }

    private static String typeName(Schema schema) {
        boolean optional = schema.getType() == Schema.Type.UNION
                && schema.getTypes().stream().anyMatch(t -> t.getType() == Schema.Type.NULL);
        Schema type = nonNull(schema);
        String name = switch (type.getType()) {
            case RECORD -> "object";
            case ENUM -> "one of " + String.join(", ", type.getEnumSymbols());
            case ARRAY -> "list of " + typeName(type.getElementType());
            case MAP -> "map of " + typeName(type.getValueType());
            case LONG -> type.getLogicalType() != null ? "timestamp (epoch ms or ISO-8601)" : "long";
            default -> type.getType().getName();
        };
        return optional ? name + ", optional" : name;
    }

    private static String defaultText(Schema.Field field) {
        if (!field.hasDefaultValue()) {
            return "(required)";
        }
        Object value = field.defaultVal();
        if (value == null || value == org.apache.avro.JsonProperties.NULL_VALUE) {
            return "null";
        }
        if (value instanceof List<?> list && list.isEmpty()) {
            return "[]";
        }
        return String.valueOf(value);
    }

    @Test
    void shouldDocumentEveryFieldOfARequestAsTheSchemaDeclaresIt() throws IOException {
        GeneratedDocs.assertInStep(DOCS, GeneratedDocs.replaceBetween(Files.readString(DOCS), OPEN, CLOSE, table()));
    }
}
