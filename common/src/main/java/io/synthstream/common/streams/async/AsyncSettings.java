package io.synthstream.common.streams.async;

import io.synthstream.common.config.SynthConfig;
import java.time.Duration;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The settings of an {@link AsyncStage}, declared once for every app that has one, under the
 * app's prefix: {@code <prefix>.drain.interval.ms}, {@code <prefix>.spec.wait.ms} and {@code
 * <prefix>.backpressure.max.wait.ms}.
 *
 * @param drainInterval wall-clock interval at which finished calls are taken on the stream thread
 * @param backpressureMaxWait how long {@code process()} handles finished calls while the LLM
 *     runtime is saturated before it takes the record anyway
 * @param specWait how long a record waits for its request's spec (see {@code SpecWait})
 */
public record AsyncSettings(Duration drainInterval, Duration backpressureMaxWait, Duration specWait) {
    public static final String DRAIN_INTERVAL_MS = ".drain.interval.ms";
    public static final String SPEC_WAIT_MS = ".spec.wait.ms";
    public static final String BACKPRESSURE_MAX_WAIT_MS = ".backpressure.max.wait.ms";

    /**
     * Declares the three settings under {@code prefix}.
     *
     * @param calls what the stage's calls are, for the docs ("LLM calls")
     * @param whenSpecMissing what happens to a record whose spec never arrives, for the docs
     */
    public static ConfigDef define(ConfigDef definition, String prefix, String calls, String whenSpecMissing) {
        return definition
                .define(
                        prefix + DRAIN_INTERVAL_MS,
                        Type.LONG,
                        20L,
                        Range.atLeast(1),
                        Importance.LOW,
                        "Wall-clock interval at which finished " + calls + " are taken on the stream thread.")
                .define(
                        prefix + SPEC_WAIT_MS,
                        Type.LONG,
                        60_000L,
                        Range.atLeast(0),
                        Importance.LOW,
                        "How long a record whose request's spec is not in the global synth.specs table yet waits"
                                + " for it, counted from the record's timestamp, before " + whenSpecMissing + ".")
                .define(
                        prefix + BACKPRESSURE_MAX_WAIT_MS,
                        Type.LONG,
                        2_000L,
                        Range.between(0L, 60_000L),
                        Importance.LOW,
                        "When the LLM runtime is saturated, how long process() waits for capacity (handling"
                                + " finished " + calls + " meanwhile) before taking the record anyway; far below"
                                + " max.poll.interval.ms.");
    }

    /** The settings declared under {@code prefix} by {@link #define}. */
    public static AsyncSettings from(SynthConfig config, String prefix) {
        return new AsyncSettings(
                Duration.ofMillis(config.getLong(prefix + DRAIN_INTERVAL_MS)),
                Duration.ofMillis(config.getLong(prefix + BACKPRESSURE_MAX_WAIT_MS)),
                Duration.ofMillis(config.getLong(prefix + SPEC_WAIT_MS)));
    }
}
