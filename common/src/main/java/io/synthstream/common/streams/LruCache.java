package io.synthstream.common.streams;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A small least-recently-used cache for per-request values that are costly to derive (resolved
 * thresholds, reference shingles). Used by one processor instance, so by one thread: not
 * thread-safe.
 */
public final class LruCache<K, V> {
    private final Map<K, V> entries;

    public LruCache(int capacity) {
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The cached value, computed on a miss; a computation that throws caches nothing. */
    public V get(K key, Function<K, V> compute) {
        V value = entries.get(key);
        if (value == null) {
            value = compute.apply(key);
            entries.put(key, value);
        }
        return value;
    }
}
