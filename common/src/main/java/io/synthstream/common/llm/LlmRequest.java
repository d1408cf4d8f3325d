package io.synthstream.common.llm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One chat-completion call, independent of the provider.
 *
 * @param model the model name; null lets the provider use its configured default
 * @param messages the conversation, system message first
 * @param temperature sampling temperature, or null for the provider's default
 * @param topP nucleus sampling, or null
 * @param maxTokens completion token cap, or null
 * @param seed provider-side sampling seed where supported, or null
 * @param format how structured output is asked for
 * @param schema the JSON schema of the expected object (for {@link ResponseFormat#JSON_SCHEMA}), or null
 * @param hints what the call is about in machine-readable form (attribute values, the wanted label);
 *     only the simulated provider reads them, real providers see the prompt alone
 * @param extra further provider parameters (a request's {@code model.extra}): name to a JSON value as text
 * @param provider the named provider that answers the call (a request's {@code model.provider}), or
 *     null for the app's default provider
 * @param idempotencyKey sent as the {@code Idempotency-Key} header, the same for every attempt of
 *     one call ({@link ResponseKeys#idempotencyKey}); null sends none
 */
public record LlmRequest(
        String model,
        List<Message> messages,
        Double temperature,
        Double topP,
        Integer maxTokens,
        Long seed,
        ResponseFormat format,
        ObjectNode schema,
        Map<String, String> hints,
        Map<String, String> extra,
        String provider,
        String idempotencyKey) {

    /**
     * Body keys {@code extra} may not set: the runtime owns them. {@code extra} holds further
     * provider parameters (a request's {@code model.extra}): name to a JSON value as text.
     */
    public static final java.util.Set<String> RESERVED_EXTRA =
            java.util.Set.of("model", "messages", "stream", "response_format", "n");

    public LlmRequest {
        messages = List.copyOf(messages);
        Objects.requireNonNull(format, "format");
        hints = hints == null ? Map.of() : Map.copyOf(hints);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    /** A call without an idempotency key. */
    public LlmRequest(
            String model,
            List<Message> messages,
            Double temperature,
            Double topP,
            Integer maxTokens,
            Long seed,
            ResponseFormat format,
            ObjectNode schema,
            Map<String, String> hints,
            Map<String, String> extra,
            String provider) {
        this(model, messages, temperature, topP, maxTokens, seed, format, schema, hints, extra, provider, null);
    }

    /** The call for the default provider. */
    public LlmRequest(
            String model,
            List<Message> messages,
            Double temperature,
            Double topP,
            Integer maxTokens,
            Long seed,
            ResponseFormat format,
            ObjectNode schema,
            Map<String, String> hints,
            Map<String, String> extra) {
        this(model, messages, temperature, topP, maxTokens, seed, format, schema, hints, extra, null);
    }

    /** The call without {@code extra}, for the default provider. */
    public LlmRequest(
            String model,
            List<Message> messages,
            Double temperature,
            Double topP,
            Integer maxTokens,
            Long seed,
            ResponseFormat format,
            ObjectNode schema,
            Map<String, String> hints) {
        this(model, messages, temperature, topP, maxTokens, seed, format, schema, hints, Map.of());
    }

    /** One user message asking for plain text, every sampling option left to the provider's defaults. */
    public static LlmRequest text(String userMessage) {
        return new LlmRequest(
                null, List.of(Message.user(userMessage)), null, null, null, null, ResponseFormat.TEXT, null, null);
    }

    /** A chat message; role is {@code system}, {@code user} or {@code assistant}. */
    public record Message(String role, String content) {
        public static Message system(String content) {
            return new Message("system", content);
        }

        public static Message user(String content) {
            return new Message("user", content);
        }

        public static Message assistant(String content) {
            return new Message("assistant", content);
        }
    }

    /** How a call asks for structured output. */
    public enum ResponseFormat {
        /** {@code response_format: {type: json_schema}}: the provider constrains decoding to the schema. */
        JSON_SCHEMA,
        /** {@code response_format: {type: json_object}}: valid JSON, shape from the prompt only. */
        JSON_OBJECT,
        /** No response_format: the prompt asks for JSON and the reply is parsed robustly. */
        TEXT
    }

    /** A rough token count for rate limiting before the provider reports the real one: chars / 4. */
    public long estimatedTokens() {
        long chars = 0;
        for (Message m : messages) {
            chars += m.content().length();
        }
        return chars / 4 + (maxTokens == null ? 256 : maxTokens);
    }

    /** This request with another JSON schema for its reply (a recipe's bounded fields). */
    public LlmRequest withSchema(ObjectNode replaced) {
        return copy(messages, replaced);
    }

    /** This request with {@code replaced} as its whole conversation (multi-turn recipes). */
    public LlmRequest withConversation(List<Message> replaced) {
        return copy(replaced, schema);
    }

    private LlmRequest copy(List<Message> newMessages, ObjectNode newSchema) {
        return new LlmRequest(
                model,
                newMessages,
                temperature,
                topP,
                maxTokens,
                seed,
                format,
                newSchema,
                hints,
                extra,
                provider,
                idempotencyKey);
    }

    /** This request with one more message appended (repair turns). */
    public LlmRequest withMessages(List<Message> more) {
        List<Message> all = new java.util.ArrayList<>(messages);
        all.addAll(more);
        return copy(all, schema);
    }

    /** This request, for the named provider {@code name} (null: the default one). */
    public LlmRequest withProvider(String name) {
        return new LlmRequest(
                model,
                messages,
                temperature,
                topP,
                maxTokens,
                seed,
                format,
                schema,
                hints,
                extra,
                name,
                idempotencyKey);
    }

    /** This request, sent with {@code key} as its {@code Idempotency-Key} header. */
    public LlmRequest withIdempotencyKey(String key) {
        return new LlmRequest(
                model, messages, temperature, topP, maxTokens, seed, format, schema, hints, extra, provider, key);
    }
}
