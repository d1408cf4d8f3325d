package io.synthstream.evaluator.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synthstream.common.llm.LlmRequest;
import io.synthstream.schemas.TestRecords;
import java.util.List;
import org.junit.jupiter.api.Test;

class JudgeTest {
    private static final List<String> NONE = List.of();
    private static final List<String> SENTIMENT = List.of("positive", "negative");

    @Test
    void shouldReadTheLabelTheJudgeWouldAssign() throws Exception {
        assertThat(Judge.parse(
                        "{\"score\": 4, \"rationale\": \"Reads negative.\", \"label\": \"negative\","
                                + " \"label_confidence\": 0.9}",
                        SENTIMENT))
                .isEqualTo(new Judge.Verdict(4, "Reads negative.", "negative", 0.9));
        // No confidence: 1; a string confidence is read; out of range is clamped.
        assertThat(Judge.parse("{\"score\": 4, \"label\": \"negative\"}", SENTIMENT)
                        .labelConfidence())
                .isEqualTo(1.0);
        assertThat(Judge.parse("{\"score\": 4, \"label\": \"negative\", \"label_confidence\": \"0.7\"}", SENTIMENT)
                        .labelConfidence())
                .isEqualTo(0.7);
        assertThat(Judge.parse("{\"score\": 4, \"label\": \"positive\", \"label_confidence\": 7}", SENTIMENT)
                        .labelConfidence())
                .isEqualTo(1.0);
        // A label outside the task's set is dropped; the score stands.
        Judge.Verdict outside = Judge.parse("{\"score\": 3, \"label\": \"angry\", \"label_confidence\": 1}", SENTIMENT);
        assertThat(outside.label()).isNull();
        assertThat(outside.labelConfidence()).isNull();
        assertThat(outside.score()).isEqualTo(3);
    }

    @Test
    void shouldReadVerdictsInTheShapesModelsWrite() throws Exception {
        assertThat(Judge.parse("{\"score\": 5, \"rationale\": \"Good.\"}", NONE))
                .isEqualTo(new Judge.Verdict(5, "Good.", null, null));
        assertThat(Judge.parse("Verdict:\n```json\n{\"rationale\": \"ok\", \"score\": 3.5}\n```", NONE)
                        .score())
                .isEqualTo(3.5);
        assertThat(Judge.parse("{\"score\": \" 2 \"}", NONE)).isEqualTo(new Judge.Verdict(2, "", null, null));
        assertThat(Judge.parse("{\"score\": 4, \"rationale\": \"" + "x".repeat(900) + "\"}", NONE)
                        .rationale())
                .hasSize(Judge.RATIONALE_MAX_CHARS);
    }

    @Test
    void shouldRejectRepliesWithoutAUsableScore() {
        assertThatThrownBy(() -> Judge.parse("{\"score\": 7}", NONE)).hasMessageContaining("outside 1-5");
        assertThatThrownBy(() -> Judge.parse("{\"score\": \"great\"}", NONE)).hasMessageContaining("not a number");
        assertThatThrownBy(() -> Judge.parse("{\"verdict\": 4}", NONE)).hasMessageContaining("no score");
        assertThatThrownBy(() -> Judge.parse("I'd say four", NONE))
                .isInstanceOf(Judge.UnreadableVerdictException.class);
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
                .contains("clearly expresses one of the allowed labels")
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
        assertThat(request.schema().path("properties").path("label").path("enum"))
                .extracting(n -> n.asText())
                .containsExactly("positive", "negative");
        assertThat(request.schema().path("required").toString()).contains("label_confidence");
        assertThat(Rubrics.version("classification", null)).isEqualTo("default-classification-v2");
        assertThat(Rubrics.version("custom", "Be strict."))
                .startsWith("custom-")
                .hasSize(19);
    }

