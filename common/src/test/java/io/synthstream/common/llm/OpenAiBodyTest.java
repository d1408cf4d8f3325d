package io.synthstream.common.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenAiBodyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldPassExtraParametersThroughAsJsonButNeverOverTheRuntimesOwnKeys() throws Exception {
        try (OpenAiProvider provider = new OpenAiProvider(
                "http://127.0.0.1:1",
                null,
                "m-default",
                Map.of(),
                LlmRequest.ResponseFormat.TEXT,
                Duration.ofSeconds(1))) {
            LlmRequest request = new LlmRequest(
                    null,
                    List.of(LlmRequest.Message.user("hi")),
                    0.5,
                    null,
                    100,
                    null,
                    LlmRequest.ResponseFormat.TEXT,
                    null,
                    Map.of(),
                    Map.of("presence_penalty", "0.5", "stop", "[\"END\"]", "user", "ana", "model", "\"other\""));
            JsonNode body = JSON.readTree(provider.body(request));

            assertThat(body.path("presence_penalty").asDouble()).isEqualTo(0.5);
            assertThat(body.path("stop").get(0).asText()).isEqualTo("END");
            assertThat(body.path("user").asText()).as("not JSON: sent as text").isEqualTo("ana");
            assertThat(body.path("model").asText()).isEqualTo("m-default");
            assertThat(body.path("temperature").asDouble()).isEqualTo(0.5);
            // A repair turn keeps them.
            JsonNode repaired =
                    JSON.readTree(provider.body(request.withMessages(List.of(LlmRequest.Message.user("again")))));
            assertThat(repaired.path("presence_penalty").asDouble()).isEqualTo(0.5);
        }
    }
}
