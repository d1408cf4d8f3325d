package io.synthstream.evaluator.config;

import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.llm.LlmSettings;
import io.synthstream.common.streams.async.AsyncSettings;
import io.synthstream.evaluator.logic.DatasetSettings;
import io.synthstream.evaluator.logic.Scoring;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;

/**
 * The evaluator's settings: the shared ones, the LLM ones (for the judge) and its own. Long only
 * because it declares each of its settings with type, default, validator and doc.
 */
public final class EvaluatorConfig {
    public static final String JUDGE_ENABLED = "evaluator.judge.enabled";
    public static final String JUDGE_MODEL = "evaluator.judge.model";
    public static final String JUDGE_MAX_TOKENS = "evaluator.judge.max.tokens";
    public static final String EMBEDDINGS = "evaluator.embeddings";
    public static final String EMBEDDING_THREADS = "evaluator.embedding.threads";
    public static final String EMBEDDINGS_MODEL = "evaluator.embeddings.model";
    public static final String EMBEDDINGS_BASE_URL = "evaluator.embeddings.base.url";
    public static final String NATIVE_CACHE_DIR = "evaluator.native.cache.dir";
    public static final String KNN_K = "evaluator.knn.k";
    public static final String WINDOW_SIZE = "evaluator.window.size";
    public static final String RECENT_SIZE = "evaluator.recent.size";
    public static final String RESERVOIR_SIZE = "evaluator.reservoir.size";
    public static final String DISTINCT_EXACT_LIMIT = "evaluator.distinct.exact.limit";
    public static final String TEXT_MAX_CHARS = "evaluator.text.max.chars";
    public static final String REPORT_INTERVAL_MS = "evaluator.report.interval.ms";
    public static final String STEERING_ENABLED = "evaluator.steering.enabled";
    public static final String STEERING_INTERVAL_MS = "evaluator.steering.interval.ms";
    public static final String STEERING_MIN_SAMPLES = "evaluator.steering.min.samples";
    public static final String STEERING_MIN_YIELD = "evaluator.steering.min.yield";
    public static final String EXEMPLARS_PER_GROUP = "evaluator.exemplars.per.group";
    public static final String PRICE_PROMPT = "evaluator.price.prompt.per.million";
    public static final String PRICE_COMPLETION = "evaluator.price.completion.per.million";
    public static final String DATASET_IDLE_MS = "evaluator.dataset.idle.ms";
    private static final String PREFIX = "evaluator";
    public static final String DRAIN_INTERVAL_MS = PREFIX + AsyncSettings.DRAIN_INTERVAL_MS;
    public static final String SPEC_WAIT_MS = PREFIX + AsyncSettings.SPEC_WAIT_MS;
    public static final String BACKPRESSURE_MAX_WAIT_MS = PREFIX + AsyncSettings.BACKPRESSURE_MAX_WAIT_MS;

    /** Embedding sources. */
    public enum EmbeddingSource {
        MINILM,
        OPENAI,
        NONE
    }

    private final SynthConfig config;

    private EvaluatorConfig(SynthConfig config) {
        this.config = config;
    }

