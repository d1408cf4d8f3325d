package io.synthstream.common.llm;

import io.synthstream.common.config.Setting;
import io.synthstream.common.config.SynthConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The LLM settings shared by every app that calls a model (the generator, the evaluator's judge):
 * provider, endpoint, key, model, limits and the simulator's behaviour. Environment variables
 * follow the usual rule: {@code SYNTH_LLM_BASE_URL}, {@code SYNTH_LLM_API_KEY}, {@code
 * SYNTH_LLM_MODEL}, ...
 */
public final class LlmSettings {
    public static final Setting<String> PROVIDER = Setting.string(
                    "llm.provider",
                    "auto",
                    Importance.HIGH,
                    "LLM provider: openai (any OpenAI-compatible endpoint), simulated (built-in offline simulator),"
                            + " or auto: openai when llm.base.url is set, else simulated.")
            .oneOf("auto", "openai", "simulated");
    public static final Setting<String> BASE_URL = Setting.string(
            "llm.base.url",
            null,
            Importance.HIGH,
            "Base URL of an OpenAI-compatible API including /v1, e.g. https://api.openai.com/v1,"
                    + " http://localhost:11434/v1 (Ollama), http://localhost:8000/v1 (vLLM).");
    public static final Setting<Password> API_KEY =
            Setting.password("llm.api.key", Importance.HIGH, "API key sent as a bearer token; never logged.");
    public static final Setting<String> MODEL =
            Setting.string("llm.model", "gpt-4o-mini", Importance.HIGH, "Default model when a request names none.");
    public static final Setting<List<String>> HEADERS = Setting.list(
            "llm.headers",
            "",
            Importance.LOW,
            "Extra HTTP headers as name=value, comma-separated (e.g. HTTP-Referer for OpenRouter); their values"
                    + " are redacted like the key.");
    public static final Setting<String> STRUCTURED_OUTPUT = Setting.string(
                    "llm.structured.output",
                    "json_schema",
                    Importance.MEDIUM,
                    "Strongest structured-output mode the endpoint supports: json_schema (OpenAI, vLLM, Ollama"
                            + " 0.5+), json_object, or text (prompt instructions plus robust extraction).")
            .oneOf("json_schema", "json_object", "text");
    /** Prefix of the named providers' settings: {@code llm.provider.<name>.*}. */
    public static final String NAMED_PREFIX = "llm.provider.";

    private static final String NAMED = NAMED_PREFIX + SynthConfig.NAME + ".";
    public static final Setting<String> NAMED_KIND = Setting.string(
                    NAMED + "kind",
                    "openai",
                    Importance.MEDIUM,
                    "Kind of the named provider <name>, which a request selects with model.provider: <name> (a"
                            + " step's and the judge's too): openai or simulated. Setting any llm.provider.<name>.*"
                            + " key declares it.")
            .oneOf("openai", "simulated");
    public static final Setting<String> NAMED_BASE_URL = Setting.string(
            NAMED + "base.url",
            null,
            Importance.HIGH,
            "Base URL of the named provider's OpenAI-compatible API including /v1; required for kind openai.");
    public static final Setting<Password> NAMED_API_KEY =
            Setting.password(NAMED + "api.key", Importance.HIGH, "API key of the named provider; never logged.");
    public static final Setting<String> NAMED_MODEL = Setting.string(
            NAMED + "model",
            null,
            Importance.MEDIUM,
            "Model of the named provider when a request names none; unset uses llm.model.");
    public static final Setting<List<String>> NAMED_HEADERS = Setting.list(
            NAMED + "headers", "", Importance.LOW, "Extra HTTP headers of the named provider, as llm.headers.");
    public static final Setting<String> NAMED_STRUCTURED_OUTPUT = Setting.string(
                    NAMED + "structured.output",
                    "json_schema",
                    Importance.MEDIUM,
                    "Strongest structured-output mode of the named provider, as llm.structured.output.")
            .oneOf("json_schema", "json_object", "text");

    /** The settings of one named provider, as templates. */
    public static final List<Setting<?>> NAMED_SETTINGS =
            List.of(NAMED_KIND, NAMED_BASE_URL, NAMED_API_KEY, NAMED_MODEL, NAMED_HEADERS, NAMED_STRUCTURED_OUTPUT);

    /** Names the default provider answers to, which a named provider may therefore not take. */
    private static final java.util.Set<String> RESERVED_NAMES =
            java.util.Set.of(LlmProvider.DEFAULT, "auto", "openai", "simulated");

    private static final java.util.regex.Pattern PROVIDER_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_]*");

    public static final Setting<Integer> MAX_IN_FLIGHT = Setting.integer(
                    "llm.max.in.flight",
                    64,
                    Importance.MEDIUM,
                    "Most calls in flight per app instance (chat calls and remote embeddings together); the adaptive"
                            + " limit never exceeds it.")
            .atLeast(1);
    public static final Setting<Integer> REQUESTS_PER_MINUTE = Setting.integer(
                    "llm.requests.per.minute",
                    0,
                    Importance.MEDIUM,
                    "Calls per minute for the app's whole deployment (each live instance takes its share; llm.limits.scope),"
                            + " a token bucket holding one second's worth; 0 = unlimited.")
            .atLeast(0);
    public static final Setting<Long> TOKENS_PER_MINUTE = Setting.longValue(
                    "llm.tokens.per.minute",
                    0L,
                    Importance.MEDIUM,
                    "Tokens per minute for the app's whole deployment (llm.limits.scope): a call takes its estimate (prompt"
                            + " chars / 4 + max_tokens) and the reply's usage corrects it; 0 = unlimited.")
            .atLeast(0);
    public static final Setting<Integer> MAX_ATTEMPTS = Setting.integer(
                    "llm.max.attempts",
                    4,
                    Importance.MEDIUM,
                    "Attempts per call (first included) for 429, 408/409/5xx, timeouts and connection errors.")
            .between(1, 20);
    public static final Setting<Duration> BACKOFF_INITIAL_MS = Setting.millis(
                    "llm.backoff.initial.ms",
                    Duration.ofMillis(500),
                    Importance.LOW,
                    "First retry delay; doubles per attempt with jitter. A Retry-After header wins.")
            .atLeast(1);
    public static final Setting<Duration> BACKOFF_MAX_MS = Setting.millis(
                    "llm.backoff.max.ms", Duration.ofSeconds(8), Importance.LOW, "Cap of the retry delay.")
            .atLeast(1);
    public static final Setting<Duration> TIMEOUT_MS = Setting.millis(
                    "llm.timeout.ms", Duration.ofSeconds(60), Importance.MEDIUM, "Deadline of one attempt.")
            .atLeast(1);
    public static final Setting<Duration> CONNECT_TIMEOUT_MS = Setting.millis(
                    "llm.connect.timeout.ms",
                    Duration.ofSeconds(10),
                    Importance.LOW,
                    "TCP connect timeout to the endpoint.")
            .atLeast(1);
    public static final Setting<Boolean> ADAPTIVE = Setting.flag(
            "llm.adaptive.concurrency",
            true,
            Importance.LOW,
            "Cut the in-flight limit to 75 % on a 429 and add one back after 25 successes.");
    public static final Setting<String> ADAPTIVE_LATENCY = Setting.string(
                    "llm.adaptive.latency",
                    "none",
                    Importance.LOW,
                    "A latency-driven concurrency limit besides the 429 rule, for servers that queue instead of"
                            + " answering 429 (self-hosted vLLM, TGI, Ollama): vegas (TCP Vegas over windows of calls,"
                            + " Netflix concurrency-limits) keeps a few calls queued at the server and no more; none"
                            + " leaves the 429 rule alone.")
            .oneOf(LlmLimits.LATENCY_LIMITS.toArray(String[]::new));
    public static final Setting<String> LIMITS_SCOPE = Setting.string(
                    "llm.limits.scope",
                    "cluster",
                    Importance.MEDIUM,
                    "What llm.requests.per.minute and llm.tokens.per.minute limit: cluster (every live instance"
                            + " of the app takes an equal share, counted from its consumer group and moved when"
                            + " instances join or leave) or instance (each instance alone).")
            .oneOf("cluster", "instance");
    public static final Setting<Duration> LIMITS_REFRESH_MS = Setting.millis(
                    "llm.limits.refresh.ms",
                    Duration.ofSeconds(2),
                    Importance.LOW,
                    "How often an instance counts the app's live instances to take its share of the rate limits.")
            .atLeast(100);
    public static final Setting<String> PRICES = Setting.string(
            "llm.prices",
            null,
            Importance.MEDIUM,
            "A CSV file of prices, one model,input_usd_per_million,output_usd_per_million row per model, added to"
                    + " or replacing rows of the built-in table of common hosted models (docs/spend.md). A model no"
                    + " row names costs 0 and its tokens are reported as unpriced.");
    public static final Setting<Boolean> KEEP_RESPONSES = Setting.flag(
            "llm.responses.keep",
            true,
            Importance.MEDIUM,
            "Write every paid reply to synth.llm-responses the moment it arrives, before the stream uses it,"
                    + " so that a call re-issued after a crash takes it instead of paying again (docs/spend.md)."
                    + " Replies of the simulator are never written: they cost nothing.");
    public static final Setting<Boolean> CACHE = Setting.flag(
            "llm.cache.enabled",
            false,
            Importance.MEDIUM,
            "Answer a call from an identical earlier call's reply (same model, messages, sampling parameters,"
                    + " seed and place in its request) instead of paying again: for re-running a request with other"
                    + " curation settings. A re-run then gets the same samples as the first run; docs/spend.md has"
                    + " the trade-off. Needs llm.responses.keep.");
    public static final Setting<Duration> CACHE_RETENTION_MS = Setting.millis(
                    "llm.cache.retention.ms",
                    Duration.ofDays(7),
                    Importance.LOW,
                    "How long a cached reply may answer a call; at most 30 days, the topic's retention.")
            .between(1, io.synthstream.common.topics.Topics.RESPONSES_MAX_RETENTION.toMillis());
    public static final Setting<Long> SIM_SEED =
            Setting.longValue("llm.sim.seed", 42L, Importance.LOW, "Simulator: seed mixed into every reply.");
    public static final Setting<Duration> SIM_LATENCY_MEDIAN_MS = Setting.millis(
                    "llm.sim.latency.median.ms",
                    Duration.ofMillis(150),
                    Importance.LOW,
                    "Simulator: median latency (lognormal).")
            .atLeast(0);
    public static final Setting<Double> SIM_LATENCY_SIGMA = Setting.decimal(
                    "llm.sim.latency.sigma", 0.5, Importance.LOW, "Simulator: sigma of the latency's logarithm.")
            .atLeast(0.0);
    public static final Setting<Double> SIM_DUPLICATE_RATE =
            rate("llm.sim.duplicate.rate", 0.03, "Simulator: share of exact duplicate replies.");
    public static final Setting<Double> SIM_NEAR_DUPLICATE_RATE =
            rate("llm.sim.near.duplicate.rate", 0.02, "Simulator: share of near-duplicate replies.");
    public static final Setting<Double> SIM_REFUSAL_RATE =
            rate("llm.sim.refusal.rate", 0.01, "Simulator: share of refusals.");
    public static final Setting<Double> SIM_MALFORMED_RATE =
            rate("llm.sim.malformed.rate", 0.01, "Simulator: share of replies that are broken JSON.");
    public static final Setting<Double> SIM_MISLABEL_RATE = rate(
            "llm.sim.mislabel.rate",
            0.04,
            "Simulator: share of labelled replies whose text is written in the tone of another label.");
    public static final Setting<Double> SIM_LOW_QUALITY_RATE = rate(
            "llm.sim.low.quality.rate",
            0.04,
            "Simulator: share of replies whose text is word salad a rubric scores low.");
    public static final Setting<Double> SIM_RATE_LIMIT_RATE =
            rate("llm.sim.rate.limit.rate", 0.0, "Simulator: share of 429s.");
    public static final Setting<Double> SIM_SERVER_ERROR_RATE =
            rate("llm.sim.server.error.rate", 0.0, "Simulator: share of 503s.");

    /** The LLM settings, in the order the docs list them. */
    public static final List<Setting<?>> SETTINGS = List.of(
            PROVIDER,
            BASE_URL,
            API_KEY,
            MODEL,
            HEADERS,
            STRUCTURED_OUTPUT,
            NAMED_KIND,
            NAMED_BASE_URL,
            NAMED_API_KEY,
            NAMED_MODEL,
            NAMED_HEADERS,
            NAMED_STRUCTURED_OUTPUT,
            MAX_IN_FLIGHT,
            REQUESTS_PER_MINUTE,
            TOKENS_PER_MINUTE,
            MAX_ATTEMPTS,
            BACKOFF_INITIAL_MS,
            BACKOFF_MAX_MS,
            TIMEOUT_MS,
            CONNECT_TIMEOUT_MS,
            ADAPTIVE,
            ADAPTIVE_LATENCY,
            LIMITS_SCOPE,
            LIMITS_REFRESH_MS,
            PRICES,
            KEEP_RESPONSES,
            CACHE,
            CACHE_RETENTION_MS,
            SIM_SEED,
            SIM_LATENCY_MEDIAN_MS,
            SIM_LATENCY_SIGMA,
            SIM_DUPLICATE_RATE,
            SIM_NEAR_DUPLICATE_RATE,
            SIM_REFUSAL_RATE,
            SIM_MALFORMED_RATE,
            SIM_MISLABEL_RATE,
            SIM_LOW_QUALITY_RATE,
            SIM_RATE_LIMIT_RATE,
            SIM_SERVER_ERROR_RATE);

    private LlmSettings() {}

    private static Setting<Double> rate(String key, double defaultValue, String doc) {
        return Setting.decimal(key, defaultValue, Importance.LOW, doc).between(0.0, 1.0);
    }

    /** Adds the LLM settings to an app's definition. */
    public static ConfigDef define(ConfigDef def) {
        return Setting.define(def, SETTINGS);
    }

    /** The limits configured in {@code config}. */
    public static LlmLimits limits(SynthConfig config) {
        return new LlmLimits(
                config.get(MAX_IN_FLIGHT),
                config.get(REQUESTS_PER_MINUTE),
                config.get(TOKENS_PER_MINUTE),
                config.get(MAX_ATTEMPTS),
                config.get(BACKOFF_INITIAL_MS),
                config.get(BACKOFF_MAX_MS),
                config.get(TIMEOUT_MS),
                config.get(ADAPTIVE),
                25,
                config.get(ADAPTIVE_LATENCY));
    }

    /**
     * The providers configured in {@code config}: the default one ({@code llm.provider}, {@code
     * llm.base.url}, ...) and, when any {@code llm.provider.<name>.*} key is set, the named ones in
     * a {@link ProviderSet}.
     *
     * @throws ConfigException when openai is chosen without a base URL, a header is not name=value,
     *     or a named provider's key or name is not one this method knows
     */
    public static LlmProvider provider(SynthConfig config) {
        String baseUrl = config.get(BASE_URL);
        String kind = config.get(PROVIDER);
        if ("auto".equals(kind)) {
            kind = baseUrl == null || baseUrl.isBlank() ? "simulated" : "openai";
        }
        Password key = config.get(API_KEY);
        LlmProvider fallback = build(
                config,
                kind,
                BASE_URL.key(),
                baseUrl,
                key,
                config.get(MODEL),
                headers(HEADERS.key(), config.get(HEADERS)),
                config.get(STRUCTURED_OUTPUT));
        Map<String, LlmProvider> named = new LinkedHashMap<>();
        for (String name : providerNames(config)) {
            SynthConfig member = config.member(name, NAMED_SETTINGS);
            String model = member.get(NAMED_MODEL.named(name));
            named.put(
                    name,
                    build(
                            config,
                            member.get(NAMED_KIND.named(name)),
                            NAMED_BASE_URL.named(name).key(),
                            member.get(NAMED_BASE_URL.named(name)),
                            member.get(NAMED_API_KEY.named(name)),
                            model == null || model.isBlank() ? config.get(MODEL) : model,
                            headers(NAMED_HEADERS.named(name).key(), member.get(NAMED_HEADERS.named(name))),
                            member.get(NAMED_STRUCTURED_OUTPUT.named(name))));
        }
        return named.isEmpty() ? fallback : new ProviderSet(fallback, named);
    }

    /**
     * The names of the providers declared by {@code llm.provider.<name>.*} keys, sorted.
     *
     * @throws ConfigException for a key under {@code llm.provider.} that is no named provider's
     *     setting, or a name that is malformed or taken by the default provider
     */
    public static java.util.SortedSet<String> providerNames(SynthConfig config) {
        java.util.SortedSet<String> names = new java.util.TreeSet<>();
        for (Map.Entry<String, Object> entry : config.originals().entrySet()) {
            String key = entry.getKey();
            if (!key.startsWith(NAMED_PREFIX)) {
                continue;
            }
            String rest = key.substring(NAMED_PREFIX.length());
            String name = null;
            for (Setting<?> template : NAMED_SETTINGS) {
                String suffix = template.key().substring(NAMED.length() - 1); // ".base.url"
                if (rest.endsWith(suffix) && rest.length() > suffix.length()) {
                    name = rest.substring(0, rest.length() - suffix.length());
                    break;
                }
            }
            if (name == null) {
                throw new ConfigException(
                        key,
                        "(hidden)",
                        "is not a setting of a named provider; they are "
                                + NAMED_SETTINGS.stream().map(Setting::key).toList());
            }
            if (!PROVIDER_NAME.matcher(name).matches()) {
                throw new ConfigException(
                        key, "(hidden)", "provider name '" + name + "' must be lower-case letters, digits and _");
            }
            if (RESERVED_NAMES.contains(name)) {
                throw new ConfigException(
                        key,
                        "(hidden)",
                        "'" + name + "' names the default provider (llm.provider); give the named one another name");
            }
            names.add(name);
        }
        return names;
    }

    private static LlmProvider build(
            SynthConfig config,
            String kind,
            String baseUrlKey,
            String baseUrl,
            Password key,
            String model,
            Map<String, String> headers,
            String structuredOutput) {
        if ("simulated".equals(kind)) {
            return new SimulatedProvider(new SimulatedProvider.Settings(
                    config.get(SIM_SEED),
                    config.get(SIM_LATENCY_MEDIAN_MS),
                    config.get(SIM_LATENCY_SIGMA),
                    new SimulatedContent.Rates(
                            config.get(SIM_DUPLICATE_RATE),
                            config.get(SIM_NEAR_DUPLICATE_RATE),
                            config.get(SIM_REFUSAL_RATE),
                            config.get(SIM_MALFORMED_RATE),
                            config.get(SIM_MISLABEL_RATE),
                            config.get(SIM_LOW_QUALITY_RATE)),
                    config.get(SIM_RATE_LIMIT_RATE),
                    config.get(SIM_SERVER_ERROR_RATE)));
        }
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new ConfigException(
                    baseUrlKey,
                    null,
                    "is required for an openai provider (set " + SynthConfig.envName(baseUrlKey) + ")");
        }
        return new OpenAiProvider(
                baseUrl,
                key == null ? null : key.value(),
                model,
                headers,
                LlmRequest.ResponseFormat.valueOf(structuredOutput.toUpperCase(Locale.ROOT)),
                config.get(CONNECT_TIMEOUT_MS));
    }

    /** A runtime over the configured provider, limits and prices. */
    public static LlmRuntime runtime(SynthConfig config) {
        PriceTable prices = prices(config); // a bad table fails before any connection is made
        LlmLimits limits = limits(config);
        if (config.get(CACHE) && !config.get(KEEP_RESPONSES)) {
            throw new ConfigException(
                    CACHE.key(),
                    true,
                    "needs " + KEEP_RESPONSES.key() + "=true: the cache is made of the kept replies");
        }
        LlmRuntime runtime = new LlmRuntime(provider(config), limits, prices);
        if (config.get(KEEP_RESPONSES) && config.get(SynthConfig.BOOTSTRAP_SERVERS) != null) {
            runtime.keepResponses(ResponseLog.kafka(config));
        }
        if ("cluster".equals(config.get(LIMITS_SCOPE))
                && (limits.requestsPerMinute() > 0 || limits.tokensPerMinute() > 0)
                && config.get(SynthConfig.BOOTSTRAP_SERVERS) != null) {
            runtime.shareLimits(new ClusterShare(
                    config.kafkaClientProperties(),
                    config.applicationId(),
                    runtime.gate(),
                    config.get(LIMITS_REFRESH_MS)));
        }
        return runtime;
    }

    /**
     * The app's store of kept replies ({@code storeName}), with the cache's retention when the cache
     * is on; null when replies are not kept.
     */
    public static io.synthstream.common.streams.ResponseStore responseStore(
            SynthConfig config,
            String storeName,
            io.synthstream.common.streams.SynthSerdes serdes,
            java.time.Clock clock) {
        if (!config.get(KEEP_RESPONSES)) {
            return null;
        }
        return new io.synthstream.common.streams.ResponseStore(
                storeName, serdes, config.get(CACHE) ? config.get(CACHE_RETENTION_MS) : null, clock);
    }

    /**
     * The built-in price table with the rows of {@code llm.prices}.
     *
     * @throws ConfigException naming the file, line and entry of a bad row
     */
    public static PriceTable prices(SynthConfig config) {
        String file = config.get(PRICES);
        if (file == null || file.isBlank()) {
            return PriceTable.builtIn();
        }
        try {
            return PriceTable.withFile(java.nio.file.Path.of(file));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(PRICES.key(), file, e.getMessage());
        }
    }

    private static Map<String, String> headers(String key, List<String> entries) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(key, entry, "expected name=value");
            }
            headers.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
        }
        return headers;
    }
}
