package io.synthstream.evaluator.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synthstream.common.llm.LlmRequest;
import io.synthstream.schemas.TestRecords;
import org.junit.jupiter.api.Test;

class JudgeTest {
    @Test
    void shouldReadVerdictsInTheShapesModelsWrite() throws Exception {
        assertThat(Judge.parse("{\"score\": 5, \"rationale\": \"Good.\"}")).isEqualTo(new Judge.Verdict(5, "Good."));
        assertThat(Judge.parse("Verdict:\n```json\n{\"rationale\": \"ok\", \"score\": 3.5}\n```")
                        .score())
                .isEqualTo(3.5);
        assertThat(Judge.parse("{\"score\": \" 2 \"}")).isEqualTo(new Judge.Verdict(2, ""));
        assertThat(Judge.parse("{\"score\": 4, \"rationale\": \"" + "x".repeat(900) + "\"}")
                        .rationale())
                .hasSize(Judge.RATIONALE_MAX_CHARS);
    }

    @Test
    void shouldRejectRepliesWithoutAUsableScore() {
        assertThatThrownBy(() -> Judge.parse("{\"score\": 7}")).hasMessageContaining("outside 1-5");
        assertThatThrownBy(() -> Judge.parse("{\"score\": \"great\"}")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> Judge.parse("{\"verdict\": 4}")).hasMessageContaining("no score");
        assertThatThrownBy(() -> Judge.parse("I'd say four")).isInstanceOf(Judge.UnreadableVerdictException.class);
    }

    @Test
    void shouldAskAtTemperatureZeroWithTheRubricTaskConditionsAndSample() {
        var spec = TestRecords.request("r-1");
        LlmRequest request =
                Judge.request(TestRecords.sample("s-1"), spec, "judge-m", 200, LlmRequest.ResponseFormat.JSON_SCHEMA);

        assertThat(request.temperature()).isEqualTo(0.0);
        assertThat(request.model()).isEqualTo("judge-m");
        assertThat(request.maxTokens()).isEqualTo(200);
        assertThat(request.messages().get(0).content())
                .contains("clearly expresses its label")
                .contains("5 = fully");
        assertThat(request.messages().get(1).content())
                .contains("Allowed labels: positive, negative")
                .contains("{\"topic\":\"books\"}")
                .contains("A gripping read");
        assertThat(request.schema()
                        .path("properties")
                        .path("score")
                        .path("maximum")
                        .asInt())
                .isEqualTo(5);
        assertThat(Rubrics.version("classification", null)).isEqualTo("default-classification-v1");
        assertThat(Rubrics.version("custom", "Be strict."))
                .startsWith("custom-")
                .hasSize(19);
    }
}