    public static ConfigDef definition() {
        ConfigDef definition = AsyncSettings.define(
                LlmSettings.define(SynthConfig.baseDefinition()),
                PREFIX,
                "judge calls and embeddings",
                "the sample is scored unjudged (unknown_spec)");
        return definition
                .define(
                        JUDGE_ENABLED,
                        Type.BOOLEAN,
                        true,
                        Importance.HIGH,
                        "Score every curated sample with the LLM judge (a request can also turn it off).")
                .define(
                        JUDGE_MODEL,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Judge model; unset uses llm.model (or the provider's default).")
                .define(
                        JUDGE_MAX_TOKENS,
                        Type.INT,
                        256,
                        Range.atLeast(16),
                        Importance.LOW,
                        "max_tokens of a judge call.")
                .define(
                        EMBEDDINGS,
                        Type.STRING,
                        "minilm",
                        ValidString.in("minilm", "openai", "none"),
                        Importance.HIGH,
                        "Sentence embeddings for label consistency, novelty and embedding diversity: minilm"
                                + " (all-MiniLM-L6-v2 in-process), openai (an OpenAI-compatible /v1/embeddings"
                                + " endpoint) or none.")
                .define(
                        EMBEDDINGS_MODEL,
                        Type.STRING,
                        "text-embedding-3-small",
                        Importance.MEDIUM,
                        "Embedding model when evaluator.embeddings=openai.")
                .define(
                        EMBEDDINGS_BASE_URL,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Base URL of the embeddings endpoint (…/v1); unset uses llm.base.url. The key is llm.api.key.")
                .define(
                        EMBEDDING_THREADS,
                        Type.INT,
                        1,
                        Range.between(1, 64),
                        Importance.MEDIUM,
                        "Threads computing embeddings, one ONNX Runtime thread each.")
                .define(
                        NATIVE_CACHE_DIR,
                        Type.STRING,
                        Path.of(System.getProperty("java.io.tmpdir"), "synthstream-native")
                                .toString(),
                        Importance.LOW,
                        "Directory for ONNX Runtime's and the tokenizer's native libraries (extracted once).")
                .define(
                        KNN_K,
                        Type.INT,
                        10,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Neighbours in the label-consistency vote (a request's evaluation.knn_k wins).")
                .define(
                        WINDOW_SIZE,
                        Type.INT,
                        1000,
                        Range.between(1, 100_000),
                        Importance.MEDIUM,
                        "Most recent samples per dataset kept for kNN label consistency and novelty.")
                .define(
                        RECENT_SIZE,
                        Type.INT,
                        200,
                        Range.between(2, 100_000),
                        Importance.MEDIUM,
                        "Samples in the report's recent window.")
                .define(
                        RESERVOIR_SIZE,
                        Type.INT,
                        300,
                        Range.between(2, 5_000),
                        Importance.LOW,
                        "Samples (a deterministic bottom-k by hash of the id) behind the cumulative"
                                + " self-BLEU and compression ratio.")
                .define(
                        DISTINCT_EXACT_LIMIT,
                        Type.INT,
                        4096,
                        Range.between(16, 100_000),
                        Importance.LOW,
                        "Distinct n-grams counted exactly per n before switching to an HLL sketch.")
                .define(
                        TEXT_MAX_CHARS,
                        Type.INT,
                        4000,
                        Range.atLeast(100),
                        Importance.LOW,
                        "Characters of a sample's text the lexical metrics and the embedding read.")
                .define(
                        REPORT_INTERVAL_MS,
                        Type.LONG,
                        2000L,
                        Range.atLeast(10),
                        Importance.MEDIUM,
                        "Wall-clock interval of dataset reports (each changed dataset at most once).")
                .define(
                        STEERING_ENABLED,
                        Type.BOOLEAN,
                        true,
                        Importance.MEDIUM,
                        "Publish SteeringUpdates (attribute weights and exemplars) to synth.steering.")
                .define(
                        STEERING_INTERVAL_MS,
                        Type.LONG,
                        10_000L,
                        Range.atLeast(10),
                        Importance.MEDIUM,
                        "Least time between two steering updates of a dataset.")
                .define(
                        STEERING_MIN_SAMPLES,
                        Type.INT,
                        20,
                        Range.atLeast(1),
                        Importance.LOW,
                        "New curated or rejected samples a dataset needs before its next steering update.")
                .define(
                        STEERING_MIN_YIELD,
                        Type.DOUBLE,
                        0.3,
                        Range.between(0.0, 1.0),
                        Importance.LOW,
                        "Values whose curator yield is below this are damped in proportion.")
                .define(
                        EXEMPLARS_PER_GROUP,
                        Type.INT,
                        2,
                        Range.between(0, 100),
                        Importance.LOW,
                        "Exemplars kept per label (or per dataset without labels) for the planner.")
                .define(
                        PRICE_PROMPT,
                        Type.DOUBLE,
                        null,
                        Importance.LOW,
                        "USD per million prompt tokens; with the completion price it fills estimated_cost_usd.")
                .define(PRICE_COMPLETION, Type.DOUBLE, null, Importance.LOW, "USD per million completion tokens.")
                .define(
                        DATASET_IDLE_MS,
                        Type.LONG,
                        600_000L,
                        Range.atLeast(1),
                        Importance.LOW,
                        "How long a dataset without events keeps its state in memory and its gauges in /metrics.");
    }

    public static EvaluatorConfig from(SynthConfig config) {
        return new EvaluatorConfig(new SynthConfig(definition(), config.originals()));
    }

    public SynthConfig synth() {
        return config;
    }

    public boolean judgeEnabled() {
        return config.getBoolean(JUDGE_ENABLED);
    }

    /** The configured judge model, else llm.model; null lets the provider choose. */
    public String judgeModel() {
        String judge = config.getString(JUDGE_MODEL);
        return judge != null ? judge : config.getString(LlmSettings.MODEL);
    }

    public int judgeMaxTokens() {
        return config.getInt(JUDGE_MAX_TOKENS);
    }

    public EmbeddingSource embeddings() {
        return EmbeddingSource.valueOf(config.getString(EMBEDDINGS).toUpperCase(Locale.ROOT));
    }

    public String embeddingsModel() {
        return config.getString(EMBEDDINGS_MODEL);
    }

    /** The embeddings endpoint's base URL, else llm.base.url; null when neither is set. */
    public String embeddingsBaseUrl() {
        String url = config.getString(EMBEDDINGS_BASE_URL);
        return url != null ? url : config.getString(LlmSettings.BASE_URL);
    }

    public String apiKey() {
        var key = config.getPassword(LlmSettings.API_KEY);
        return key == null ? null : key.value();
    }

    public Duration embeddingsTimeout() {
        return Duration.ofMillis(config.getLong(LlmSettings.TIMEOUT_MS));
    }

    public int embeddingThreads() {
        return config.getInt(EMBEDDING_THREADS);
    }

    public Path nativeCacheDir() {
        return Path.of(config.getString(NATIVE_CACHE_DIR));
    }

    public int knnK() {
        return config.getInt(KNN_K);
    }

    public int windowSize() {
        return config.getInt(WINDOW_SIZE);
    }

    public int recentSize() {
        return config.getInt(RECENT_SIZE);
    }

    public int reservoirSize() {
        return config.getInt(RESERVOIR_SIZE);
    }

    public int distinctExactLimit() {
        return config.getInt(DISTINCT_EXACT_LIMIT);
    }

    public int textMaxChars() {
        return config.getInt(TEXT_MAX_CHARS);
    }

    public Duration reportInterval() {
        return Duration.ofMillis(config.getLong(REPORT_INTERVAL_MS));
    }

    public boolean steeringEnabled() {
        return config.getBoolean(STEERING_ENABLED);
    }

    public Duration steeringInterval() {
        return Duration.ofMillis(config.getLong(STEERING_INTERVAL_MS));
    }

    public int steeringMinSamples() {
        return config.getInt(STEERING_MIN_SAMPLES);
    }

    public double steeringMinYield() {
        return config.getDouble(STEERING_MIN_YIELD);
    }

    public int exemplarsPerGroup() {
        return config.getInt(EXEMPLARS_PER_GROUP);
    }

    public Double pricePrompt() {
        return config.getDouble(PRICE_PROMPT);
    }

    public Double priceCompletion() {
        return config.getDouble(PRICE_COMPLETION);
    }

    /** The score stage's drain interval, spec wait and back-pressure bound. */
    public AsyncSettings async() {
        return AsyncSettings.from(config, PREFIX);
    }

    /** What the per-sample scores read. */
    public Scoring.Settings scoring() {
        return new Scoring.Settings(judgeEnabled(), judgeModel(), judgeMaxTokens(), textMaxChars());
    }

    /** What the dataset stage reads. */
    public DatasetSettings datasetSettings() {
        return new DatasetSettings(
                windowSize(),
                recentSize(),
                reservoirSize(),
                exemplarsPerGroup(),
                distinctExactLimit(),
                knnK(),
                new DatasetSettings.Steering(
                        steeringEnabled(), steeringInterval(), steeringMinSamples(), steeringMinYield()),
                pricePrompt(),
                priceCompletion(),
                Duration.ofMillis(config.getLong(DATASET_IDLE_MS)));
    }
}
