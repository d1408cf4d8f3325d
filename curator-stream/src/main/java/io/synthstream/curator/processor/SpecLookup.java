package io.synthstream.curator.processor;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.curator.logic.CurationThresholds;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Reads request specs from the global {@code synth.specs} table and resolves their curation
 * thresholds, caching the resolved thresholds of recent requests (specs never change once
 * accepted, and resolving compiles regular expressions).
 */
final class SpecLookup {
    static final int CACHE_SIZE = 1024;

    private final TimestampedKeyValueStore<String, GenerationRequest> specs;
    private final LruCache<String, CurationThresholds> thresholds = new LruCache<>(CACHE_SIZE);

    SpecLookup(ProcessingContext context) {
        this.specs = context.getStateStore(CuratorStores.SPECS);
    }

    Optional<GenerationRequest> spec(String requestId) {
        return Optional.ofNullable(specs.get(requestId)).map(ValueAndTimestamp::value);
    }

    /**
     * The resolved thresholds of a spec.
     *
     * @throws IllegalArgumentException when the spec's curation settings are invalid
     */
    CurationThresholds thresholds(GenerationRequest spec) {
        return thresholds.get(spec.getRequestId(), id -> CurationThresholds.resolve(spec.getCuration()));
    }
}
