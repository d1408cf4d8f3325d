package io.synthstream.embedding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.common.llm.CallGate;
import io.synthstream.common.llm.LlmFailure;
import io.synthstream.common.llm.LlmLimits;
import io.synthstream.common.llm.OpenAiProvider;
import io.synthstream.common.llm.Redaction;
import io.synthstream.retry.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Embeddings from any OpenAI-compatible {@code POST /v1/embeddings} endpoint (OpenAI, vLLM,
 * Ollama, text-embeddings-inference...). Called on the evaluator's embedding threads, never on a
 * stream thread, so a plain blocking call is right here. Every attempt is admitted by the same
 * {@link CallGate} as the instance's chat calls (concurrency limit, requests and tokens per
 * minute) and retried under the same {@link RetryPolicy}; the API key never appears in an error.
 */
public final class OpenAiEmbedder implements Embedder {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String model;
    private final String apiKey;
    private final Duration timeout;
    private final RetryPolicy retry;
    private final CallGate gate;
    private final HttpClient http;

    /** An embedder with limits and retries of its own (the defaults of {@link LlmLimits}). */
    public OpenAiEmbedder(String baseUrl, String model, String apiKey, Duration timeout) {
        this(baseUrl, model, apiKey, timeout, LlmLimits.defaults().retry(), new CallGate(LlmLimits.defaults()));
    }

    /**
     * @param baseUrl the API base, e.g. {@code https://api.openai.com/v1}
     * @param apiKey bearer token, or null/blank without auth
     * @param timeout the deadline of one attempt, and the longest wait for admission
     * @param gate the admission shared with the instance's chat calls ({@code LlmRuntime.gate()})
     */
    public OpenAiEmbedder(
            String baseUrl, String model, String apiKey, Duration timeout, RetryPolicy retry, CallGate gate) {
        this.endpoint = URI.create(baseUrl.replaceAll("/+$", "") + "/embeddings");
        this.model = model;
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        this.timeout = timeout;
        this.retry = retry;
        this.gate = gate;
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
        HttpRequest built = request.build();
        double tokens = text.length() / 4.0 + 1;
        return retry.run(
                () -> attempt(built, tokens),
                failure -> failure instanceof LlmFailure f && f.kind().retryable(),
                failure -> failure instanceof LlmFailure f ? f.retryAfter() : Optional.empty(),
                (attempt, failure, wait) -> {});
    }

    /** One admitted attempt. */
    private float[] attempt(HttpRequest request, double tokens) {
        try {
            if (!gate.acquire(tokens, timeout)) {
                throw new LlmFailure(
                        LlmFailure.Kind.TIMEOUT,
                        0,
                        "No capacity for a call to the embeddings endpoint " + endpoint + " within " + timeout,
                        null,
                        null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting to call " + endpoint, e);
        }
        LlmFailure failure = null;
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status == 200) {
                return parse(response.body());
            }
            failure = new LlmFailure(
                    LlmFailure.kindOf(status),
                    status,
                    "Embeddings endpoint " + endpoint + " answered " + status + ": " + excerpt(redact(response.body())),
                    OpenAiProvider.retryAfter(response.headers().firstValue("Retry-After"))
                            .orElse(null),
                    null);
            throw failure;
        } catch (IOException e) {
            failure = new LlmFailure(
                    LlmFailure.of(e).kind(),
                    0,
                    "Embeddings endpoint " + endpoint + " failed: " + redact(String.valueOf(e.getMessage())),
                    null,
                    e);
            throw failure;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while calling " + endpoint, e);
        } finally {
            gate.release(failure, System.nanoTime() - start);
        }
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
