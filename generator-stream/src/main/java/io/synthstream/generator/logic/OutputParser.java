package io.synthstream.generator.logic;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synthstream.avro.OutputField;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Robust extraction of the JSON object from a model's reply: the whole reply, else the inside of
 * a Markdown code fence, else the first balanced {@code {...}} in the text. Field values become
 * strings: text as is, other JSON values as their JSON text (a list field as a JSON array).
 * Missing required fields are not an error here: the curator rejects such samples with a reason.
 */
public final class OutputParser {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OutputParser() {}

    /** A reply that yields no usable object; the message says why, for the repair turn and the DLQ. */
    public static final class UnparseableOutputException extends Exception {
        private static final long serialVersionUID = 1L;

        UnparseableOutputException(String message) {
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
        if (reply == null || reply.isBlank()) {
            throw new UnparseableOutputException("the reply is empty");
        }
        String text = reply.strip();
        JsonNode whole = tryParse(text);
        if (whole != null && whole.isObject()) {
            return whole;
        }
        int fence = text.indexOf("```");
        if (fence >= 0) {
            int start = text.indexOf('\n', fence);
            int end = text.indexOf("```", fence + 3);
            if (start > 0 && end > start) {
                JsonNode fenced = tryParse(text.substring(start + 1, end).strip());
                if (fenced != null && fenced.isObject()) {
                    return fenced;
                }
            }
        }
        int open = text.indexOf('{');
        while (open >= 0) {
            int close = matchingBrace(text, open);
            if (close < 0) {
                break;
            }
            JsonNode inner = tryParse(text.substring(open, close + 1));
            if (inner != null && inner.isObject()) {
                return inner;
            }
            open = text.indexOf('{', open + 1);
        }
        throw new UnparseableOutputException("no JSON object found in the reply"
                + (open >= 0 ? " (it looks cut off: an object is opened but never closed)" : ""));
    }

    private static int matchingBrace(String text, int open) {
        int depth = 0;
        boolean inString = false;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static JsonNode tryParse(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
