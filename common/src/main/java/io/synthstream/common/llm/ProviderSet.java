package io.synthstream.common.llm;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * The default provider and the named ones a request's {@code model.provider} may select
 * ({@code llm.provider.<name>.*}). Every call goes to the provider its {@link LlmRequest#provider()}
 * names; the runtime's limits (in-flight, token buckets, retries) cover them all together. The
 * default's properties ({@link #name()}, {@link #defaultModel()}, ...) are the set's.
 */
public final class ProviderSet implements LlmProvider {
    private final LlmProvider fallback;
    private final Map<String, LlmProvider> named;

    /** @param named providers by name; each answers to that name */
    public ProviderSet(LlmProvider fallback, Map<String, LlmProvider> named) {
        this.fallback = fallback;
        Map<String, LlmProvider> renamed = new LinkedHashMap<>();
        named.forEach((name, provider) -> renamed.put(name, new Named(name, provider)));
        this.named = Map.copyOf(renamed);
    }

    @Override
    public String name() {
        return fallback.name();
    }

    @Override
    public String defaultModel() {
        return fallback.defaultModel();
    }

    @Override
    public boolean simulated() {
        return fallback.simulated();
    }

    @Override
    public LlmRequest.ResponseFormat structuredOutput() {
        return fallback.structuredOutput();
    }

    @Override
    public LlmProvider select(String name) {
        LlmProvider provider = name == null ? null : named.get(name);
        if (provider != null) {
            return provider;
        }
        LlmProvider.super.select(name); // throws, naming every provider, unless it names the default
        return fallback;
    }

    @Override
    public Set<String> names() {
        Set<String> names = new TreeSet<>(LlmProvider.super.names());
        names.addAll(named.keySet());
        return names;
    }

    /** Sends the call to the provider it names; an unknown name fails it as {@code llm_not_found}. */
    @Override
    public CompletableFuture<LlmResponse> complete(LlmRequest request, Duration timeout) {
        LlmProvider provider;
        try {
            provider = select(request.provider());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new LlmFailure(LlmFailure.Kind.NOT_FOUND, e.getMessage()));
        }
        return provider.complete(request, timeout);
    }

    @Override
    public void close() {
        fallback.close();
        named.values().forEach(LlmProvider::close);
    }

    /** A provider answering to its configured name. */
    private record Named(String name, LlmProvider provider) implements LlmProvider {
        @Override
        public String defaultModel() {
            return provider.defaultModel();
        }

        @Override
        public boolean simulated() {
            return provider.simulated();
        }

        @Override
        public LlmRequest.ResponseFormat structuredOutput() {
            return provider.structuredOutput();
        }

        @Override
        public CompletableFuture<LlmResponse> complete(LlmRequest request, Duration timeout) {
            return provider.complete(request, timeout);
        }

        @Override
        public void close() {
            provider.close();
        }
    }
}
