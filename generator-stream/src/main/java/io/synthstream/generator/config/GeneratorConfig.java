package io.synthstream.generator.config;

import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import java.time.Duration;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The generator's settings: the shared ones, the LLM ones ({@link LlmSettings}) and its own. */
public final class GeneratorConfig {
    public static final String MAX_COUNT = "generator.max.count";
    public static final String MAX_REQUEST_BYTES = "generator.max.request.bytes";
    public static final String PLAN_BATCH = "generator.plan.batch.size";
    public static final String PLAN_INTERVAL_MS = "generator.plan.interval.ms";
    public static final String DRAIN_INTERVAL_MS = "generator.drain.interval.ms";
    public static final String SPEC_WAIT_MS = "generator.spec.wait.ms";
    public static final String BACKPRESSURE_MAX_WAIT_MS = "generator.backpressure.max.wait.ms";

    private final SynthConfig config;

    private GeneratorConfig(SynthConfig config) {
        this.config = config;
    }

    public static ConfigDef definition() {
        return LlmSettings.define(SynthConfig.baseDefinition())
                .define(
                        MAX_COUNT,
                        Type.INT,
                        1_000_000,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Largest count a request may ask for; larger requests go to synth.dlq.")
                .define(
                        MAX_REQUEST_BYTES,
                        Type.LONG,
                        1_048_576L,
                        Range.atLeast(1024),
                        Importance.LOW,
                        "Largest encoded request accepted (Avro bytes or JSON text).")
                .define(
                        PLAN_BATCH,
                        Type.INT,
                        200,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Condition tuples the planner emits per request per tick: bounds every transaction.")
                .define(
                        PLAN_INTERVAL_MS,
                        Type.LONG,
                        50L,
                        Range.atLeast(1),
                        Importance.LOW,
                        "Wall-clock interval of the planner's punctuator.")
                .define(
                        DRAIN_INTERVAL_MS,
                        Type.LONG,
                        20L,
                        Range.atLeast(1),
                        Importance.LOW,
                        "Wall-clock interval at which finished LLM calls are taken on the stream thread.")
                .define(
                        SPEC_WAIT_MS,
                        Type.LONG,
                        60_000L,
                        Range.atLeast(0),
                        Importance.LOW,
                        "How long a condition whose spec is not in the global table yet waits before synth.dlq"
                                + " (unknown_spec).")
                .define(
                        BACKPRESSURE_MAX_WAIT_MS,
                        Type.LONG,
                        2_000L,
                        Range.between(0L, 60_000L),
                        Importance.LOW,
                        "When the LLM runtime is saturated, how long process() waits for capacity (draining"
                                + " finished calls meanwhile) before taking the record anyway; far below"
                                + " max.poll.interval.ms.");
    }

    public static GeneratorConfig from(SynthConfig config) {
        return new GeneratorConfig(new SynthConfig(definition(), config.originals()));
    }

    public SynthConfig synth() {
        return config;
    }

    public int maxCount() {
        return config.getInt(MAX_COUNT);
    }

    public long maxRequestBytes() {
        return config.getLong(MAX_REQUEST_BYTES);
    }

    public int planBatch() {
        return config.getInt(PLAN_BATCH);
    }

    public Duration planInterval() {
        return Duration.ofMillis(config.getLong(PLAN_INTERVAL_MS));
    }

    public Duration drainInterval() {
        return Duration.ofMillis(config.getLong(DRAIN_INTERVAL_MS));
    }

    public Duration specWait() {
        return Duration.ofMillis(config.getLong(SPEC_WAIT_MS));
    }

    public Duration backpressureMaxWait() {
        return Duration.ofMillis(config.getLong(BACKPRESSURE_MAX_WAIT_MS));
    }
}
