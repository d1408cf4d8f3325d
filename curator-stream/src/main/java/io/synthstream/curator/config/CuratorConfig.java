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
    public static final String CLAIM_LINGER_MS = "curator.claim.linger.ms";
    public static final String CLAIM_BATCH_MAX = "curator.claim.batch.max";
    public static final String VOTES_RETENTION_MS = "curator.votes.retention.ms";

    /** The largest claim batch: about 1 KB a sample keeps a batch under Kafka's default 1 MB record limit. */
    static final int MAX_CLAIM_BATCH = 1_000;

    private final Duration specWait;
    private final Duration dedupRetention;
    private final Duration claimLinger;
    private final int claimBatchMax;
    private final Duration votesRetention;

    private CuratorConfig(SynthConfig config) {
        this.specWait = Duration.ofMillis(config.getLong(SPEC_WAIT_MS));
        this.dedupRetention = Duration.ofMillis(config.getLong(DEDUP_RETENTION_MS));
        this.claimLinger = Duration.ofMillis(config.getLong(CLAIM_LINGER_MS));
        this.claimBatchMax = config.getInt(CLAIM_BATCH_MAX);
        this.votesRetention = Duration.ofMillis(config.getLong(VOTES_RETENTION_MS));
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
                                + " apart than this are not detected.")
                .define(
                        CLAIM_LINGER_MS,
                        Type.LONG,
                        20L,
                        ConfigDef.Range.atLeast(1),
                        Importance.LOW,
                        "How long screened samples' dedup claims are gathered before they are sent, one batch per"
                                + " owner partition: longer means fewer, larger batches and more latency.")
                .define(
                        CLAIM_BATCH_MAX,
                        Type.INT,
                        500,
                        ConfigDef.Range.between(1, MAX_CLAIM_BATCH),
                        Importance.LOW,
                        "Samples whose claims are gathered at most before they are sent regardless of"
                                + " curator.claim.linger.ms; 1 sends each sample's claims at once. At most "
                                + MAX_CLAIM_BATCH + ", so that a batch (up to about 1 KB per sample) stays under"
                                + " Kafka's default 1 MB record limit.")
                .define(
                        VOTES_RETENTION_MS,
                        Type.LONG,
                        Duration.ofHours(1).toMillis(),
                        ConfigDef.Range.atLeast(60_000),
                        Importance.LOW,
                        "Retention of the <application.id>-dedup-votes topic (append time), used when the curator"
                                + " creates it. Votes are read within moments; a task that restarts claims its"
                                + " waiting samples again, so older votes are never needed.");
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

    public Duration claimLinger() {
        return claimLinger;
    }

    public int claimBatchMax() {
        return claimBatchMax;
    }

    public Duration votesRetention() {
        return votesRetention;
    }
}
