package io.synthstream.common.llm;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A chat-completion backend. Calls are asynchronous: {@link #complete} returns at once and its
 * future completes on the provider's own threads, with an {@link LlmResponse} or exceptionally
 * with an {@link LlmFailure}. Implementations must be thread-safe.
 */
public interface LlmProvider extends AutoCloseable {
    /** {@code openai} or {@code simulated}: recorded in every sample's trace. */
    String name();

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
