package io.synthstream.generator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Sample;
import io.synthstream.avro.StepTrace;
import io.synthstream.common.llm.LlmRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The preference-pair recipe in the generator's topology: candidates, ratings or comparisons, and the pair. */
class GeneratorPreferencesTest {

    @Test
    void absoluteRatingsChooseTheBestAndRejectTheWorstWithTheirScoresAndModels() {
        ScriptedProvider provider = new ScriptedProvider()
                .then("{\"prompt\": \"How do I keep basil alive?\"}", "stop")
                .then("{\"response\": \"Water it.\"}", "stop")
                .then(
                        "{\"response\": \"Give it six hours of sun, water when the soil is dry, pinch the tops.\"}",
                        "stop")
                .then("{\"reason\": \"Too short.\", \"score\": 7}", "stop") // out of range: one repair turn
                .then("{\"reason\": \"Too short.\", \"score\": 2}", "stop")
                .then("{\"reason\": \"Complete.\", \"score\": 5}", "stop");
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("p1", """
                    {"request_id": "p1", "dataset": "prefs", "count": 1,
                     "task": {"kind": "preference", "description": "gardening"},
                     "preference": {"candidates": 2,
                       "candidate_models": [{"provider": "simulated", "model": "small", "temperature": 1.0,
                                             "top_p": 0.9, "max_tokens": 300, "seed": 3,
                                             "extra": {"presence_penalty": "0.4"}},
                                            {"model": "large"}],
                       "judge_model": {"provider": "default", "model": "judge", "temperature": 0.0, "top_p": 0.5,
                                       "max_tokens": 200, "seed": 9, "extra": {"logprobs": "false"}},
                       "assistant_system_template": "You are a gardener.",
                       "rubric": "Reward practical, specific advice."}}
                    """);
            f.pumpOutcomes(1);
            assertThat(f.deadLetterLog).isEmpty();
            Sample s = f.sampleLog.get(0);
            assertThat(s.getFields())
                    .containsEntry("prompt", "How do I keep basil alive?")
                    .containsEntry("chosen", "Give it six hours of sun, water when the soil is dry, pinch the tops.")
                    .containsEntry("rejected", "Water it.")
                    .containsEntry("chosen_score", "5")
                    .containsEntry("rejected_score", "2")
                    .containsEntry("margin", "3")
                    .containsEntry("tie", "false");
            assertThat(s.getTrace().getSteps())
                    .extracting(StepTrace::getName)
                    .containsExactly("prompt", "candidate_1", "candidate_2", "rating_1", "rating_2");
            assertThat(provider.requests).hasSize(6);
            LlmRequest first = provider.requests.get(1);
            assertThat(first.model()).isEqualTo("small");
            assertThat(List.of(first.temperature(), first.topP(), first.maxTokens(), first.seed()))
                    .containsExactly(1.0, 0.9, 300, 3L);
            assertThat(first.provider()).isEqualTo("simulated");
            assertThat(first.extra()).containsEntry("presence_penalty", "0.4");
            assertThat(first.messages().get(0).content()).isEqualTo("You are a gardener.");
            assertThat(first.messages().get(1).content()).startsWith("How do I keep basil alive?");
            assertThat(provider.requests.get(2).model()).isEqualTo("large");
            LlmRequest rating = provider.requests.get(3);
            assertThat(rating.model()).isEqualTo("judge");
            assertThat(List.of(rating.temperature(), rating.topP(), rating.maxTokens(), rating.seed()))
                    .containsExactly(0.0, 0.5, 200, 9L);
            assertThat(rating.provider()).isEqualTo("default");
            assertThat(rating.extra()).containsEntry("logprobs", "false");
            assertThat(rating.messages().get(0).content()).contains("Reward practical, specific advice.");
            assertThat(rating.messages().get(1).content()).contains("Response:\nWater it.");
            assertThat(rating.schema()
                            .path("properties")
                            .path("score")
                            .path("maximum")
                            .asInt())
                    .isEqualTo(5);
            assertThat(provider.requests.get(4).messages())
                    .as("the repair turn says what was wrong")
                    .anySatisfy(m -> assertThat(m.content()).contains("from 1 to 5, got 7"));
        }
    }

    @Test
    void pairwiseComparesBothOrdersAndAPairWhoseOrdersDisagreeIsATie() {
        ScriptedProvider provider = new ScriptedProvider()
                .then("{\"prompt\": \"Name a prime.\"}", "stop")
                .then("{\"response\": \"7\"}", "stop")
                .then("{\"response\": \"Seven, the fourth prime.\"}", "stop")
                .then("{\"winner\": \"A\"}", "stop") // 1 shown first wins
                .then("{\"winner\": \"A\"}", "stop"); // 2 shown first wins: position bias, a tie
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("p2", """
                    {"request_id": "p2", "dataset": "prefs", "count": 1, "task": {"kind": "preference"},
                     "preference": {"rating": "pairwise", "ties": "keep"}}
                    """);
            f.pumpOutcomes(1);
            assertThat(f.deadLetterLog).isEmpty();
            Sample s = f.sampleLog.get(0);
            assertThat(s.getTrace().getSteps())
                    .extracting(StepTrace::getName)
                    .containsExactly("prompt", "candidate_1", "candidate_2", "compare_1_2", "compare_2_1");
            assertThat(s.getFields())
                    .containsEntry("tie", "true")
                    .containsEntry("margin", "0")
                    .containsEntry("chosen_score", "0.5");
            assertThat(provider.requests.get(4).messages().get(1).content())
                    .as("the second order shows candidate 2 as A")
                    .contains("Response A:\nSeven, the fourth prime.")
                    .contains("Response B:\n7");
            assertThat(provider.requests
                            .get(3)
                            .schema()
                            .path("properties")
                            .path("winner")
                            .path("enum"))
                    .hasSize(3);
        }
    }

    @Test
    void preferenceSettingsOutOfRangeAreRefusedNamingTheField() {
        try (GeneratorFixture f = new GeneratorFixture(new ScriptedProvider(), Map.of())) {
            f.jsonRequests.pipeInput("bad", """
                    {"request_id": "bad", "dataset": "prefs", "count": 1, "task": {"kind": "preference"},
                     "steps": [{"name": "x", "instruction_template": "y", "output_fields": [{"name": "z"}]}],
                     "preference": {"candidates": 9, "rating": "elo", "ties": "maybe", "min_margin": 5,
                                    "candidate_models": [{"temperature": 3}]}}
                    """);
            f.pumpUntil(() -> f.deadLetterLog.size() == 1);
            assertThat(f.deadLetterLog.get(0).getMessage())
                    .contains("preference.candidates must be within [2, 8], got 9")
                    .contains("preference.rating 'elo' is unknown; use absolute or pairwise")
                    .contains("preference.ties 'maybe' is unknown; use reject or keep")
                    .contains("preference.min_margin must be within")
                    .contains("preference.candidate_models[0]")
                    .contains("steps cannot be combined with task.kind preference");
        }
    }
}
