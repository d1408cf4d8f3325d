package io.synthstream.schemas.registry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Caches what never changes in a registry: the schema behind an id, and the id of a schema under a
 * subject. Serializers and deserializers call the registry once per schema, then never again.
 * Everything else (latest version, compatibility, subjects) is passed through uncached because it
 * can change.
 */
public final class CachingSchemaRegistryClient implements SchemaRegistryClient {
    private final SchemaRegistryClient delegate;
    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {}

    public CachingSchemaRegistryClient(SchemaRegistryClient delegate) {
        this.delegate = delegate;
    }

    @Override
    public int register(String subject, Schema schema) {
        return idsBySubjectSchema.computeIfAbsent(
                new SubjectSchema(subject, schema), key -> delegate.register(subject, schema));
    }

    @Override
    public int getId(String subject, Schema schema) {
        return idsBySubjectSchema.computeIfAbsent(
                new SubjectSchema(subject, schema), key -> delegate.getId(subject, schema));
    }

    @Override
    public Schema getById(int id) {
        return schemasById.computeIfAbsent(id, delegate::getById);
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return delegate.latest(subject);
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        return delegate.version(subject, version);
    }

    @Override
    public List<String> testCompatibility(String subject, Schema schema) {
        return delegate.testCompatibility(subject, schema);
    }

    @Override
    public List<String> subjects() {
        return delegate.subjects();
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        delegate.setCompatibility(subject, level);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
