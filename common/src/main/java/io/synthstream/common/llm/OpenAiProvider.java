package io.synthstream.common.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Any OpenAI-compatible {@code /v1/chat/completions} endpoint (OpenAI, vLLM, Ollama, llama.cpp
 * server, TGI, LM Studio, OpenRouter), called asynchronously over the JDK {@link HttpClient}.
 *
 * <p>The base URL includes the version path ({@code https://api.openai.com/v1}, {@code
 * http://localhost:11434/v1}); the API key is sent as a bearer token and never logged or
 * included in error messages. Error statuses become {@link LlmFailure}s with their kind and the
 * server's {@code Retry-After}.
 */
public final class OpenAiProvider implements LlmProvider {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ERROR_BODY = 300;

    private final URI endpoint;
    private final String apiKey;
    private final String model;
    private final Map<String, String> headers;
    /** The key and header values: redacted from whatever a server answers before it goes anywhere. */
    private final List<String> secrets;

    private final LlmRequest.ResponseFormat structuredOutput;
    private final ExecutorService executor;
    private final HttpClient http;

    /**
     * @param baseUrl e.g. {@code https://api.openai.com/v1}
     * @param apiKey bearer token, or null/blank for servers without auth
     * @param model default model
     * @param headers extra headers (e.g. {@code HTTP-Referer} for OpenRouter)
     * @param structuredOutput what the server supports: JSON_SCHEMA (OpenAI, vLLM, recent Ollama),
     *     JSON_OBJECT, or TEXT
     */
    public OpenAiProvider(
            String baseUrl,
            String apiKey,
            String model,
            Map<String, String> headers,
            LlmRequest.ResponseFormat structuredOutput,
            Duration connectTimeout) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.endpoint = URI.create(base + "/chat/completions");
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        this.model = model;
        this.headers = Map.copyOf(headers);
        List<String> secrets = new ArrayList<>(this.headers.values());
        if (this.apiKey != null) {
            secrets.add(this.apiKey);
        }
        this.secrets = List.copyOf(secrets);
        this.structuredOutput = structuredOutput;
        this.executor = Executors.newFixedThreadPool(2, daemon("synth-llm-http"));
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .executor(executor)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public static java.util.concurrent.ThreadFactory daemon(String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String name() {
        return "openai";
    }

    @Override
    public String defaultModel() {
        return model;
    }

    @Override
    public boolean simulated() {
        return false;
    }

    @Override
    public LlmRequest.ResponseFormat structuredOutput() {
        return structuredOutput;
    }

    /** The endpoint called; safe to log (no key). */
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public CompletableFuture<LlmResponse> complete(LlmRequest request, Duration timeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(request), StandardCharsets.UTF_8));
        headers.forEach(builder::header);
        if (request.idempotencyKey() != null) {
            builder.header("Idempotency-Key", request.idempotencyKey());
        }
        if (apiKey != null) {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        long start = System.nanoTime();
        return http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .handle((response, error) -> {
                    if (error != null) {
                        throw LlmFailure.of(error);
                    }
                    return parse(response, request).withLatency((System.nanoTime() - start) / 1_000_000);
                });
    }

    /** The JSON body of a request. */
    String body(LlmRequest request) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", request.model() == null ? model : request.model());
        ArrayNode messages = body.putArray("messages");
        for (LlmRequest.Message m : request.messages()) {
            messages.addObject().put("role", m.role()).put("content", m.content());
        }
        if (request.temperature() != null) {
            body.put("temperature", request.temperature());
        }
        if (request.topP() != null) {
            body.put("top_p", request.topP());
        }
        if (request.maxTokens() != null) {
            body.put("max_tokens", request.maxTokens());
        }
        if (request.seed() != null) {
            body.put("seed", request.seed());
        }
        request.extra().forEach((name, value) -> {
            if (!LlmRequest.RESERVED_EXTRA.contains(name)) {
                body.set(name, extraValue(value));
            }
        });
        LlmRequest.ResponseFormat format = effectiveFormat(request.format(), structuredOutput);
        if (format == LlmRequest.ResponseFormat.JSON_SCHEMA && request.schema() != null) {
            ObjectNode rf = body.putObject("response_format").put("type", "json_schema");
            rf.putObject("json_schema")
                    .put("name", "sample")
                    .put("strict", false)
                    .set("schema", request.schema());
        } else if (format != LlmRequest.ResponseFormat.TEXT) {
            body.putObject("response_format").put("type", "json_object");
        }
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write request body", e);
        }
    }

    /** An {@code extra} value: its JSON, or the text itself when it is not JSON (validation names those). */
    static com.fasterxml.jackson.databind.JsonNode extraValue(String value) {
        try {
            return JSON.readTree(value);
        } catch (JsonProcessingException e) {
            return JSON.getNodeFactory().textNode(value);
        }
    }

    /** The weaker of what the call asks for and what the server supports. */
    static LlmRequest.ResponseFormat effectiveFormat(
            LlmRequest.ResponseFormat wanted, LlmRequest.ResponseFormat supported) {
        return wanted.ordinal() >= supported.ordinal() ? wanted : supported;
    }

    private LlmResponse parse(HttpResponse<String> response, LlmRequest request) {
        int status = response.statusCode();
        if (status >= 400) {
            throw new LlmFailure(
                    LlmFailure.kindOf(status),
                    status,
                    "HTTP " + status + ": " + errorMessage(response.body()),
                    retryAfter(response.headers().firstValue("Retry-After")).orElse(null),
                    null);
        }
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new LlmFailure(
                    LlmFailure.Kind.MALFORMED_RESPONSE, status, "Response is not JSON: " + e.getMessage(), null, e);
        }
        JsonNode choice = root.path("choices").path(0);
        JsonNode content = choice.path("message").path("content");
        String finish = choice.path("finish_reason").asText("stop");
        if ("content_filter".equals(finish)) {
            throw new LlmFailure(LlmFailure.Kind.CONTENT_FILTER, "The provider's content filter stopped the reply");
        }
        if (!content.isTextual()) {
            throw new LlmFailure(
                    LlmFailure.Kind.MALFORMED_RESPONSE,
                    status,
                    "Response has no choices[0].message.content: " + abbreviate(redact(response.body())),
                    null,
                    null);
        }
        JsonNode usage = root.path("usage");
        String answered = root.path("model").asText("");
        if (usage.path("prompt_tokens").isNumber()
                || usage.path("completion_tokens").isNumber()) {
            return new LlmResponse(
                    content.asText(),
                    finish,
                    answered,
                    usage.path("prompt_tokens").asLong(0),
                    usage.path("completion_tokens").asLong(0),
                    0);
        }
        // no usage reported (some self-hosted servers, mock servers): estimated, so it is counted
        String counted = !answered.isEmpty() ? answered : request.model() == null ? model : request.model();
        return new LlmResponse(
                content.asText(),
                finish,
                answered,
                TokenEstimates.prompt(request, counted),
                TokenEstimates.completion(content.asText(), counted),
                0,
                true);
    }

    /** {@code Retry-After} as seconds or an HTTP date. */
    public static Optional<Duration> retryAfter(Optional<String> header) {
        return header.flatMap(value -> {
            try {
                return Optional.of(Duration.ofMillis((long) (Double.parseDouble(value.trim()) * 1000)));
            } catch (NumberFormatException notSeconds) {
                try {
                    ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                    Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                    return Optional.of(d.isNegative() ? Duration.ZERO : d);
                } catch (java.time.format.DateTimeParseException notDate) {
                    return Optional.empty();
                }
            }
        });
    }

    /** The server's error message (or body), with the key and header values redacted. */
    private String errorMessage(String body) {
        try {
            JsonNode message = JSON.readTree(body).path("error").path("message");
            if (message.isTextual()) {
                return abbreviate(redact(message.asText()));
            }
        } catch (IOException notJson) {
            // fall through to the raw body
        }
        return abbreviate(redact(body));
    }

    private String redact(String text) {
        return Redaction.redact(text, secrets);
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        return text.length() <= MAX_ERROR_BODY ? text : text.substring(0, MAX_ERROR_BODY) + "...";
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
