package io.synthstream.schemas.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/**
 * The Confluent compatibility levels and how a new Avro schema is checked against the versions
 * already registered under a subject, using Avro's own {@link SchemaCompatibility}.
 *
 * <p>BACKWARD: the new schema can read data written with the latest one. FORWARD: the latest can
 * read data written with the new one. FULL: both. The {@code _TRANSITIVE} variants check every
 * earlier version instead of only the latest.
 */
public enum CompatibilityLevel {
    NONE(false, false, false),
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /** Parses a level name case-insensitively; throws a 42203 error for an unknown name. */
    public static CompatibilityLevel parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new SchemaRegistryException(
                    SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL,
                    "Invalid compatibility level '" + name + "'; expected one of "
                            + java.util.Arrays.toString(values()));
        }
    }

    /**
     * Checks {@code candidate} against {@code existing} (oldest first).
     *
     * @return the problems found, each naming the field and what is wrong; empty when compatible
     */
    public List<String> check(Schema candidate, List<Schema> existing) {
        List<String> problems = new ArrayList<>();
        if (this == NONE || existing.isEmpty()) {
            return problems;
        }
        List<Schema> against = transitive ? existing : List.of(existing.get(existing.size() - 1));
        for (Schema previous : against) {
            if (backward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(candidate, previous), "BACKWARD", problems);
            }
            if (forward) {
                describe(SchemaCompatibility.checkReaderWriterCompatibility(previous, candidate), "FORWARD", problems);
            }
        }
        return problems;
    }

    private static void describe(
            SchemaCompatibility.SchemaPairCompatibility result, String direction, List<String> problems) {
        for (Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
            problems.add(direction + ": " + incompatibility.getType() + " at " + incompatibility.getLocation() + ": "
                    + incompatibility.getMessage());
        }
    }
}
