package io.synthstream.common.llm;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A chat-completion backend. Calls are asynchronous: {@link #complete} returns at once and its
 * future completes on the provider's own threads, with an {@link LlmResponse} or exceptionally
 * with an {@link LlmFailure}. Implementations must be thread-safe.
 */
public interface LlmProvider extends AutoCloseable {
    /**
     * {@code openai} or {@code simulated} for the default provider, the configured name for a
     * named one: recorded in every sample's trace.
     */
    String name();

    /** What a request's {@code model.provider} names the default provider by, besides its {@link #name()}. */
    String DEFAULT = "default";

    /**
     * The provider a request's {@code model.provider} selects: null, {@value #DEFAULT} or this
     * provider's name select this one; a {@link ProviderSet} knows further names.
     *
     * @throws IllegalArgumentException naming the configured providers, for any other name
     */
    default LlmProvider select(String name) {
        if (name == null || DEFAULT.equals(name) || name().equals(name)) {
            return this;
        }
        throw new IllegalArgumentException("provider '" + name + "' is not configured here: the configured ones are "
                + String.join(", ", names()) + " (declare one with llm.provider.<name>.base.url,"
                + " e.g. SYNTH_LLM_PROVIDER_LOCAL_BASE_URL)");
    }

    /** Every name {@link #select} accepts. */
    default java.util.Set<String> names() {
        return new java.util.TreeSet<>(java.util.List.of(DEFAULT, name()));
    }

    /** The model used when a request names none. */
    String defaultModel();

    /** True for the built-in simulator, which must never be passed off as a model. */
    boolean simulated();

    /** The best structured-output mode this provider supports. */
    LlmRequest.ResponseFormat structuredOutput();

    /**
     * Sends one attempt of a call.
     *
     * @param timeout the whole attempt's deadline
     */
    CompletableFuture<LlmResponse> complete(LlmRequest request, Duration timeout);

    @Override
    default void close() {}
}
