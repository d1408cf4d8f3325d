package io.synthstream.schemas.registry;

import java.io.Closeable;
import java.util.List;

/**
 * Where a {@link SchemaRegistryState} persists its changes. {@link #append} must be durable when
 * it returns: the registry only answers a client after the entry is stored.
 */
public interface SchemaStore extends Closeable {

    /** Every entry stored so far, oldest first. */
    List<SchemaLogEntry> load();

    /** Stores one entry durably. */
    void append(SchemaLogEntry entry);

    @Override
    default void close() {}

    /** A store that keeps nothing: the state lives only in memory. */
    static SchemaStore inMemory() {
        return new SchemaStore() {
            @Override
            public List<SchemaLogEntry> load() {
                return List.of();
            }

            @Override
            public void append(SchemaLogEntry entry) {}
        };
    }
}
