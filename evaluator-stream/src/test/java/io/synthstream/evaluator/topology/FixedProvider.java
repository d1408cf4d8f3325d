package io.synthstream.evaluator.topology;

import io.synthstream.common.llm.LlmFailure;
import io.synthstream.common.llm.LlmProvider;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.LlmResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** A judge that always answers the same text, or always fails the same way; counts its calls. */
final class FixedProvider implements LlmProvider {
    final AtomicInteger calls = new AtomicInteger();
    final java.util.List<LlmRequest> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final String reply;
    private final LlmFailure failure;

    private FixedProvider(String reply, LlmFailure failure) {
        this.reply = reply;
        this.failure = failure;
    }

    static FixedProvider replying(String reply) {
        return new FixedProvider(reply, null);
    }

    static FixedProvider failing(LlmFailure.Kind kind) {
        return new FixedProvider(null, new LlmFailure(kind, "scripted " + kind));
    }

    @Override
    public String name() {
        return "fixed";
    }

    @Override
    public String defaultModel() {
        return "fixed-judge";
    }

    @Override
    public boolean simulated() {
        return true;
    }

    @Override
    public LlmRequest.ResponseFormat structuredOutput() {
        return LlmRequest.ResponseFormat.JSON_OBJECT;
    }

    @Override
    public CompletableFuture<LlmResponse> complete(LlmRequest request, Duration timeout) {
        calls.incrementAndGet();
        requests.add(request);
        return failure != null
                ? CompletableFuture.failedFuture(failure)
                : CompletableFuture.completedFuture(new LlmResponse(reply, "stop", "fixed-judge", 50, 10, 1));
    }
}
