package io.synthstream.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * The registry's rules in plain Java: subjects, versions, global ids and compatibility checks,
 * following the Confluent Schema Registry's behaviour for Avro.
 *
 * <ul>
 *   <li>The same schema (compared in its normalised JSON form) gets the same id in every subject.
 *   <li>Registering a schema a subject already has returns the existing version, not a new one.
 *   <li>A new version must pass the subject's compatibility level (default BACKWARD).
 * </ul>
 *
 * <p>Changes go to the {@link SchemaStore} before they are applied, so an answer is only given
 * for what is stored. Thread-safe: every public method is synchronized (registrations are rare
 * and the lock keeps id assignment simple and gap-free).
 */
public final class SchemaRegistryState {
    private final SchemaStore store;
    private final Map<String, List<RegisteredSchema>> subjects = new TreeMap<>();
    private final Map<Integer, String> schemasById = new HashMap<>();
    private final Map<String, Integer> idsByCanonicalForm = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int maxId;

    /** Creates a state backed by {@code store}, replaying what the store already holds. */
    public SchemaRegistryState(SchemaStore store) {
        this.store = store;
        for (SchemaLogEntry entry : store.load()) {
            apply(entry);
        }
    }

    /** A state that lives only in memory. */
    public static SchemaRegistryState inMemory() {
        return new SchemaRegistryState(SchemaStore.inMemory());
    }

    /** Registers a schema (or finds it) under a subject; see the class rules. */
    public synchronized RegisteredSchema register(String subject, String schemaText) {
        Schema schema = parse(schemaText);
        String canonical = canonical(schema);
        List<RegisteredSchema> versions = subjects.getOrDefault(subject, List.of());
        for (RegisteredSchema existing : versions) {
            if (existing.schema().equals(canonical)) {
                return existing;
            }
        }
        List<String> problems = compatibilityProblems(subject, schema);
        if (!problems.isEmpty()) {
            throw new SchemaRegistryException(
                    SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                    "Schema being registered is incompatible with an earlier schema for subject \"" + subject + "\" ("
                            + levelFor(subject) + "): " + String.join("; ", problems));
        }
        int id = idsByCanonicalForm.getOrDefault(canonical, maxId + 1);
        int version = versions.isEmpty() ? 1 : versions.get(versions.size() - 1).version() + 1;
        SchemaLogEntry.SchemaVersion entry = new SchemaLogEntry.SchemaVersion(subject, version, id, canonical);
        persist(entry);
        apply(entry);
        return new RegisteredSchema(subject, version, id, canonical);
    }

    /** Looks a schema up under a subject without registering it. */
    public synchronized RegisteredSchema lookup(String subject, String schemaText) {
        List<RegisteredSchema> versions = subjects.get(subject);
        if (versions == null) {
            throw subjectNotFound(subject);
        }
        String canonical = canonical(parse(schemaText));
        for (RegisteredSchema existing : versions) {
            if (existing.schema().equals(canonical)) {
                return existing;
            }
        }
        throw new SchemaRegistryException(SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found");
    }

    /** The schema text with the given id. */
    public synchronized String schemaById(int id) {
        String schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaRegistryException(SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + id + " not found");
        }
        return schema;
    }

    /** Subjects and versions that use the schema with the given id. */
    public synchronized List<RegisteredSchema> versionsOfId(int id) {
        schemaById(id);
        List<RegisteredSchema> found = new ArrayList<>();
        subjects.values()
                .forEach(versions -> versions.stream().filter(v -> v.id() == id).forEach(found::add));
        return found;
    }

    public synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    public synchronized List<Integer> versions(String subject) {
        List<RegisteredSchema> versions = subjects.get(subject);
        if (versions == null) {
            throw subjectNotFound(subject);
        }
        return versions.stream().map(RegisteredSchema::version).toList();
    }

