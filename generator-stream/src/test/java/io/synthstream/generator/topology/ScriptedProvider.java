package io.synthstream.generator.topology;

import io.synthstream.common.llm.LlmProvider;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.LlmResponse;
import io.synthstream.common.llm.SimulatedProvider;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Answers with scripted replies first, then like the instant simulator; records every request. */
final class ScriptedProvider implements LlmProvider {
    private final SimulatedProvider simulator = new SimulatedProvider(SimulatedProvider.Settings.INSTANT);
    private final ConcurrentLinkedQueue<LlmResponse> script = new ConcurrentLinkedQueue<>();
    final List<LlmRequest> requests = new CopyOnWriteArrayList<>();
    private volatile Function<LlmRequest, String> responder = request -> null;
    private volatile java.util.function.Predicate<LlmRequest> slow = request -> false;
    private volatile Duration slowBy = Duration.ZERO;

    ScriptedProvider then(String content, String finishReason) {
        script.add(new LlmResponse(content, finishReason, "scripted", 10, 10, 1));
        return this;
    }

    /** Answers the requests {@code answer} has a reply for (non-null) with it, before the script. */
    ScriptedProvider answering(Function<LlmRequest, String> answer) {
        this.responder = answer;
        return this;
    }

    /** Answers the requests {@code which} selects only after {@code by}: replies that finish late. */
    ScriptedProvider delaying(java.util.function.Predicate<LlmRequest> which, Duration by) {
        this.slow = which;
        this.slowBy = by;
        return this;
    }

    @Override
    public String name() {
        return "simulated";
    }

    @Override
    public String defaultModel() {
        return simulator.defaultModel();
    }

    @Override
    public boolean simulated() {
        return true;
    }

    @Override
    public LlmRequest.ResponseFormat structuredOutput() {
        return LlmRequest.ResponseFormat.JSON_SCHEMA;
    }

    @Override
    public CompletableFuture<LlmResponse> complete(LlmRequest request, Duration timeout) {
        requests.add(request);
        String answer = responder.apply(request);
        if (answer != null) {
            LlmResponse response = new LlmResponse(answer, "stop", "scripted", 10, 10, 1);
            return slow.test(request)
                    ? CompletableFuture.supplyAsync(
                            () -> response,
                            CompletableFuture.delayedExecutor(
                                    slowBy.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
                    : CompletableFuture.completedFuture(response);
        }
        LlmResponse next = script.poll();
        return next != null ? CompletableFuture.completedFuture(next) : simulator.complete(request, timeout);
    }

    @Override
    public void close() {
        simulator.close();
    }
}
