package io.synthstream.common.task;

import io.synthstream.avro.GenerationRequest;

/** What every app needs to know of a request's recipe (docs/recipes.md). */
public final class Recipes {
    /** The most Evol-Instruct rounds a request may ask for. */
    public static final int MAX_EVOLUTION_ROUNDS = 10;

    private Recipes() {}

    /**
     * Samples each planned unit of the request ends as: 1, or 1 + {@code evolution.rounds} for
     * multi-round Evol-Instruct (the starting instruction and one sample per round). The
     * generator plans, and the ledger requests, {@code count} times this.
     */
    public static int outputs(GenerationRequest spec) {
        return spec.getEvolution() == null
                ? 1
                : 1
                        + Math.max(
                                1,
                                Math.min(
                                        MAX_EVOLUTION_ROUNDS,
                                        spec.getEvolution().getRounds()));
    }
}
