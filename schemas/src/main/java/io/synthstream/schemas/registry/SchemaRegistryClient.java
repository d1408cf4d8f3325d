package io.synthstream.schemas.registry;

import java.io.Closeable;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry API that SynthStream uses. Implementations: {@link
 * HttpSchemaRegistryClient} (any Confluent-compatible registry, including the embedded one) and
 * {@link InMemorySchemaRegistryClient} ({@code mem://<scope>} URLs, for unit tests). Use {@link
 * SchemaRegistryClients#create} to get one for a URL, with caching.
 *
 * <p>Every method throws {@link SchemaRegistryException} with the Confluent error code on failure.
 */
public interface SchemaRegistryClient extends Closeable {

    /** Registers {@code schema} under {@code subject} (or finds it there) and returns its id. */
    int register(String subject, Schema schema);

    /** Returns the id of {@code schema} if it is registered under {@code subject}; 40403 if not. */
    int getId(String subject, Schema schema);

    /** Returns the schema with the given global id; 40403 if there is none. */
    Schema getById(int id);

    /** Returns the latest version under {@code subject}; 40401 if the subject is unknown. */
    RegisteredSchema latest(String subject);

    /** Returns one version under {@code subject}; 40402 if there is no such version. */
    RegisteredSchema version(String subject, int version);

    /**
     * Checks {@code schema} against the subject's compatibility level.
     *
     * @return the incompatibilities found (each names the field); empty when compatible
     */
    List<String> testCompatibility(String subject, Schema schema);

    /** Returns every subject with at least one version. */
    List<String> subjects();

    /** Sets the compatibility level of {@code subject}, or the global level when it is null. */
    void setCompatibility(String subject, CompatibilityLevel level);

    @Override
    default void close() {}
}
