package io.synthstream.generator.logic;

import com.fasterxml.jackson.databind.JsonNode;
import io.synthstream.avro.OutputField;
import io.synthstream.common.json.ReplyJson;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The output fields of a model's reply, from the JSON object {@link ReplyJson} finds in it. Field values become
 * strings: text as is, other JSON values as their JSON text (a list field as a JSON array).
 * Missing required fields are not an error here: the curator rejects such samples with a reason.
 */
public final class OutputParser {
    private OutputParser() {}

    /** A reply that yields no usable object; the message says why, for the repair turn and the DLQ. */
    public static final class UnparseableOutputException extends Exception {
        private static final long serialVersionUID = 1L;

        public UnparseableOutputException(String message) {
            super(message);
        }
    }

    /**
     * The declared fields found in {@code reply}, plus the rationale under {@link
     * PromptBuilder#RATIONALE} when present.
     *
     * @throws UnparseableOutputException when no JSON object holding any declared field is found
     */
    public static Map<String, String> parse(String reply, List<OutputField> fields) throws UnparseableOutputException {
        JsonNode object = extract(reply);
        Map<String, String> values = new LinkedHashMap<>();
        JsonNode rationale = object.get(PromptBuilder.RATIONALE);
        if (rationale != null && !rationale.isNull()) {
            values.put(PromptBuilder.RATIONALE, text(rationale));
        }
        int found = 0;
        for (OutputField field : fields) {
            JsonNode value = object.get(field.getName());
            if (value != null && !value.isNull()) {
                values.put(field.getName(), text(value));
                found++;
            }
        }
        if (found == 0 && !fields.isEmpty()) {
            throw new UnparseableOutputException("the JSON object has none of the fields "
                    + fields.stream().map(OutputField::getName).toList());
        }
        return values;
    }

    private static String text(JsonNode value) {
        return value.isTextual() ? value.asText() : value.toString();
    }

    static JsonNode extract(String reply) throws UnparseableOutputException {
        try {
            return ReplyJson.extract(reply);
        } catch (ReplyJson.NoJsonObjectException e) {
            throw new UnparseableOutputException(e.getMessage());
        }
    }
}
