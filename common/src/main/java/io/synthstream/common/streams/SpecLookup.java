package io.synthstream.common.streams;

import io.synthstream.avro.GenerationRequest;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The one way a processor reads request specs: the accepted spec of a request from the app's
 * global table of {@code synth.specs} ({@link StateStores#specsGlobalTable}), and values derived
 * from specs, cached per request ({@link #derived}). Specs never change once accepted (a repeated
 * request id is rejected), so a derived value never goes stale. A spec that is not there yet is
 * waited for with {@link SpecWait}.
 */
public final class SpecLookup {
    /** Requests whose derived values a cache keeps. */
    public static final int CACHE_SIZE = 1024;

    private final TimestampedKeyValueStore<String, GenerationRequest> specs;

    /** @param storeName the app's global specs store */
    public SpecLookup(ProcessingContext context, String storeName) {
        this.specs = context.getStateStore(storeName);
    }

    /** The request's accepted spec, if the global table has it. */
    public Optional<GenerationRequest> spec(String requestId) {
        return Optional.ofNullable(specs.get(requestId)).map(ValueAndTimestamp::value);
    }

    /** A cache of {@code derive} applied to specs, by request id, for the recent requests. */
    public static <T> Derived<T> derived(Function<GenerationRequest, T> derive) {
        return new Derived<>(derive);
    }

    /** Values derived from specs (resolved thresholds, step plans, ...), cached by request id. */
    public static final class Derived<T> {
        private final Function<GenerationRequest, T> derive;
        private final LruCache<String, T> cache = new LruCache<>(CACHE_SIZE);

        private Derived(Function<GenerationRequest, T> derive) {
            this.derive = derive;
        }

        /** The value for {@code spec}; a derivation that throws caches nothing. */
        public T of(GenerationRequest spec) {
            return cache.get(spec.getRequestId(), id -> derive.apply(spec));
        }
    }
}
