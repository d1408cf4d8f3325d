package io.synthstream.generator.processor;

/** Names of the generator's state stores (their changelogs are {@code <app>-<name>-changelog}). */
public final class GeneratorStores {
    /** request id -> PlanCursor: accepted requests and how far planning got. */
    public static final String PLANS = "generator-plans";
    /** sample id -> PendingSample: samples whose LLM calls are not finished. */
    public static final String PENDING = "generator-pending";
    /** Global: synth.specs by request id. */
    public static final String SPECS = "generator-specs";
    /** Global: synth.steering by dataset. */
    public static final String STEERING = "generator-steering";

    private GeneratorStores() {}
}
