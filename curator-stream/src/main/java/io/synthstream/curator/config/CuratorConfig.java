package io.synthstream.curator.config;

import io.synthstream.common.config.Setting;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.embedding.EmbeddingSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;

/** The curator's settings: the shared ones plus its own, each with a default and a doc. */
public final class CuratorConfig {
    /** The largest claim batch: about 1 KB a sample keeps a batch under Kafka's default 1 MB record limit. */
    static final int MAX_CLAIM_BATCH = 1_000;

    public static final Setting<Duration> SPEC_WAIT_MS = Setting.millis(
                    "curator.spec.wait.ms",
                    Duration.ofSeconds(60),
                    Importance.MEDIUM,
                    "How long a sample whose request spec has not arrived yet waits, counted from its record"
                            + " timestamp, before it goes to synth.dlq as unknown_spec.")
            .atLeast(0);
    public static final Setting<Duration> DEDUP_RETENTION_MS = Setting.millis(
                    "curator.dedup.retention.ms",
                    Duration.ofDays(7),
                    Importance.MEDIUM,
                    "How long exact-dedup hashes and near-dedup band owners are remembered: duplicates further"
                            + " apart than this are not detected.")
            .atLeast(60_000);
    public static final Setting<Duration> DEDUP_HOLD_MS = Setting.millis(
                    "curator.dedup.hold.ms",
                    Duration.ofSeconds(1),
                    Importance.MEDIUM,
                    "How long a bucket owner holds the dedup claims it receives before deciding them, all"
                            + " claims whose hold is over together, in (record timestamp, sample id) order."
                            + " Near duplicates whose claims reach the owner less than this apart are decided"
                            + " the same way whatever the arrival order or the number of instances; it adds"
                            + " this much to every sample's curation latency. 0 decides on arrival.")
            .between(0, 60_000);
    public static final Setting<Duration> DEDUP_FATE_WAIT_MS = Setting.millis(
                    "curator.dedup.fate.wait.ms",
                    Duration.ofSeconds(30),
                    Importance.LOW,
                    "How long, beyond curator.dedup.hold.ms, a dedup claim that matches an earlier sample"
                            + " waits for that sample's fate (a rejected one leaves its buckets) before it is"
                            + " decided as if the earlier sample were kept, counted in"
                            + " synth.curator.dedup.forced. Fates take a round trip through the claims and"
                            + " votes topics; this bound only matters when one is lost or late.")
            .between(0, 3_600_000);
    public static final Setting<Duration> CLAIM_LINGER_MS = Setting.millis(
                    "curator.claim.linger.ms",
                    Duration.ofMillis(20),
                    Importance.LOW,
                    "How long screened samples' dedup claims are gathered before they are sent, one batch per"
                            + " owner partition: longer means fewer, larger batches and more latency.")
            .atLeast(1);
    public static final Setting<Integer> CLAIM_BATCH_MAX = Setting.integer(
                    "curator.claim.batch.max",
                    500,
                    Importance.LOW,
                    "Samples whose claims are gathered at most before they are sent regardless of"
                            + " curator.claim.linger.ms; 1 sends each sample's claims at once. At most "
                            + MAX_CLAIM_BATCH + ", so that a batch (up to about 1 KB per sample) stays under"
                            + " Kafka's default 1 MB record limit.")
            .between(1, MAX_CLAIM_BATCH);
    public static final Setting<Duration> VOTES_RETENTION_MS = Setting.millis(
                    "curator.votes.retention.ms",
                    Duration.ofHours(1),
                    Importance.LOW,
                    "Retention of the <application.id>-dedup-votes topic (append time), used when the curator"
                            + " creates it. Votes are read within moments; a task that restarts claims its"
                            + " waiting samples again, so older votes are never needed.")
            .atLeast(60_000);

    /** The embedding settings (semantic dedup), declared once for the apps that embed. */
    public static final EmbeddingSettings.Declared EMBEDDING =
            EmbeddingSettings.declare("curator", "minilm", "semantic dedup (requests with curation.semantic_dedup)");

    public static final Setting<Duration> EMBEDDING_DRAIN_MS = Setting.millis(
                    "curator.embedding.drain.interval.ms",
                    Duration.ofMillis(10),
                    Importance.LOW,
                    "Wall-clock interval at which finished embeddings are taken on the stream thread and"
                            + " their samples sent on to curation.")
            .between(1, 10_000);

    /** The curator's own settings, in the order the docs list them. */
    public static final List<Setting<?>> SETTINGS;

    static {
        List<Setting<?>> settings = new ArrayList<>(List.of(
                SPEC_WAIT_MS,
                DEDUP_RETENTION_MS,
                DEDUP_HOLD_MS,
                DEDUP_FATE_WAIT_MS,
                CLAIM_LINGER_MS,
                CLAIM_BATCH_MAX,
                VOTES_RETENTION_MS));
        settings.addAll(EMBEDDING.all());
        settings.add(EMBEDDING_DRAIN_MS);
        SETTINGS = List.copyOf(settings);
    }

    private final SynthConfig config;

    private CuratorConfig(SynthConfig config) {
        this.config = config;
    }

    public static ConfigDef definition() {
        return Setting.define(LlmSettings.define(SynthConfig.baseDefinition()), SETTINGS);
    }

    /** The curator's view of a config, whichever definition it was parsed with. */
    public static CuratorConfig from(SynthConfig config) {
        return new CuratorConfig(new SynthConfig(definition(), config.originals()));
    }

    public SynthConfig synth() {
        return config;
    }

    /** The value of one of the curator's settings. */
    public <T> T get(Setting<T> setting) {
        return config.get(setting);
    }
}
