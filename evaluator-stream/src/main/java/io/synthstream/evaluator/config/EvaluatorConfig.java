package io.synthstream.evaluator.config;

import io.synthstream.common.config.Setting;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.streams.async.AsyncSettings;
import io.synthstream.embedding.EmbeddingSettings;
import io.synthstream.evaluator.logic.DatasetSettings;
import io.synthstream.evaluator.logic.Scoring;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.types.Password;

/**
 * The evaluator's settings: the shared ones, the LLM ones (for the judge) and its own, each
 * declared once. Long only because it declares each of its settings with type, default, validator
 * and doc.
 */
public final class EvaluatorConfig {
    public static final Setting<Boolean> JUDGE_ENABLED = Setting.flag(
            "evaluator.judge.enabled",
            true,
            Importance.HIGH,
            "Score every curated sample with the LLM judge (a request can also turn it off).");
    public static final Setting<String> JUDGE_MODEL = Setting.string(
            "evaluator.judge.model",
            null,
            Importance.MEDIUM,
            "Judge model; unset uses llm.model (or the provider's default).");
    public static final Setting<Integer> JUDGE_MAX_TOKENS = Setting.integer(
                    "evaluator.judge.max.tokens", 256, Importance.LOW, "max_tokens of a judge call.")
            .atLeast(16);
    /** The embedding settings, declared once for the apps that embed. */
    public static final EmbeddingSettings.Declared EMBEDDING =
            EmbeddingSettings.declare("evaluator", "minilm", "label consistency, novelty and embedding diversity");

    public static final Setting<String> EMBEDDINGS = EMBEDDING.source();
    public static final Setting<String> EMBEDDINGS_MODEL = EMBEDDING.model();
    public static final Setting<String> EMBEDDINGS_BASE_URL = EMBEDDING.baseUrl();
    public static final Setting<Integer> EMBEDDING_THREADS = EMBEDDING.threads();
    public static final Setting<String> NATIVE_CACHE_DIR = EMBEDDING.nativeCacheDir();
    public static final Setting<Integer> KNN_K = Setting.integer(
                    "evaluator.knn.k",
                    10,
                    Importance.MEDIUM,
                    "Neighbours in the label-consistency vote (a request's evaluation.knn_k wins).")
            .atLeast(1);
    public static final Setting<Integer> WINDOW_SIZE = Setting.integer(
                    "evaluator.window.size",
                    1000,
                    Importance.MEDIUM,
                    "Most recent samples per dataset kept for kNN label consistency and novelty.")
            .between(1, 100_000);
    public static final Setting<Integer> RECENT_SIZE = Setting.integer(
                    "evaluator.recent.size", 200, Importance.MEDIUM, "Samples in the report's recent window.")
            .between(2, 100_000);
    public static final Setting<Integer> RESERVOIR_SIZE = Setting.integer(
                    "evaluator.reservoir.size",
                    300,
                    Importance.LOW,
                    "Samples (a deterministic bottom-k by hash of the id) behind the cumulative self-BLEU and"
                            + " compression ratio.")
            .between(2, 5_000);
    public static final Setting<Integer> DISTINCT_EXACT_LIMIT = Setting.integer(
                    "evaluator.distinct.exact.limit",
                    4096,
                    Importance.LOW,
                    "Distinct n-grams counted exactly per n before switching to an HLL sketch.")
            .between(16, 100_000);
    public static final Setting<Integer> TEXT_MAX_CHARS = Setting.integer(
                    "evaluator.text.max.chars",
                    4000,
                    Importance.LOW,
                    "Characters of a sample's text the lexical metrics and the embedding read.")
            .atLeast(100);
    public static final Setting<Duration> REPORT_INTERVAL_MS = Setting.millis(
                    "evaluator.report.interval.ms",
                    Duration.ofSeconds(2),
                    Importance.MEDIUM,
                    "Wall-clock interval of dataset reports (each changed dataset at most once).")
            .atLeast(10);
    public static final Setting<Duration> REVIEW_CHECK_MS = Setting.millis(
                    "evaluator.review.check.ms",
                    Duration.ofSeconds(1),
                    Importance.LOW,
                    "Wall-clock interval at which samples in review are checked against their deadline"
                            + " (quality.review_timeout_ms).")
            .atLeast(10);
    public static final Setting<Duration> REVIEW_RETENTION_MS = Setting.millis(
                    "evaluator.review.retention.ms",
                    Duration.ofDays(7),
                    Importance.LOW,
                    "How long a decided review is remembered for overrides; later decisions on it are refused"
                            + " as unknown (a complete request refuses them anyway).")
            .atLeast(1000);
    public static final Setting<Boolean> STEERING_ENABLED = Setting.flag(
            "evaluator.steering.enabled",
            true,
            Importance.MEDIUM,
            "Publish SteeringUpdates (attribute weights and exemplars) to synth.steering.");
    public static final Setting<Duration> STEERING_INTERVAL_MS = Setting.millis(
                    "evaluator.steering.interval.ms",
                    Duration.ofSeconds(10),
                    Importance.MEDIUM,
                    "Least time between two steering updates of a dataset.")
            .atLeast(10);
    public static final Setting<Integer> STEERING_MIN_SAMPLES = Setting.integer(
                    "evaluator.steering.min.samples",
                    20,
                    Importance.LOW,
                    "New curated or rejected samples a dataset needs before its next steering update; a person's review"
                            + " decision makes the next one due regardless.")
            .atLeast(1);
    public static final Setting<Double> STEERING_MIN_YIELD = Setting.decimal(
                    "evaluator.steering.min.yield",
                    0.3,
                    Importance.LOW,
                    "Values whose curator yield is below this are damped in proportion.")
            .between(0.0, 1.0);
    public static final Setting<Integer> EXEMPLARS_PER_GROUP = Setting.integer(
                    "evaluator.exemplars.per.group",
                    2,
                    Importance.LOW,
                    "Exemplars kept per label (or per dataset without labels) for the planner.")
            .between(0, 100);
    public static final Setting<Duration> DATASET_IDLE_MS = Setting.millis(
                    "evaluator.dataset.idle.ms",
                    Duration.ofMinutes(10),
                    Importance.LOW,
                    "How long a dataset without events keeps its state in memory and its gauges in /metrics.")
            .atLeast(1);

