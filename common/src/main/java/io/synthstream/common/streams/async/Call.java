package io.synthstream.common.streams.async;

import io.synthstream.common.llm.LlmRequest;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One remote call of a pending entry, as a stage's {@link AsyncWork} asks for it; {@link
 * AsyncStage} sends it and hands its {@link CallResult} back on the stream thread. The name tells
 * the entry's calls apart ({@code "judge"}, {@code "step-1"}); it must not contain {@code '/'}.
 */
public sealed interface Call permits Call.Llm, Call.Task {
    String name();

    /**
     * A chat call through the instance's LLM runtime (limits, retries, adaptive concurrency), which
     * the response cache never answers.
     */
    static Call llm(String name, LlmRequest request) {
        return new Llm(name, request, null);
    }

    /**
     * A chat call the response cache may answer (with {@code llm.cache.enabled}) with the reply of an
     * identical call at the same {@code place}: what locates the call within its request and stays
     * the same when the request is run again (a sample's condition and sample index, not its id), or
     * {@code ""} for a call whose reply depends on its content alone.
     */
    static Call llm(String name, LlmRequest request, String place) {
        return new Llm(name, request, java.util.Objects.requireNonNull(place, "place"));
    }

    /**
     * Other work on threads of its own (e.g. an embedding pool): {@code start} submits it and
     * returns its future; it is called on the stream thread and must not block.
     */
    static Call task(String name, Supplier<? extends CompletableFuture<?>> start) {
        return new Task(name, start);
    }

    /** @param place where the call is in its request, for the response cache; null: never cached */
    record Llm(String name, LlmRequest request, String place) implements Call {}

    record Task(String name, Supplier<? extends CompletableFuture<?>> start) implements Call {}
}
