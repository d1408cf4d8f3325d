package io.synthstream.common.json;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;

/**
 * A record as text fields, the shape of a seed: strings as they are, every other value as its
 * JSON text, nulls left out. One rule for seed files, seed topics in JSON and seed topics in Avro.
 */
public final class JsonFields {
    private JsonFields() {}

    /** The members of a JSON object. */
    public static Map<String, String> of(JsonNode object) {
        Map<String, String> fields = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> members = object.fields();
        while (members.hasNext()) {
            Map.Entry<String, JsonNode> member = members.next();
            JsonNode value = member.getValue();
            if (!value.isNull()) {
                fields.put(member.getKey(), value.isTextual() ? value.asText() : value.toString());
            }
        }
        return fields;
    }

    /** The fields of an Avro record (nested values as Avro's JSON rendering). */
    public static Map<String, String> of(GenericRecord record) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (var field : record.getSchema().getFields()) {
            Object value = record.get(field.name());
            if (value != null) {
                fields.put(field.name(), value instanceof CharSequence ? value.toString() : String.valueOf(value));
            }
        }
        return fields;
    }
}
