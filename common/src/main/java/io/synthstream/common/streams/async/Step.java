package io.synthstream.common.streams.async;

import io.synthstream.common.dlq.SampleFailure;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link AsyncStage} does next with one pending entry, as its stage's {@link AsyncWork}
 * decides: keep it pending and send calls ({@link #proceed}), finish it ({@link #finish}, {@link
 * #fail}) or park it until its spec arrives ({@link #park}) or until another entry's step wakes it ({@link #hold}); in every case also forward outputs,
 * dead-letter failures and count the outcome. Built and consumed within one decision, so the
 * fluent methods change the step and return it.
 *
 * @param <P> the pending entry
 * @param <O> the app's output envelope
 */
public final class Step<P, O> {
    /** The entry's fate. */
    public enum Kind {
        /** Stays pending (updated when {@link #entry()} is set); {@link #calls()} are sent. */
        PROCEED,
        /** Done: the entry is deleted. */
        FINISH,
        /** Waits for its request's spec (see {@code SpecWait}). */
        PARK,
        /**
         * Stays pending (updated when {@link #entry()} is set) with no call out, until a later step
         * of the task wakes it ({@link #wake}) or the task starts again: then it is begun again.
         */
        HOLD
    }

    private final Kind kind;
    private final P entry;
    private final List<Call> calls;
    private final List<Output<O>> outputs = new ArrayList<>(2);
    private final List<SampleFailure> failures = new ArrayList<>(1);
    private String[] outcome;
    private long outcomes = 1;
    private final List<String> woken = new ArrayList<>(1);

    private Step(Kind kind, P entry, List<Call> calls) {
        this.kind = kind;
        this.entry = entry;
        this.calls = calls;
    }

    /** The entry stays as stored and {@code calls} are sent. */
    public static <P, O> Step<P, O> proceed(List<Call> calls) {
        return new Step<>(Kind.PROCEED, null, List.copyOf(calls));
    }

    /** The entry is replaced by {@code updated} in the same transaction, then {@code calls} are sent. */
    public static <P, O> Step<P, O> proceed(P updated, List<Call> calls) {
        return new Step<>(Kind.PROCEED, updated, List.copyOf(calls));
    }

    /** The entry is done and deleted; add its outputs with {@link #emit}. */
    public static <P, O> Step<P, O> finish() {
        return new Step<>(Kind.FINISH, null, List.of());
    }

    /** The entry ends in {@code synth.dlq}. */
    public static <P, O> Step<P, O> fail(SampleFailure failure) {
        return Step.<P, O>finish().deadLetter(failure);
    }

    /** The entry waits for its request's spec, then starts again. */
    public static <P, O> Step<P, O> park() {
        return new Step<>(Kind.PARK, null, List.of());
    }

    /**
     * The entry stays pending and nothing is sent until a step wakes it ({@link #wake}): for an
     * entry whose turn comes after others' (a Self-Instruct round after the one before it).
     */
    public static <P, O> Step<P, O> hold() {
        return new Step<>(Kind.HOLD, null, List.of());
    }

    /** As {@link #hold()}, with the entry replaced by {@code updated} in the same transaction. */
    public static <P, O> Step<P, O> hold(P updated) {
        return new Step<>(Kind.HOLD, updated, List.of());
    }

    /**
     * After this step, begins the entry under {@code key} again if it is held ({@link #hold}); a
     * key that is not held (not arrived yet, deferred, or with calls out) is left as it is.
     */
    public Step<P, O> wake(String key) {
        woken.add(key);
        return this;
    }

    /** The held entries this step wakes, in order. */
    public List<String> woken() {
        return woken;
    }

    /**
     * An output of the step: forwarded under {@code key}, stamped with {@code timestamp}, or with
     * the stage's clock when it is negative.
     */
    public record Output<O>(String key, O value, long timestamp) {}

    /** Forwards {@code output} under {@code key}, stamped with the stage's clock. */
    public Step<P, O> emit(String key, O output) {
        return emit(key, output, -1);
    }

    /**
     * Forwards {@code output} under {@code key} with the record timestamp {@code timestamp}: for a
     * stage whose next one orders by the input's time, not by when the call finished.
     */
    public Step<P, O> emit(String key, O output, long timestamp) {
        outputs.add(new Output<>(key, output, timestamp));
        return this;
    }

    /** Dead-letters the entry's sample with {@code failure} (whether or not it goes on). */
    public Step<P, O> deadLetter(SampleFailure failure) {
        failures.add(failure);
        return this;
    }

    /** Counts the step in the stage's outcome meter with these tag values (after {@code app}). */
    public Step<P, O> counted(String... tagValues) {
        return counted(1, tagValues);
    }

    /** Counts {@code times} outcomes of the step (a round's several samples) with these tag values. */
    public Step<P, O> counted(long times, String... tagValues) {
        this.outcome = tagValues.clone();
        this.outcomes = times;
        return this;
    }

    /** How many outcomes {@link #outcome()} counts. */
    public long outcomes() {
        return outcomes;
    }

    public Kind kind() {
        return kind;
    }

    /** The updated entry of a {@link Kind#PROCEED} or {@link Kind#HOLD} step; null when the stored one stays. */
    public P entry() {
        return entry;
    }

    public List<Call> calls() {
        return calls;
    }

    public List<Output<O>> outputs() {
        return outputs;
    }

    public List<SampleFailure> failures() {
        return failures;
    }

    /** The outcome meter's tag values, or null when the step is not counted. */
    public String[] outcome() {
        return outcome == null ? null : outcome.clone();
    }
}
