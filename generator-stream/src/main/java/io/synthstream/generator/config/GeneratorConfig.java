package io.synthstream.generator.config;

import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.streams.async.AsyncSettings;
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
    private static final String PREFIX = "generator";
    public static final String DRAIN_INTERVAL_MS = PREFIX + AsyncSettings.DRAIN_INTERVAL_MS;
    public static final String SPEC_WAIT_MS = PREFIX + AsyncSettings.SPEC_WAIT_MS;
    public static final String BACKPRESSURE_MAX_WAIT_MS = PREFIX + AsyncSettings.BACKPRESSURE_MAX_WAIT_MS;

    private final SynthConfig config;

    private GeneratorConfig(SynthConfig config) {
        this.config = config;
    }

    public static ConfigDef definition() {
        ConfigDef definition = AsyncSettings.define(
                LlmSettings.define(SynthConfig.baseDefinition()),
                PREFIX,
                "LLM calls",
                "the condition's samples go to synth.dlq (unknown_spec)");
        return definition
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
                        "Wall-clock interval of the planner's punctuator.");
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

    /** The call stage's drain interval, spec wait and back-pressure bound. */
    public AsyncSettings async() {
        return AsyncSettings.from(config, PREFIX);
    }
}
