package io.synthstream.common.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads plain JSON into Avro specific records by walking the record's schema, so that users can
 * publish requests from any client without Avro's own JSON encoding (which wraps every union
 * value in a type name). The rules:
 *
 * <ul>
 *   <li>a field left out takes its schema default; a left-out record field whose fields all have
 *       defaults is built from {@code {}};
 *   <li>{@code ["null", T]} unions take {@code null} or a plain T;
 *   <li>{@code timestamp-millis} longs take epoch millis or an ISO-8601 instant string;
 *   <li>strings, maps of strings and string arrays also take numbers and booleans (as text);
 *   <li>unknown fields are errors (they are usually typos).
 * </ul>
 *
 * Errors name the JSON path: {@code task.output_fields[1].type: expected a string, got 3}.
 */
public final class AvroJson {
    private AvroJson() {}

    /** Thrown for JSON that does not fit the schema; the message starts with the JSON path. */
    public static final class InvalidJsonException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public InvalidJsonException(String message) {
            super(message);
        }
    }

    /** Reads {@code json} as a record of {@code type}. */
    public static <T extends SpecificRecord> T read(JsonNode json, Class<T> type) {
        Schema schema = SpecificData.get().getSchema(type);
        Object value = convert(json, schema, "");
        return type.cast(SpecificData.getForClass(type).deepCopy(schema, value));
    }

    private static Object convert(JsonNode node, Schema schema, String path) {
        switch (schema.getType()) {
            case UNION -> {
                if (node == null || node.isNull()) {
                    if (schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL)) {
                        return null;
                    }
                    throw error(path, "must not be null");
                }
                Schema nonNull = schema.getTypes().stream()
                        .filter(s -> s.getType() != Schema.Type.NULL)
                        .findFirst()
                        .orElseThrow();
                return convert(node, nonNull, path);
            }
            case RECORD -> {
                if (!node.isObject()) {
                    throw error(path, "expected an object, got " + describe(node));
                }
                SpecificData data = SpecificData.get();
                Object record = data.newRecord(null, schema);
                Set<String> known = new java.util.HashSet<>();
                for (Schema.Field field : schema.getFields()) {
                    known.add(field.name());
                    JsonNode child = node.get(field.name());
                    String childPath = join(path, field.name());
                    Object value;
                    if (child == null) {
                        if (field.hasDefaultValue()) {
                            value = data.deepCopy(field.schema(), data.getDefaultValue(field));
                        } else if (field.schema().getType() == Schema.Type.RECORD && allDefaulted(field.schema())) {
                            value = convert(
                                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(),
                                    field.schema(),
                                    childPath);
                        } else {
                            throw error(childPath, "is required");
                        }
                    } else {
                        value = convert(child, field.schema(), childPath);
                    }
                    data.setField(record, field.name(), field.pos(), value);
                }
                Iterator<String> names = node.fieldNames();
                while (names.hasNext()) {
                    String name = names.next();
                    if (!known.contains(name)) {
                        throw error(join(path, name), "is not a field of " + schema.getName());
                    }
                }
                return record;
            }
            case ARRAY -> {
                if (!node.isArray()) {
                    throw error(path, "expected an array, got " + describe(node));
                }
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < node.size(); i++) {
                    items.add(convert(node.get(i), schema.getElementType(), path + "[" + i + "]"));
                }
                return items;
            }
            case MAP -> {
                if (!node.isObject()) {
                    throw error(path, "expected an object, got " + describe(node));
                }
                Map<String, Object> map = new LinkedHashMap<>();
                node.fields()
                        .forEachRemaining(e -> map.put(
                                e.getKey(), convert(e.getValue(), schema.getValueType(), join(path, e.getKey()))));
                return map;
            }
            case STRING -> {
                if (node.isTextual()) {
                    return node.asText();
                }
                if (node.isNumber() || node.isBoolean()) {
                    return node.asText();
                }
                throw error(path, "expected a string, got " + describe(node));
            }
            case INT -> {
                if (node.isIntegralNumber() && node.canConvertToInt()) {
                    return node.intValue();
                }
                throw error(path, "expected an integer, got " + describe(node));
            }
            case LONG -> {
                boolean timestamp = "timestamp-millis".equals(logicalType(schema));
                if (timestamp && node.isTextual()) {
                    try {
                        return Instant.parse(node.asText());
                    } catch (DateTimeParseException e) {
                        throw error(path, "expected epoch millis or an ISO-8601 instant, got " + describe(node));
                    }
                }
                if (node.isIntegralNumber() && node.canConvertToLong()) {
                    return timestamp ? (Object) Instant.ofEpochMilli(node.longValue()) : node.longValue();
                }
                throw error(path, "expected an integer, got " + describe(node));
            }
            case DOUBLE, FLOAT -> {
                if (node.isNumber()) {
                    return schema.getType() == Schema.Type.FLOAT ? (Object) node.floatValue() : node.doubleValue();
                }
                throw error(path, "expected a number, got " + describe(node));
            }
            case BOOLEAN -> {
                if (node.isBoolean()) {
                    return node.booleanValue();
                }
                throw error(path, "expected true or false, got " + describe(node));
            }
            case ENUM -> {
                if (node.isTextual() && schema.getEnumSymbols().contains(node.asText())) {
                    return SpecificData.get().createEnum(node.asText(), schema);
                }
                throw error(path, "expected one of " + schema.getEnumSymbols() + ", got " + describe(node));
            }
            default -> throw error(path, "unsupported schema type " + schema.getType());
        }
    }

    private static boolean allDefaulted(Schema record) {
        return record.getFields().stream().allMatch(Schema.Field::hasDefaultValue);
    }

    private static String logicalType(Schema schema) {
        return schema.getLogicalType() == null ? null : schema.getLogicalType().getName();
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String describe(JsonNode node) {
        String text = node.toString();
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    private static InvalidJsonException error(String path, String message) {
        return new InvalidJsonException((path.isEmpty() ? "(root)" : path) + ": " + message);
    }
}
