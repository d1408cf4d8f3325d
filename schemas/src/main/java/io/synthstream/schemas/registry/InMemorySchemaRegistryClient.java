package io.synthstream.schemas.registry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * A registry client that holds the registry itself, for unit and topology tests. URLs of the form
 * {@code mem://<scope>} share one registry per scope within the JVM, so a test's serializer and
 * deserializer (configured separately, as Kafka does) see the same ids; use a fresh scope per test.
 *
 * <p>The scope map is the one mutable static in the project: it is what makes {@code mem://} URLs
 * work through Kafka's configure-by-map mechanism, as Confluent's mock registry does.
 */
public final class InMemorySchemaRegistryClient implements SchemaRegistryClient {
    /** URL scheme that selects this client. */
    public static final String SCHEME = "mem://";

    private static final Map<String, SchemaRegistryState> SCOPES = new ConcurrentHashMap<>();

    private final SchemaRegistryState state;

    public InMemorySchemaRegistryClient(SchemaRegistryState state) {
        this.state = state;
    }

    /** The client for a {@code mem://<scope>} URL; the scope's registry is created on first use. */
    public static InMemorySchemaRegistryClient forUrl(String url) {
        if (!url.startsWith(SCHEME)) {
            throw new IllegalArgumentException("Not an in-memory registry URL (mem://<scope>): " + url);
        }
        String scope = url.substring(SCHEME.length());
        return new InMemorySchemaRegistryClient(SCOPES.computeIfAbsent(scope, s -> SchemaRegistryState.inMemory()));
    }

    @Override
    public int register(String subject, Schema schema) {
        return state.register(subject, schema.toString()).id();
    }

    @Override
    public int getId(String subject, Schema schema) {
        return state.lookup(subject, schema.toString()).id();
    }

    @Override
    public Schema getById(int id) {
        return new Schema.Parser().parse(state.schemaById(id));
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return state.version(subject, -1);
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        return state.version(subject, version);
    }

    @Override
    public List<String> testCompatibility(String subject, Schema schema) {
        return state.testCompatibility(subject, schema.toString(), null);
    }

    @Override
    public List<String> subjects() {
        return state.subjects();
    }

    @Override
    public void setCompatibility(String subject, CompatibilityLevel level) {
        state.setLevel(subject, level);
    }
}
