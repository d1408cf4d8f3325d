package io.synthstream.schemas.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synthstream.schemas.TestSchemas;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

class SchemaRegistryStateTest {
    static final String V1 = TestSchemas.THING_V1.toString();
    static final String V2_COMPATIBLE = TestSchemas.THING_V2_COMPATIBLE.toString();
    static final String V2_INCOMPATIBLE = TestSchemas.THING_V2_INCOMPATIBLE.toString();

    /** A store that keeps entries in a list: what a restart over a durable store looks like. */
    static final class ListStore implements SchemaStore {
        final List<SchemaLogEntry> entries = new ArrayList<>();

        @Override
        public List<SchemaLogEntry> load() {
            return List.copyOf(entries);
        }

        @Override
        public void append(SchemaLogEntry entry) {
            entries.add(entry);
        }
    }

    @Test
    void shouldAssignSameIdToSameSchemaInEverySubject() {
        SchemaRegistryState state = SchemaRegistryState.inMemory();
        RegisteredSchema a = state.register("a-value", V1);
        RegisteredSchema b = state.register("b-value", V1);

        assertThat(a.id()).isEqualTo(b.id());
        assertThat(b.version()).isEqualTo(1);
    }

    @Test
    void shouldReturnExistingVersionWhenSchemaIsRegisteredAgain() {
        SchemaRegistryState state = SchemaRegistryState.inMemory();
        RegisteredSchema first = state.register("a-value", V1);
        RegisteredSchema again =
                state.register("a-value", new Schema.Parser().parse(V1).toString(true));

        assertThat(again).isEqualTo(first);
        assertThat(state.versions("a-value")).containsExactly(1);
    }

    @Test
    void shouldAddVersionForCompatibleEvolution() {
        SchemaRegistryState state = SchemaRegistryState.inMemory();
        RegisteredSchema v1 = state.register("a-value", V1);
        RegisteredSchema v2 = state.register("a-value", V2_COMPATIBLE);

        assertThat(v2.version()).isEqualTo(2);
        assertThat(v2.id()).isNotEqualTo(v1.id());
        assertThat(state.version("a-value", -1)).isEqualTo(v2);
    }

    @Test
    void shouldRejectIncompatibleSchemaNamingTheField() {
        SchemaRegistryState state = SchemaRegistryState.inMemory();
        state.register("a-value", V1);

        assertThatThrownBy(() -> state.register("a-value", V2_INCOMPATIBLE))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("weight")
                .extracting(e -> ((SchemaRegistryException) e).errorCode())
                .isEqualTo(SchemaRegistryException.INCOMPATIBLE_SCHEMA);
    }

    @Test
    void shouldAcceptIncompatibleSchemaWhenSubjectLevelIsNone() {
        SchemaRegistryState state = SchemaRegistryState.inMemory();
        state.register("a-value", V1);
        state.setLevel("a-value", CompatibilityLevel.NONE);

        assertThat(state.register("a-value", V2_INCOMPATIBLE).version()).isEqualTo(2);
        assertThat(state.levelFor("b-value")).isEqualTo(CompatibilityLevel.BACKWARD);
    }

    @Test
    void shouldCheckEveryVersionWhenTransitive() {
        SchemaRegistryState state = SchemaRegistryState.inMemory();
        state.setLevel("a-value", CompatibilityLevel.NONE);
        state.register("a-value", V1);
        String withoutName = SchemaBuilder.record("Thing")
                .fields()
                .name("size")
                .type()
                .intType()
                .intDefault(0)
                .endRecord()
                .toString();
        state.register("a-value", withoutName);
        String needsName = V1;

        state.setLevel("a-value", CompatibilityLevel.FORWARD_TRANSITIVE);
        assertThat(state.testCompatibility("a-value", needsName, null)).isEmpty();
        state.setLevel("a-value", CompatibilityLevel.BACKWARD);
        assertThat(state.testCompatibility("a-value", needsName, null)).anyMatch(p -> p.contains("name"));
    }

    @Test
    void shouldReportMissingThingsWithConfluentErrorCodes() {
        SchemaRegistryState state = SchemaRegistryState.inMemory();
        state.register("a-value", V1);

        assertThatThrownBy(() -> state.version("nope", 1)).hasMessageContaining("Subject 'nope' not found");
        assertThatThrownBy(() -> state.version("a-value", 9))
                .extracting(e -> ((SchemaRegistryException) e).errorCode())
                .isEqualTo(SchemaRegistryException.VERSION_NOT_FOUND);
        assertThatThrownBy(() -> state.schemaById(99))
                .extracting(e -> ((SchemaRegistryException) e).errorCode())
                .isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
        assertThatThrownBy(() -> state.lookup("a-value", V2_COMPATIBLE))
                .extracting(e -> ((SchemaRegistryException) e).errorCode())
                .isEqualTo(SchemaRegistryException.SCHEMA_NOT_FOUND);
        assertThatThrownBy(() -> state.subjectLevel("a-value"))
                .extracting(e -> ((SchemaRegistryException) e).httpStatus())
                .isEqualTo(404);
        assertThatThrownBy(() -> state.register("a-value", "{not json"))
                .extracting(e -> ((SchemaRegistryException) e).httpStatus())
                .isEqualTo(422);
    }

    @Test
    void shouldRebuildSameIdsFromStoreAfterRestart() {
        ListStore store = new ListStore();
        SchemaRegistryState before = new SchemaRegistryState(store);
        int a = before.register("a-value", V1).id();
        int b = before.register("a-value", V2_COMPATIBLE).id();
        before.setLevel("a-value", CompatibilityLevel.FULL);

        SchemaRegistryState after = new SchemaRegistryState(store);

        assertThat(after.lookup("a-value", V1).id()).isEqualTo(a);
        assertThat(after.lookup("a-value", V2_COMPATIBLE).id()).isEqualTo(b);
        assertThat(after.levelFor("a-value")).isEqualTo(CompatibilityLevel.FULL);
        String other = SchemaBuilder.record("Other")
                .fields()
                .requiredLong("x")
                .endRecord()
                .toString();
        assertThat(after.register("c-value", other).id()).isGreaterThan(b);
    }

    @Test
    void shouldNotChangeStateWhenStoreFails() {
        SchemaStore failing = new SchemaStore() {
            @Override
            public List<SchemaLogEntry> load() {
                return List.of();
            }

            @Override
            public void append(SchemaLogEntry entry) {
                throw new IllegalStateException("broker down");
            }
        };
        SchemaRegistryState state = new SchemaRegistryState(failing);

        assertThatThrownBy(() -> state.register("a-value", V1))
                .hasMessageContaining("broker down")
                .extracting(e -> ((SchemaRegistryException) e).isRetriable())
                .isEqualTo(true);
        assertThat(state.subjects()).isEmpty();
    }
}
