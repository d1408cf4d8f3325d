package io.synthstream.common.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.synthstream.common.config.Setting;
import io.synthstream.common.config.SynthConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each LLM setting changes what the app builds from it: the runtime's limits, the simulator's
 * behaviour, the HTTP calls of the OpenAI provider. (What each limit then does is LimitsTest's.)
 */
class LlmSettingsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static SynthConfig config(Map<String, ?> overrides) {
        ConfigDef definition = LlmSettings.define(SynthConfig.baseDefinition());
        return new SynthConfig(
                definition, SynthConfig.resolve(definition, Map.of("application.id", "t"), Map.of(), overrides));
    }

    /** What a limit setting turns into. */
    private static final Map<String, Function<LlmLimits, Object>> LIMITS = Map.of(
            LlmSettings.MAX_IN_FLIGHT.key(), LlmLimits::maxInFlight,
            LlmSettings.REQUESTS_PER_MINUTE.key(), LlmLimits::requestsPerMinute,
            LlmSettings.TOKENS_PER_MINUTE.key(), LlmLimits::tokensPerMinute,
            LlmSettings.MAX_ATTEMPTS.key(), LlmLimits::maxAttempts,
            LlmSettings.BACKOFF_INITIAL_MS.key(), l -> l.initialBackoff().toMillis(),
            LlmSettings.BACKOFF_MAX_MS.key(), l -> l.maxBackoff().toMillis(),
            LlmSettings.TIMEOUT_MS.key(), l -> l.callTimeout().toMillis(),
            LlmSettings.ADAPTIVE.key(), LlmLimits::adaptive,
            LlmSettings.ADAPTIVE_LATENCY.key(), LlmLimits::latencyLimit);

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "llm.max.in.flight, 7",
        "llm.requests.per.minute, 120",
        "llm.tokens.per.minute, 9000",
        "llm.max.attempts, 2",
        "llm.backoff.initial.ms, 11",
        "llm.backoff.max.ms, 99",
        "llm.timeout.ms, 1234",
        "llm.adaptive.concurrency, false",
        "llm.adaptive.latency, vegas"
    })
    void eachLimitSettingReachesTheRuntime(String key, String value) {
        Function<LlmLimits, Object> read = LIMITS.get(key);
        Object before = read.apply(LlmSettings.limits(config(Map.of())));
        Object after = read.apply(LlmSettings.limits(config(Map.of(key, value))));
        assertThat(String.valueOf(after)).isEqualTo(value).isNotEqualTo(String.valueOf(before));
    }

    @Test
    void theLatencyLimitSettingPutsVegasInTheGate() {
        CallGate plain = new CallGate(LlmSettings.limits(config(Map.of())));
        CallGate vegas = new CallGate(LlmSettings.limits(config(Map.of("llm.adaptive.latency", "vegas"))));
        assertThat(plain.limit()).isEqualTo(64);
        assertThat(vegas.limit()).as("vegas starts low and measures its way up").isEqualTo(CallGate.INITIAL_LIMIT);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> config(Map.of("llm.adaptive.latency", "gradient")))
                .hasMessageContaining("llm.adaptive.latency");
    }

    @Test
    void theLimitsScopeMakesTheRateLimitsTheClustersOrTheInstances() {
        Map<String, Object> limited = Map.of(
                "llm.requests.per.minute", 600, "bootstrap.servers", "127.0.0.1:1", "llm.limits.refresh.ms", 60_000);
        Map<String, Object> perInstance = new HashMap<>(limited);
        perInstance.put("llm.limits.scope", "instance");
        try (LlmRuntime cluster = LlmSettings.runtime(config(limited));
                LlmRuntime instance = LlmSettings.runtime(config(perInstance))) {
            long now = System.nanoTime();
            assertThat(cluster.gate().tryAcquire(1, now))
                    .as("a cluster's share waits until the instances are counted")
                    .isEqualTo(CallGate.SHARE_WAIT_NANOS);
            assertThat(instance.gate().tryAcquire(1, now))
                    .as("an instance's limit admits at once")
                    .isZero();
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> config(Map.of("llm.limits.scope", "global")))
                .hasMessageContaining("llm.limits.scope");
    }

    @Test
    void keptRepliesAndTheCacheAreSwitchedAndTimedBySettings() {
        var serdes = io.synthstream.common.testing.ProcessorTestSupport.serdes();
        var clock = java.time.Clock.systemUTC();
        assertThat(LlmSettings.responseStore(config(Map.of()), "s", serdes, clock))
                .as("replies are kept by default, the cache is off")
                .satisfies(store -> assertThat(store.caching()).isFalse());
        assertThat(LlmSettings.responseStore(config(Map.of("llm.responses.keep", false)), "s", serdes, clock))
                .isNull();
        var cached = LlmSettings.responseStore(
                config(Map.of("llm.cache.enabled", true, "llm.cache.retention.ms", 60_000)), "s", serdes, clock);
        assertThat(cached.caching()).isTrue();
        assertThat(cached.cacheRetention()).isEqualTo(java.time.Duration.ofMinutes(1));

        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        LlmSettings.runtime(config(Map.of("llm.cache.enabled", true, "llm.responses.keep", false))))
                .hasMessageContaining("llm.cache.enabled")
                .hasMessageContaining("llm.responses.keep=true");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> config(Map.of(
                        "llm.cache.retention.ms", java.time.Duration.ofDays(31).toMillis())))
                .hasMessageContaining("llm.cache.retention.ms");
    }

    /** What a simulator setting turns into. */
    private static final Map<String, Function<SimulatedProvider.Settings, Object>> SIMULATOR = Map.ofEntries(
            Map.entry(LlmSettings.SIM_SEED.key(), SimulatedProvider.Settings::seed),
            Map.entry(
                    LlmSettings.SIM_LATENCY_MEDIAN_MS.key(),
                    s -> s.medianLatency().toMillis()),
            Map.entry(LlmSettings.SIM_LATENCY_SIGMA.key(), SimulatedProvider.Settings::latencySigma),
            Map.entry(LlmSettings.SIM_DUPLICATE_RATE.key(), s -> s.content().duplicate()),
            Map.entry(
                    LlmSettings.SIM_NEAR_DUPLICATE_RATE.key(), s -> s.content().nearDuplicate()),
            Map.entry(LlmSettings.SIM_REFUSAL_RATE.key(), s -> s.content().refusal()),
            Map.entry(LlmSettings.SIM_MALFORMED_RATE.key(), s -> s.content().malformed()),
            Map.entry(LlmSettings.SIM_MISLABEL_RATE.key(), s -> s.content().mislabel()),
            Map.entry(LlmSettings.SIM_LOW_QUALITY_RATE.key(), s -> s.content().lowQuality()),
            Map.entry(LlmSettings.SIM_RATE_LIMIT_RATE.key(), SimulatedProvider.Settings::rateLimited),
            Map.entry(LlmSettings.SIM_SERVER_ERROR_RATE.key(), SimulatedProvider.Settings::serverError));

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "llm.sim.seed, 7",
        "llm.sim.latency.median.ms, 3",
        "llm.sim.latency.sigma, 0.25",
        "llm.sim.duplicate.rate, 0.5",
        "llm.sim.near.duplicate.rate, 0.5",
        "llm.sim.refusal.rate, 0.5",
        "llm.sim.malformed.rate, 0.5",
        "llm.sim.mislabel.rate, 0.5",
        "llm.sim.low.quality.rate, 0.5",
        "llm.sim.rate.limit.rate, 0.5",
        "llm.sim.server.error.rate, 0.5"
    })
    void eachSimulatorSettingReachesTheSimulator(String key, String value) {
        Function<SimulatedProvider.Settings, Object> read = SIMULATOR.get(key);
        Object before = read.apply(((SimulatedProvider) LlmSettings.provider(config(Map.of()))).settings());
        Object after = read.apply(((SimulatedProvider) LlmSettings.provider(config(Map.of(key, value)))).settings());
        assertThat(String.valueOf(after)).isEqualTo(value).isNotEqualTo(String.valueOf(before));
    }

    @Test
    void theSimulatorsFailureRatesFailCallsAsTheirKind() throws Exception {
        for (Setting<Double> rate : List.of(LlmSettings.SIM_RATE_LIMIT_RATE, LlmSettings.SIM_SERVER_ERROR_RATE)) {
            Map<String, Object> settings = new HashMap<>();
            settings.put(rate.key(), "1.0");
            settings.put(LlmSettings.SIM_LATENCY_MEDIAN_MS.key(), "0");
            try (LlmProvider provider = LlmSettings.provider(config(settings))) {
                var call = provider.complete(LlmRequest.text("hi"), Duration.ofSeconds(5));
                org.assertj.core.api.Assertions.assertThatThrownBy(call::join)
                        .hasCauseInstanceOf(LlmFailure.class)
                        .satisfies(e -> assertThat(((LlmFailure) e.getCause()).kind())
                                .isEqualTo(
                                        rate == LlmSettings.SIM_RATE_LIMIT_RATE
                                                ? LlmFailure.Kind.RATE_LIMITED
                                                : LlmFailure.Kind.SERVER_ERROR));
            }
        }
    }

    @Test
    void headersAndTheStructuredOutputModeShapeTheHttpCall() throws Exception {
        List<JsonNode> bodies = new CopyOnWriteArrayList<>();
        List<String> referers = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            bodies.add(JSON.readTree(exchange.getRequestBody()));
            referers.add(String.valueOf(exchange.getRequestHeaders().getFirst("HTTP-Referer")));
            byte[] out = JSON.writeValueAsBytes(
                    Map.of("choices", List.of(Map.of("message", Map.of("content", "{}"), "finish_reason", "stop"))));
            exchange.sendResponseHeaders(200, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
            LlmRequest call = new LlmRequest(
                    null,
                    List.of(LlmRequest.Message.user("hi")),
                    null,
                    null,
                    null,
                    null,
                    LlmRequest.ResponseFormat.JSON_SCHEMA,
                    JSON.createObjectNode().put("type", "object"),
                    Map.of());
            try (LlmProvider plain = LlmSettings.provider(config(Map.of(LlmSettings.BASE_URL.key(), url)));
                    LlmProvider shaped = LlmSettings.provider(config(Map.of(
                            LlmSettings.BASE_URL.key(),
                            url,
                            LlmSettings.HEADERS.key(),
                            "HTTP-Referer=https://example.org",
                            LlmSettings.STRUCTURED_OUTPUT.key(),
                            "json_object")))) {
                plain.complete(call, Duration.ofSeconds(5)).join();
                shaped.complete(call.withMessages(List.of()), Duration.ofSeconds(5))
                        .join();
            }
            assertThat(referers).containsExactly("null", "https://example.org");
            assertThat(bodies.get(0).path("response_format").path("type").asText())
                    .isEqualTo("json_schema");
            assertThat(bodies.get(1).path("response_format").path("type").asText())
                    .as("llm.structured.output caps the mode")
                    .isEqualTo("json_object");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theConnectTimeoutBoundsAConnectionThatIsNeverAccepted() throws Exception {
        try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            // Fill the accept queue: the kernel then drops further SYNs, so a connect neither
            // succeeds nor is refused.
            List<java.net.Socket> fillers = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    java.net.Socket socket = new java.net.Socket();
                    try {
                        socket.connect(full.getLocalSocketAddress(), 200);
                        fillers.add(socket);
                    } catch (java.io.IOException e) {
                        socket.close();
                        break;
                    }
                }
                String url = "http://127.0.0.1:" + full.getLocalPort() + "/v1";
                try (LlmProvider quick = LlmSettings.provider(config(
                                Map.of(LlmSettings.BASE_URL.key(), url, LlmSettings.CONNECT_TIMEOUT_MS.key(), "300")));
                        LlmProvider patient = LlmSettings.provider(config(Map.of(LlmSettings.BASE_URL.key(), url)))) {
                    var waiting = patient.complete(LlmRequest.text("hi"), Duration.ofSeconds(30));
                    long start = System.nanoTime();
                    var call = quick.complete(LlmRequest.text("hi"), Duration.ofSeconds(30));
                    org.assertj.core.api.Assertions.assertThatThrownBy(call::join)
                            .satisfies(e -> assertThat(LlmFailure.of(e).kind()).isEqualTo(LlmFailure.Kind.TIMEOUT));
                    assertThat(Duration.ofNanos(System.nanoTime() - start))
                            .as("llm.connect.timeout.ms=300")
                            .isLessThan(Duration.ofSeconds(5));
                    assertThat(waiting.isDone())
                            .as("the default 10 s connect timeout is still waiting")
                            .isFalse();
                    waiting.cancel(true);
                }
            } finally {
                for (java.net.Socket socket : fillers) {
                    socket.close();
                }
            }
        }
    }
}
