package io.synthstream.common.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenEstimatesTest {
    @Test
    void openAiModelsAreCountedInTheirOwnEncodingAndOthersInCl100k() {
        assertThat(TokenEstimates.encoding("gpt-4o-mini-2024-07-18").getName()).isEqualTo("o200k_base");
        assertThat(TokenEstimates.encoding("openai/gpt-4.1").getName()).isEqualTo("o200k_base");
        assertThat(TokenEstimates.encoding("gpt-3.5-turbo").getName()).isEqualTo("cl100k_base");
        assertThat(TokenEstimates.encoding("meta-llama/Llama-3.1-8B-Instruct").getName())
                .isEqualTo("cl100k_base");
        assertThat(TokenEstimates.encoding(null).getName()).isEqualTo("cl100k_base");
    }

    @Test
    void aPromptCountsItsMessagesWithTheChatFraming() {
        // "hello world" is 2 tokens and "user" 1 in cl100k_base: 3 for the reply + (3 + 1 + 2) per message
        LlmRequest request = new LlmRequest(
                "m",
                List.of(new LlmRequest.Message("user", "hello world")),
                null,
                null,
                null,
                null,
                LlmRequest.ResponseFormat.TEXT,
                null,
                null,
                null,
                null);

        assertThat(TokenEstimates.prompt(request, "some-llama")).isEqualTo(9);
        assertThat(TokenEstimates.completion("hello world", "gpt-4")).isEqualTo(2);
        assertThat(TokenEstimates.completion(null, "gpt-4")).isZero();
    }
}
