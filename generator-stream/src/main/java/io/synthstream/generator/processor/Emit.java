package io.synthstream.generator.processor;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;

/** What a generator processor forwards: one value for one of its output topics. */
public record Emit(Kind kind, Object value) {
    public enum Kind {
        SPEC,
        CONDITION,
        SAMPLE,
        DEAD_LETTER
    }

    static Emit spec(GenerationRequest spec) {
        return new Emit(Kind.SPEC, spec);
    }

    static Emit condition(ConditionTuple tuple) {
        return new Emit(Kind.CONDITION, tuple);
    }

    static Emit sample(Sample sample) {
        return new Emit(Kind.SAMPLE, sample);
    }

    static Emit deadLetter(DeadLetter letter) {
        return new Emit(Kind.DEAD_LETTER, letter);
    }

    public <T> T as(Class<T> type) {
        return type.cast(value);
    }
}
