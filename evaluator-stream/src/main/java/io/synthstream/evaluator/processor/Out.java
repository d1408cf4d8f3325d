package io.synthstream.evaluator.processor;

/** What an evaluator processor forwards: one value for one of its outputs. */
public record Out(Kind kind, Object value) {
    public enum Kind {
        EVENT,
        LEDGER,
        SCORED,
        REPORT,
        STEERING,
        STATUS,
        DEAD_LETTER
    }

    public <T> T as(Class<T> type) {
        return type.cast(value);
    }
}
