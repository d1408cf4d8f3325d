package io.synthstream.schemas.registry;

/**
 * One change to a registry's state, as it is persisted (see {@link SchemaStore}). Replaying the
 * entries in order rebuilds the state, which is what keeps schema ids stable across restarts.
 */
public sealed interface SchemaLogEntry {

    /** A schema version registered under a subject. */
    record SchemaVersion(String subject, int version, int id, String schema) implements SchemaLogEntry {}

    /** A compatibility level set for a subject, or globally when {@code subject} is null. */
    record Config(String subject, CompatibilityLevel level) implements SchemaLogEntry {}
}
