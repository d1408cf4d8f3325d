package io.synthstream.curator.config;

import io.synthstream.common.config.SynthConfig;
import java.time.Duration;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The curator's settings: the shared ones plus its own, each with a default and a doc. */
public final class CuratorConfig {
    public static final String SPEC_WAIT_MS = "curator.spec.wait.ms";
    public static final String DEDUP_RETENTION_MS = "curator.dedup.retention.ms";

    private final Duration specWait;
    private final Duration dedupRetention;

    private CuratorConfig(SynthConfig config) {
        this.specWait = Duration.ofMillis(config.getLong(SPEC_WAIT_MS));
        this.dedupRetention = Duration.ofMillis(config.getLong(DEDUP_RETENTION_MS));
    }

    public static ConfigDef definition() {
        return SynthConfig.baseDefinition()
                .define(
                        SPEC_WAIT_MS,
                        Type.LONG,
                        60_000L,
                        ConfigDef.Range.atLeast(0),
                        Importance.MEDIUM,
                        "How long a sample whose request spec has not arrived yet waits before it goes to synth.dlq"
                                + " as unknown_spec.")
                .define(
                        DEDUP_RETENTION_MS,
                        Type.LONG,
                        Duration.ofDays(7).toMillis(),
                        ConfigDef.Range.atLeast(60_000),
                        Importance.MEDIUM,
                        "How long exact-dedup hashes and near-dedup band owners are remembered: duplicates further"
                                + " apart than this are not detected.");
    }

    /** The curator's view of a config, whichever definition it was parsed with. */
    public static CuratorConfig from(SynthConfig config) {
        return new CuratorConfig(new SynthConfig(definition(), config.originals()));
    }

    public Duration specWait() {
        return specWait;
    }

    public Duration dedupRetention() {
        return dedupRetention;
    }
}
