package io.synthstream.common.llm;

import io.synthstream.common.config.SynthConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The LLM settings shared by every app that calls a model (the generator, the evaluator's judge):
 * provider, endpoint, key, model, limits and the simulator's behaviour. Environment variables
 * follow the usual rule: {@code SYNTH_LLM_BASE_URL}, {@code SYNTH_LLM_API_KEY}, {@code
 * SYNTH_LLM_MODEL}, ...
 */
public final class LlmSettings {
    public static final String PROVIDER = "llm.provider";
    public static final String BASE_URL = "llm.base.url";
    public static final String API_KEY = "llm.api.key";
    public static final String MODEL = "llm.model";
    public static final String HEADERS = "llm.headers";
    public static final String STRUCTURED_OUTPUT = "llm.structured.output";
    public static final String MAX_IN_FLIGHT = "llm.max.in.flight";
    public static final String REQUESTS_PER_MINUTE = "llm.requests.per.minute";
    public static final String TOKENS_PER_MINUTE = "llm.tokens.per.minute";
    public static final String MAX_ATTEMPTS = "llm.max.attempts";
    public static final String BACKOFF_INITIAL_MS = "llm.backoff.initial.ms";
    public static final String BACKOFF_MAX_MS = "llm.backoff.max.ms";
    public static final String TIMEOUT_MS = "llm.timeout.ms";
    public static final String CONNECT_TIMEOUT_MS = "llm.connect.timeout.ms";
    public static final String ADAPTIVE = "llm.adaptive.concurrency";
    public static final String SIM_SEED = "llm.sim.seed";
    public static final String SIM_LATENCY_MEDIAN_MS = "llm.sim.latency.median.ms";
    public static final String SIM_LATENCY_SIGMA = "llm.sim.latency.sigma";
    public static final String SIM_DUPLICATE_RATE = "llm.sim.duplicate.rate";
    public static final String SIM_NEAR_DUPLICATE_RATE = "llm.sim.near.duplicate.rate";
    public static final String SIM_REFUSAL_RATE = "llm.sim.refusal.rate";
    public static final String SIM_MALFORMED_RATE = "llm.sim.malformed.rate";
    public static final String SIM_RATE_LIMIT_RATE = "llm.sim.rate.limit.rate";
    public static final String SIM_SERVER_ERROR_RATE = "llm.sim.server.error.rate";

    private LlmSettings() {}

    /** Adds the LLM keys to an app's definition. */
    public static ConfigDef define(ConfigDef def) {
        ConfigDef.Validator rate = Range.between(0.0, 1.0);
        return def.define(
                        PROVIDER,
                        Type.STRING,
                        "auto",
                        ValidString.in("auto", "openai", "simulated"),
                        Importance.HIGH,
                        "LLM provider: openai (any OpenAI-compatible endpoint), simulated (built-in offline simulator),"
                                + " or auto: openai when llm.base.url is set, else simulated.")
                .define(
                        BASE_URL,
                        Type.STRING,
                        null,
                        Importance.HIGH,
                        "Base URL of an OpenAI-compatible API including /v1, e.g. https://api.openai.com/v1,"
                                + " http://localhost:11434/v1 (Ollama), http://localhost:8000/v1 (vLLM).")
                .define(API_KEY, Type.PASSWORD, null, Importance.HIGH, "API key sent as a bearer token; never logged.")
                .define(MODEL, Type.STRING, "gpt-4o-mini", Importance.HIGH, "Default model when a request names none.")
                .define(
                        HEADERS,
                        Type.LIST,
                        "",
                        Importance.LOW,
                        "Extra HTTP headers as name=value, comma-separated (e.g. HTTP-Referer for OpenRouter).")
                .define(
                        STRUCTURED_OUTPUT,
                        Type.STRING,
                        "json_schema",
                        ValidString.in("json_schema", "json_object", "text"),
                        Importance.MEDIUM,
                        "Strongest structured-output mode the endpoint supports: json_schema (OpenAI, vLLM, Ollama"
                                + " 0.5+), json_object, or text (prompt instructions plus robust extraction).")
                .define(
                        MAX_IN_FLIGHT,
                        Type.INT,
                        64,
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Most LLM calls in flight per app instance; the adaptive limit never exceeds it.")
                .define(
                        REQUESTS_PER_MINUTE,
                        Type.INT,
                        0,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "Token bucket on calls per minute per instance; 0 = unlimited.")
                .define(
                        TOKENS_PER_MINUTE,
                        Type.LONG,
                        0L,
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "Token bucket on estimated tokens per minute per instance; 0 = unlimited.")
                .define(
                        MAX_ATTEMPTS,
                        Type.INT,
                        4,
                        Range.between(1, 20),
                        Importance.MEDIUM,
                        "Attempts per call (first included) for 429, 408/409/5xx, timeouts and connection errors.")
                .define(
                        BACKOFF_INITIAL_MS,
                        Type.LONG,
                        500L,
                        Range.atLeast(1),
                        Importance.LOW,
                        "First retry delay; doubles per attempt with jitter. A Retry-After header wins.")
                .define(BACKOFF_MAX_MS, Type.LONG, 8_000L, Range.atLeast(1), Importance.LOW, "Cap of the retry delay.")
                .define(TIMEOUT_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM, "Deadline of one attempt.")
                .define(
                        CONNECT_TIMEOUT_MS,
                        Type.LONG,
                        10_000L,
                        Range.atLeast(1),
                        Importance.LOW,
                        "TCP connect timeout to the endpoint.")
                .define(
                        ADAPTIVE,
                        Type.BOOLEAN,
                        true,
                        Importance.LOW,
                        "Cut the in-flight limit to 75 % on a 429 and add one back after 25 successes.")
                .define(SIM_SEED, Type.LONG, 42L, Importance.LOW, "Simulator: seed mixed into every reply.")
                .define(
                        SIM_LATENCY_MEDIAN_MS,
                        Type.LONG,
                        150L,
                        Range.atLeast(0),
                        Importance.LOW,
                        "Simulator: median latency (lognormal).")
                .define(
                        SIM_LATENCY_SIGMA,
                        Type.DOUBLE,
                        0.5,
                        Range.atLeast(0.0),
                        Importance.LOW,
                        "Simulator: sigma of the latency's logarithm.")
                .define(
                        SIM_DUPLICATE_RATE,
                        Type.DOUBLE,
                        0.03,
                        rate,
                        Importance.LOW,
                        "Simulator: share of exact duplicate replies.")
                .define(
                        SIM_NEAR_DUPLICATE_RATE,
                        Type.DOUBLE,
                        0.02,
                        rate,
                        Importance.LOW,
                        "Simulator: share of near-duplicate replies.")
                .define(SIM_REFUSAL_RATE, Type.DOUBLE, 0.01, rate, Importance.LOW, "Simulator: share of refusals.")
                .define(
                        SIM_MALFORMED_RATE,
                        Type.DOUBLE,
                        0.01,
                        rate,
                        Importance.LOW,
                        "Simulator: share of replies that are broken JSON.")
                .define(SIM_RATE_LIMIT_RATE, Type.DOUBLE, 0.0, rate, Importance.LOW, "Simulator: share of 429s.")
                .define(SIM_SERVER_ERROR_RATE, Type.DOUBLE, 0.0, rate, Importance.LOW, "Simulator: share of 503s.");
    }

    /** The limits configured in {@code config}. */
    public static LlmLimits limits(SynthConfig config) {
        return new LlmLimits(
                config.getInt(MAX_IN_FLIGHT),
                config.getInt(REQUESTS_PER_MINUTE),
                config.getLong(TOKENS_PER_MINUTE),
                config.getInt(MAX_ATTEMPTS),
                Duration.ofMillis(config.getLong(BACKOFF_INITIAL_MS)),
                Duration.ofMillis(config.getLong(BACKOFF_MAX_MS)),
                Duration.ofMillis(config.getLong(TIMEOUT_MS)),
                config.getBoolean(ADAPTIVE),
                25);
    }

    /**
     * The provider configured in {@code config}.
     *
     * @throws ConfigException when openai is chosen without a base URL, or a header is not name=value
     */
    public static LlmProvider provider(SynthConfig config) {
        String baseUrl = config.getString(BASE_URL);
        String provider = config.getString(PROVIDER);
        if ("auto".equals(provider)) {
            provider = baseUrl == null || baseUrl.isBlank() ? "simulated" : "openai";
        }
        if ("simulated".equals(provider)) {
            return new SimulatedProvider(new SimulatedProvider.Settings(
                    config.getLong(SIM_SEED),
                    Duration.ofMillis(config.getLong(SIM_LATENCY_MEDIAN_MS)),
                    config.getDouble(SIM_LATENCY_SIGMA),
                    new SimulatedContent.Rates(
                            config.getDouble(SIM_DUPLICATE_RATE),
                            config.getDouble(SIM_NEAR_DUPLICATE_RATE),
                            config.getDouble(SIM_REFUSAL_RATE),
                            config.getDouble(SIM_MALFORMED_RATE)),
                    config.getDouble(SIM_RATE_LIMIT_RATE),
                    config.getDouble(SIM_SERVER_ERROR_RATE)));
        }
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new ConfigException(BASE_URL, null, "is required with llm.provider=openai (set SYNTH_LLM_BASE_URL)");
        }
        Password key = config.getPassword(API_KEY);
        return new OpenAiProvider(
                baseUrl,
                key == null ? null : key.value(),
                config.getString(MODEL),
                headers(config),
                LlmRequest.ResponseFormat.valueOf(
                        config.getString(STRUCTURED_OUTPUT).toUpperCase(Locale.ROOT)),
                Duration.ofMillis(config.getLong(CONNECT_TIMEOUT_MS)));
    }

    /** A runtime over the configured provider and limits. */
    public static LlmRuntime runtime(SynthConfig config) {
        return new LlmRuntime(provider(config), limits(config));
    }

    private static Map<String, String> headers(SynthConfig config) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String entry : config.getList(HEADERS)) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(HEADERS, entry, "expected name=value");
            }
            headers.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
        }
        return headers;
    }
}
