package io.synthstream.schemas;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;

/** A small schema and its evolutions, for compatibility tests against any registry. */
public final class TestSchemas {
    private TestSchemas() {}

    /** {@code Thing {name: string}}. */
    public static final Schema THING_V1 =
            SchemaBuilder.record("Thing").fields().requiredString("name").endRecord();

    /** Adds {@code size: int = 0}: BACKWARD compatible with v1. */
    public static final Schema THING_V2_COMPATIBLE = SchemaBuilder.record("Thing")
            .fields()
            .requiredString("name")
            .name("size")
            .type()
            .intType()
            .intDefault(0)
            .endRecord();

    /** Adds {@code weight: int} without a default: not BACKWARD compatible with v1. */
    public static final Schema THING_V2_INCOMPATIBLE = SchemaBuilder.record("Thing")
            .fields()
            .requiredString("name")
            .requiredInt("weight")
            .endRecord();
}
