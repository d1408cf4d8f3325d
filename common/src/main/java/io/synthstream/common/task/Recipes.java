package io.synthstream.common.task;

import io.synthstream.avro.GenerationRequest;

/** What every app needs to know of a request's recipe (docs/recipes.md). */
public final class Recipes {
    /** The most Evol-Instruct rounds a request may ask for. */
    public static final int MAX_EVOLUTION_ROUNDS = 10;

    /** The most new instructions one Self-Instruct round may ask for. */
    public static final int MAX_INSTRUCTIONS_PER_ROUND = 20;

    private Recipes() {}

    /**
     * Samples each planned unit of the request ends as: 1; 1 + {@code evolution.rounds} for
     * multi-round Evol-Instruct (the starting instruction and one sample per round); {@code
     * self_instruct.instructions_per_round} for Self-Instruct (a unit is a round). The generator
     * plans, and the ledger requests, {@code count} times this.
     */
    public static int outputs(GenerationRequest spec) {
        if (spec.getSelfInstruct() != null) {
            return clamp(spec.getSelfInstruct().getInstructionsPerRound(), MAX_INSTRUCTIONS_PER_ROUND);
        }
        return spec.getEvolution() == null ? 1 : 1 + clamp(spec.getEvolution().getRounds(), MAX_EVOLUTION_ROUNDS);
    }

    private static int clamp(int value, int most) {
        return Math.max(1, Math.min(most, value));
    }
}