    @Test
    void shouldUseEveryParameterOfTheRequestsJudgeModel() {
        var spec = TestRecords.request("r-1");
        spec.setEvaluation(io.synthstream.avro.EvaluationSettings.newBuilder()
                .setJudgeModel(io.synthstream.avro.ModelParams.newBuilder()
                        .setProvider("local")
                        .setModel("judge-x")
                        .setTemperature(0.2)
                        .setTopP(0.7)
                        .setMaxTokens(64)
                        .setSeed(5L)
                        .setExtra(java.util.Map.of("presence_penalty", "0"))
                        .build())
                .build());
        LlmRequest request = Judge.request(
                TestRecords.sample("s-1"), spec, Judge.model(spec, "configured"), 200, LlmRequest.ResponseFormat.TEXT);

        assertThat(request.model()).isEqualTo("judge-x");
        assertThat(request.temperature()).isEqualTo(0.2);
        assertThat(request.topP()).isEqualTo(0.7);
        assertThat(request.maxTokens()).isEqualTo(64);
        assertThat(request.seed()).isEqualTo(5L);
        assertThat(request.extra()).containsEntry("presence_penalty", "0");
        assertThat(request.provider()).isEqualTo("local");
        // The call is made in the structured-output mode of the provider it names.
        try (var local = new io.synthstream.common.llm.OpenAiProvider(
                        "http://127.0.0.1:1/v1",
                        null,
                        "m",
                        java.util.Map.of(),
                        LlmRequest.ResponseFormat.TEXT,
                        java.time.Duration.ofSeconds(1));
                var providers = new io.synthstream.common.llm.ProviderSet(
                        new io.synthstream.common.llm.SimulatedProvider(
                                io.synthstream.common.llm.SimulatedProvider.Settings.INSTANT),
                        java.util.Map.of("local", local))) {
            Scoring.Settings settings = new Scoring.Settings(true, "configured", 200, 2000);
            assertThat(Scoring.judgeRequest(TestRecords.sample("s-1"), spec, settings, providers)
                            .format())
                    .isEqualTo(LlmRequest.ResponseFormat.TEXT);
            spec.getEvaluation().getJudgeModel().setProvider(null);
            assertThat(Scoring.judgeRequest(TestRecords.sample("s-1"), spec, settings, providers)
                            .format())
                    .isEqualTo(LlmRequest.ResponseFormat.JSON_SCHEMA);
        }
    }

    @Test
    void aConversationIsJudgedAsATranscriptWholeOrByItsLastReply() {
        var spec = TestRecords.request("r-chat");
        spec.setTask(io.synthstream.avro.TaskSpec.newBuilder(spec.getTask())
                .setKind("conversation")
                .setLabels(NONE)
                .setOutputFields(List.of())
                .build());
        var sample = TestRecords.sample("s-chat");
        sample.setFields(java.util.Map.of(
                "messages",
                "[{\"role\":\"system\",\"content\":\"Be kind.\"},{\"role\":\"user\",\"content\":\"Hi\"},"
                        + "{\"role\":\"assistant\",\"content\":\"Hello!\"}]"));
        String whole = Judge.request(sample, spec, "judge", 256, LlmRequest.ResponseFormat.JSON_SCHEMA)
                .messages()
                .get(1)
                .content();
        assertThat(whole)
                .contains("Conversation:\n\n[system] Be kind.\n\n[user] Hi\n\n[assistant] Hello!")
                .doesNotContain("last reply");
        assertThat(Judge.request(sample, spec, "judge", 256, LlmRequest.ResponseFormat.JSON_SCHEMA)
                        .messages()
                        .get(0)
                        .content())
                .contains("multi-turn conversation");
        assertThat(Judge.rubricVersion(spec)).isEqualTo("default-conversation-" + Rubrics.DEFAULT_VERSION);

        spec.setConversation(io.synthstream.avro.Conversation.newBuilder()
                .setJudgeTurns("last")
                .build());
        assertThat(Judge.request(sample, spec, "judge", 256, LlmRequest.ResponseFormat.JSON_SCHEMA)
                        .messages()
                        .get(1)
                        .content())
                .contains("Judge only the assistant's last reply");
        assertThat(Judge.rubricVersion(spec))
                .as("a score of the last turn is not comparable with one of the whole conversation")
                .isEqualTo("default-conversation-" + Rubrics.DEFAULT_VERSION + "-last-turn");
    }
}
