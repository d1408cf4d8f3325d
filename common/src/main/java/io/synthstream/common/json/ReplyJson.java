package io.synthstream.common.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Robust extraction of the JSON object in a model's reply: the whole reply, else the inside of a
 * Markdown code fence, else the first balanced {@code {...}} in the text. Shared by the
 * generator's output parser and the evaluator's judge.
 */
public final class ReplyJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReplyJson() {}

    /** No JSON object in a reply; the message says why. */
    public static final class NoJsonObjectException extends Exception {
        private static final long serialVersionUID = 1L;

        NoJsonObjectException(String message) {
            super(message);
        }
    }

    public static JsonNode extract(String reply) throws NoJsonObjectException {
        if (reply == null || reply.isBlank()) {
            throw new NoJsonObjectException("the reply is empty");
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
        throw new NoJsonObjectException("no JSON object found in the reply"
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
