package io.synthstream.evaluator.embedding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.common.llm.LlmFailure;
import io.synthstream.common.llm.Redaction;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Embeddings from any OpenAI-compatible {@code POST /v1/embeddings} endpoint (OpenAI, vLLM,
 * Ollama, text-embeddings-inference...). Called on the evaluator's embedding threads, never on a
 * stream thread, so a plain blocking call is right here; 429s and 5xx are retried with backoff, and
 * the API key never appears in an error.
 */
public final class OpenAiEmbedder implements Embedder {
    static final int ATTEMPTS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String model;
    private final String apiKey;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param baseUrl the API base, e.g. {@code https://api.openai.com/v1}
     * @param apiKey bearer token, or null/blank without auth
     */
    public OpenAiEmbedder(String baseUrl, String model, String apiKey, Duration timeout) {
        this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/embeddings");
        this.model = model;
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        this.timeout = timeout;
        this.http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    @Override
    public String name() {
        return model + "@" + endpoint.getHost();
    }

    @Override
    public float[] embed(String text) {
        ObjectNode body = JSON.createObjectNode().put("model", model);
        body.putArray("input").add(text);
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        RuntimeException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 200) {
                    return parse(response.body());
                }
                last = new IllegalStateException("Embeddings endpoint " + endpoint + " answered " + status + ": "
                        + excerpt(redact(response.body())));
                if (!LlmFailure.kindOf(status).retryable()) {
                    throw last;
                }
            } catch (IOException e) {
                last = new IllegalStateException(
                        "Embeddings endpoint " + endpoint + " failed: " + redact(e.getMessage()), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while calling " + endpoint, e);
            }
            try {
                Thread.sleep(200L << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw last;
            }
        }
        throw last;
    }

    private float[] parse(String body) {
        try {
            JsonNode vector = JSON.readTree(body).path("data").path(0).path("embedding");
            if (!vector.isArray() || vector.isEmpty()) {
                throw new IllegalStateException("Embeddings endpoint " + endpoint + " returned no vector");
            }
            float[] v = new float[vector.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) vector.get(i).asDouble();
            }
            return Embedder.normalize(v);
        } catch (IOException e) {
            throw new IllegalStateException("Embeddings endpoint " + endpoint + " returned invalid JSON", e);
        }
    }

    private String redact(String text) {
        return apiKey == null ? text : Redaction.redact(text, List.of(apiKey));
    }

    private static String excerpt(String body) {
        return body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }
}
