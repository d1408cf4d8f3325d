package io.synthstream.common.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.synthstream.common.config.SynthConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code model.provider} selects among named providers ({@code llm.provider.<name>.*}): each call
 * goes over HTTP to the endpoint, key and default model of the provider it names.
 */
class NamedProvidersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();

    /** What one endpoint received: the bearer token and body of each call. */
    private record Seen(String authorization, String team, JsonNode body) {}

    @AfterEach
    void stopServers() {
        servers.forEach(s -> s.stop(0));
    }

    private String endpoint(String reply, List<Seen> seen) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/chat/completions", exchange -> {
            JsonNode body = JSON.readTree(exchange.getRequestBody());
            seen.add(new Seen(
                    exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("X-Team"),
                    body));
            byte[] out = JSON.writeValueAsBytes(Map.of(
                    "model", body.path("model").asText(),
                    "choices", List.of(Map.of("message", Map.of("content", reply), "finish_reason", "stop")),
                    "usage", Map.of("prompt_tokens", 3, "completion_tokens", 2)));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    private static SynthConfig config(Map<String, String> env) {
        ConfigDef definition = LlmSettings.define(SynthConfig.baseDefinition());
        return new SynthConfig(
                definition, SynthConfig.resolve(definition, Map.of("application.id", "t"), env, Map.of()));
    }

    private static LlmRuntime.Completion call(LlmRuntime runtime, String id, String provider) {
        LlmRuntime.Client client = runtime.client("t");
        client.submit(id, LlmRequest.text("hello").withProvider(provider));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            List<LlmRuntime.Completion> done = client.drain(1);
            if (!done.isEmpty()) {
                return done.get(0);
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("no completion for " + id);
    }

    @Test
    void eachCallGoesToTheEndpointKeyAndModelOfTheProviderItNames() throws Exception {
        List<Seen> atDefault = new CopyOnWriteArrayList<>();
        List<Seen> atLocal = new CopyOnWriteArrayList<>();
        Map<String, String> env = new HashMap<>();
        env.put("SYNTH_LLM_BASE_URL", endpoint("from default", atDefault));
        env.put("SYNTH_LLM_API_KEY", "sk-default");
        env.put("SYNTH_LLM_MODEL", "big-model");
        env.put("SYNTH_LLM_PROVIDER_LOCAL_BASE_URL", endpoint("from local", atLocal));
        env.put("SYNTH_LLM_PROVIDER_LOCAL_API_KEY", "sk-local");
        env.put("SYNTH_LLM_PROVIDER_LOCAL_MODEL", "small-model");
        env.put("SYNTH_LLM_PROVIDER_LOCAL_STRUCTURED_OUTPUT", "text");
        env.put("SYNTH_LLM_PROVIDER_LOCAL_HEADERS", "X-Team=synth");
        env.put("SYNTH_LLM_PROVIDER_OFFLINE_KIND", "simulated");
        SynthConfig config = config(env);

        try (LlmRuntime runtime = new LlmRuntime(LlmSettings.provider(config), LlmSettings.limits(config))) {
            LlmProvider providers = runtime.provider();
            assertThat(providers.names()).containsExactly("default", "local", "offline", "openai");
            assertThat(providers.select("local").structuredOutput()).isEqualTo(LlmRequest.ResponseFormat.TEXT);
            assertThat(providers.select("local").name()).isEqualTo("local");
            assertThat(providers.select(null).structuredOutput()).isEqualTo(LlmRequest.ResponseFormat.JSON_SCHEMA);
            assertThat(providers.select("offline").simulated()).isTrue();

            assertThat(call(runtime, "a", "local").response().content()).isEqualTo("from local");
            assertThat(call(runtime, "b", null).response().content()).isEqualTo("from default");
            assertThat(call(runtime, "c", "default").response().content()).isEqualTo("from default");
            assertThat(call(runtime, "d", "offline").response().content())
                    .as("the simulator answers without HTTP")
                    .doesNotContain("from");

            assertThat(atLocal).singleElement().satisfies(seen -> {
                assertThat(seen.authorization()).isEqualTo("Bearer sk-local");
                assertThat(seen.team()).isEqualTo("synth");
                assertThat(seen.body().path("model").asText()).isEqualTo("small-model");
            });
            assertThat(atDefault).hasSize(2).allSatisfy(seen -> {
                assertThat(seen.authorization()).isEqualTo("Bearer sk-default");
                assertThat(seen.team()).as("the named provider's headers only").isNull();
                assertThat(seen.body().path("model").asText()).isEqualTo("big-model");
            });

            LlmRuntime.Completion unknown = call(runtime, "e", "nowhere");
            assertThat(unknown.succeeded()).isFalse();
            assertThat(unknown.failure().kind()).isEqualTo(LlmFailure.Kind.NOT_FOUND);
            assertThat(unknown.attempts()).as("not retried").isEqualTo(1);
            assertThat(unknown.failure().getMessage())
                    .contains("provider 'nowhere' is not configured here")
                    .contains("default, local, offline, openai");
            assertThat(atDefault.size() + atLocal.size())
                    .as("no HTTP call for it")
                    .isEqualTo(3);
        }
        assertThat(config.describe())
                .contains("llm.provider.local.base.url = http://127.0.0.1:")
                .contains("llm.provider.local.api.key = [hidden]")
                .doesNotContain("sk-local")
                .doesNotContain("<name>");
    }

    @Test
    void withoutNamedProvidersTheDefaultAnswersToItsNameAndDefault() {
        LlmProvider provider = LlmSettings.provider(config(Map.of()));
        assertThat(provider).isInstanceOf(SimulatedProvider.class);
        assertThat(provider.names()).containsExactly("default", "simulated");
        assertThat(provider.select("simulated")).isSameAs(provider);
        assertThatThrownBy(() -> provider.select("local"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("provider 'local' is not configured here")
                .hasMessageContaining("SYNTH_LLM_PROVIDER_LOCAL_BASE_URL");
    }

    @Test
    void aMistypedKeyAReservedOrMalformedNameAndAMissingUrlAreConfigErrorsNamingTheKey() {
        assertThatThrownBy(() -> LlmSettings.provider(
                        config(Map.of("SYNTH_CONFIG_FILE", file("llm.provider.local.base_url=http://x/v1")))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("llm.provider.local.base_url")
                .hasMessageContaining("is not a setting of a named provider")
                .hasMessageContaining("llm.provider.<name>.base.url");
        assertThatThrownBy(
                        () -> LlmSettings.provider(config(Map.of("SYNTH_LLM_PROVIDER_OPENAI_BASE_URL", "http://x/v1"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'openai' names the default provider");
        assertThatThrownBy(() ->
                        LlmSettings.provider(config(Map.of("SYNTH_CONFIG_FILE", file("llm.provider.Big-One.model=m")))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("provider name 'Big-One' must be lower-case");
        assertThatThrownBy(() -> LlmSettings.provider(config(Map.of("SYNTH_LLM_PROVIDER_LOCAL_MODEL", "m"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("llm.provider.local.base.url")
                .hasMessageContaining("SYNTH_LLM_PROVIDER_LOCAL_BASE_URL");
        assertThatThrownBy(() -> LlmSettings.provider(config(Map.of("SYNTH_LLM_PROVIDER_LOCAL_KIND", "anthropic"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("llm.provider.local.kind");
    }

    private static String file(String line) {
        try {
            java.nio.file.Path file = java.nio.file.Files.createTempFile("synth", ".properties");
            java.nio.file.Files.writeString(file, line + "\n", StandardCharsets.UTF_8);
            file.toFile().deleteOnExit();
            return file.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