    private static final AsyncSettings.Declared ASYNC = AsyncSettings.declare(
            "evaluator", "judge calls and embeddings", "the sample is scored unjudged (unknown_spec)");
    public static final Setting<Duration> DRAIN_INTERVAL_MS = ASYNC.drainInterval();
    public static final Setting<Duration> SPEC_WAIT_MS = ASYNC.specWait();

    /** The evaluator's own settings, in the order the docs list them. */
    public static final List<Setting<?>> SETTINGS;

    static {
        List<Setting<?>> settings = new ArrayList<>(List.of(JUDGE_ENABLED, JUDGE_MODEL, JUDGE_MAX_TOKENS));
        settings.addAll(EMBEDDING.all());
        settings.addAll(List.of(
                KNN_K,
                WINDOW_SIZE,
                RECENT_SIZE,
                RESERVOIR_SIZE,
                DISTINCT_EXACT_LIMIT,
                TEXT_MAX_CHARS,
                REPORT_INTERVAL_MS,
                REVIEW_CHECK_MS,
                REVIEW_RETENTION_MS,
                STEERING_ENABLED,
                STEERING_INTERVAL_MS,
                STEERING_MIN_SAMPLES,
                STEERING_MIN_YIELD,
                EXEMPLARS_PER_GROUP,
                DATASET_IDLE_MS));
        settings.addAll(ASYNC.all());
        SETTINGS = List.copyOf(settings);
    }

    private final SynthConfig config;

    private EvaluatorConfig(SynthConfig config) {
        this.config = config;
    }

    public static ConfigDef definition() {
        return Setting.define(LlmSettings.define(SynthConfig.baseDefinition()), SETTINGS);
    }

    public static EvaluatorConfig from(SynthConfig config) {
        return new EvaluatorConfig(new SynthConfig(definition(), config.originals()));
    }

    public SynthConfig synth() {
        return config;
    }

    /** The value of one of the evaluator's settings. */
    public <T> T get(Setting<T> setting) {
        return config.get(setting);
    }

    /** The configured judge model, else llm.model; null lets the provider choose. */
    public String judgeModel() {
        String judge = config.get(JUDGE_MODEL);
        return judge != null ? judge : config.get(LlmSettings.MODEL);
    }

    public EmbeddingSettings.Source embeddings() {
        return EMBEDDING.source(config);
    }

    /** The model endpoint's key (llm.api.key), or null. */
    public String apiKey() {
        Password key = config.get(LlmSettings.API_KEY);
        return key == null ? null : key.value();
    }

    /** The score stage's drain interval, spec wait and back-pressure bound. */
    public AsyncSettings async() {
        return ASYNC.from(config);
    }

    /** What the per-sample scores read. */
    public Scoring.Settings scoring() {
        return new Scoring.Settings(
                config.get(JUDGE_ENABLED), judgeModel(), config.get(JUDGE_MAX_TOKENS), config.get(TEXT_MAX_CHARS));
    }

    /** What the dataset stage reads. */
    public DatasetSettings datasetSettings() {
        return new DatasetSettings(
                config.get(WINDOW_SIZE),
                config.get(RECENT_SIZE),
                config.get(RESERVOIR_SIZE),
                config.get(EXEMPLARS_PER_GROUP),
                config.get(DISTINCT_EXACT_LIMIT),
                config.get(KNN_K),
                new DatasetSettings.Steering(
                        config.get(STEERING_ENABLED),
                        config.get(STEERING_INTERVAL_MS),
                        config.get(STEERING_MIN_SAMPLES),
                        config.get(STEERING_MIN_YIELD)),
                config.get(DATASET_IDLE_MS));
    }
}