    /** One version, or the latest when {@code version} is -1 (Confluent's "latest"). */
    public synchronized RegisteredSchema version(String subject, int version) {
        List<RegisteredSchema> versions = subjects.get(subject);
        if (versions == null) {
            throw subjectNotFound(subject);
        }
        if (version == -1) {
            return versions.get(versions.size() - 1);
        }
        if (version <= 0) {
            throw new SchemaRegistryException(
                    SchemaRegistryException.INVALID_VERSION,
                    "The specified version '" + version + "' is not a valid version id. Allowed values are"
                            + " between [1, 2^31-1] and the string \"latest\"");
        }
        return versions.stream()
                .filter(v -> v.version() == version)
                .findFirst()
                .orElseThrow(() -> new SchemaRegistryException(
                        SchemaRegistryException.VERSION_NOT_FOUND, "Version " + version + " not found."));
    }

    /**
     * Checks a schema against the subject's level and versions; against one version only when
     * {@code version} is given (-1 for latest), as Confluent's compatibility endpoint does.
     */
    public synchronized List<String> testCompatibility(String subject, String schemaText, Integer version) {
        Schema schema = parse(schemaText);
        if (version == null) {
            return compatibilityProblems(subject, schema);
        }
        RegisteredSchema against = version(subject, version);
        CompatibilityLevel level = levelFor(subject);
        return level.check(schema, List.of(parse(against.schema())));
    }

    /** The effective level of a subject: its own, else the global one. */
    public synchronized CompatibilityLevel levelFor(String subject) {
        return subject == null ? globalLevel : subjectLevels.getOrDefault(subject, globalLevel);
    }

    /** The subject's own level, or 40408 when it has none. */
    public synchronized CompatibilityLevel subjectLevel(String subject) {
        CompatibilityLevel level = subjectLevels.get(subject);
        if (level == null) {
            throw new SchemaRegistryException(
                    SchemaRegistryException.SUBJECT_CONFIG_NOT_FOUND,
                    "Subject '" + subject + "' does not have subject-level compatibility configured");
        }
        return level;
    }

    /** Sets the level of a subject, or the global level when {@code subject} is null. */
    public synchronized void setLevel(String subject, CompatibilityLevel level) {
        SchemaLogEntry.Config entry = new SchemaLogEntry.Config(subject, level);
        persist(entry);
        apply(entry);
    }

    private List<String> compatibilityProblems(String subject, Schema schema) {
        List<Schema> existing = subjects.getOrDefault(subject, List.of()).stream()
                .map(v -> parse(v.schema()))
                .toList();
        return levelFor(subject).check(schema, existing);
    }

    private void persist(SchemaLogEntry entry) {
        try {
            store.append(entry);
        } catch (RuntimeException e) {
            throw new SchemaRegistryException(
                    SchemaRegistryException.STORE_ERROR, "Error while storing the schema: " + e.getMessage(), e);
        }
    }

    private void apply(SchemaLogEntry entry) {
        if (entry instanceof SchemaLogEntry.SchemaVersion v) {
            String normalised = canonical(parse(v.schema()));
            subjects.computeIfAbsent(v.subject(), s -> new ArrayList<>())
                    .add(new RegisteredSchema(v.subject(), v.version(), v.id(), normalised));
            schemasById.putIfAbsent(v.id(), normalised);
            idsByCanonicalForm.putIfAbsent(normalised, v.id());
            maxId = Math.max(maxId, v.id());
        } else if (entry instanceof SchemaLogEntry.Config c) {
            if (c.subject() == null) {
                globalLevel = c.level();
            } else {
                subjectLevels.put(c.subject(), c.level());
            }
        }
    }

    static Schema parse(String schemaText) {
        if (schemaText == null || schemaText.isBlank()) {
            throw new SchemaRegistryException(SchemaRegistryException.INVALID_SCHEMA, "Empty schema");
        }
        try {
            return new Schema.Parser().parse(schemaText);
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException(
                    SchemaRegistryException.INVALID_SCHEMA, "Invalid schema: " + e.getMessage(), e);
        }
    }

    private static String canonical(Schema schema) {
        // Avro's Parsing Canonical Form drops docs and defaults; Confluent compares the full
        // normalised text, so a doc or default change is a new version. Keep that behaviour.
        return schema.toString();
    }

    private static SchemaRegistryException subjectNotFound(String subject) {
        return new SchemaRegistryException(
                SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + subject + "' not found.");
    }
}
