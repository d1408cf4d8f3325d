package io.synthstream.schemas.registry;

import java.util.Objects;

/**
 * One version of a schema under a subject, as the registry knows it.
 *
 * @param subject the subject, e.g. {@code synth.samples.raw-value}
 * @param version the version within the subject, from 1
 * @param id the global schema id written into the Confluent wire format
 * @param schema the schema as a JSON string
 */
public record RegisteredSchema(String subject, int version, int id, String schema) {
    public RegisteredSchema {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(schema, "schema");
    }
}
