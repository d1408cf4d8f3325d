package io.synthstream.common.streams.async;

import io.synthstream.common.config.Setting;
import io.synthstream.common.config.SynthConfig;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef.Importance;

/**
 * The settings of an {@link AsyncStage}, declared once for every app that has one ({@link
 * #declare}), under the app's prefix: {@code <prefix>.drain.interval.ms} and {@code
 * <prefix>.spec.wait.ms}.
 *
 * @param drainInterval wall-clock interval at which finished calls are taken on the stream thread
 *     and deferred entries begun
 * @param specWait how long a record waits for its request's spec (see {@code SpecWait})
 */
public record AsyncSettings(Duration drainInterval, Duration specWait) {

    /** One app's two settings. */
    public record Declared(Setting<Duration> drainInterval, Setting<Duration> specWait) {
        /** The settings, in the order the docs list them. */
        public List<Setting<?>> all() {
            return List.of(drainInterval, specWait);
        }

        /** Their values in {@code config}. */
        public AsyncSettings from(SynthConfig config) {
            return new AsyncSettings(config.get(drainInterval), config.get(specWait));
        }
    }

    /**
     * Declares the two settings under {@code prefix}.
     *
     * @param calls what the stage's calls are, for the docs ("LLM calls")
     * @param whenSpecMissing what happens to a record whose spec never arrives, for the docs
     */
    public static Declared declare(String prefix, String calls, String whenSpecMissing) {
        return new Declared(
                Setting.millis(
                                prefix + ".drain.interval.ms",
                                Duration.ofMillis(20),
                                Importance.LOW,
                                "Wall-clock interval at which finished " + calls + " are taken on the stream thread"
                                        + " and records deferred while the calls had no room are begun.")
                        .atLeast(1),
                Setting.millis(
                                prefix + ".spec.wait.ms",
                                Duration.ofSeconds(60),
                                Importance.LOW,
                                "How long a record whose request's spec is not in the global synth.specs table yet"
                                        + " waits for it, counted from the record's timestamp, before "
                                        + whenSpecMissing + ".")
                        .atLeast(0));
    }
}
