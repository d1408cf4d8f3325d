package io.synthstream.evaluator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.EvaluationSettings;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.common.dlq.DeadLetterReason;
import io.synthstream.common.llm.LlmFailure;
import io.synthstream.common.llm.LlmResponse;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.schemas.TestRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScoringTest {
    private static final Scoring.Settings SETTINGS = new Scoring.Settings(true, "judge-m", 256, 20);

    private static LlmRuntime.Completion answer(String content) {
        return new LlmRuntime.Completion("s/judge", new LlmResponse(content, "stop", "judge-x", 40, 9, 5), null, 1, 5);
    }

    @Test
    void shouldReadAVerdictWithItsTokensAndModel() {
        GenerationRequest spec = TestRecords.request("r-1");

        Scoring.Judgement judgement =
                Scoring.judgement(answer("{\"score\": 4, \"rationale\": \"Fine.\"}"), spec, SETTINGS);

        assertThat(judgement.verdict().getStatus()).isEqualTo(Scoring.JUDGED);
        assertThat(judgement.verdict().getScore()).isEqualTo(4.0);
        assertThat(judgement.verdict().getJudgeModel()).isEqualTo("judge-x");
        assertThat(judgement.failure()).isNull();
        assertThat(judgement.spend().getPromptTokens()).isEqualTo(40);
        assertThat(judgement.spend().getCompletionTokens()).isEqualTo(9);
    }

    @Test
    void shouldLeaveTheSampleUnjudgedAndNoteWhyWhenTheJudgeFails() {
        Scoring.Judgement unreadable = Scoring.judgement(answer("no verdict here"), null, SETTINGS);
        Scoring.Judgement failed = Scoring.judgement(
                new LlmRuntime.Completion("s/judge", null, new LlmFailure(LlmFailure.Kind.TIMEOUT, "slow"), 4, 9),
                null,
                SETTINGS);

        assertThat(unreadable.verdict().getStatus()).isEqualTo(Scoring.UNJUDGED);
        assertThat(unreadable.verdict().getJudgeModel()).isEqualTo("judge-x");
        assertThat(unreadable.failure().reason()).isEqualTo(DeadLetterReason.UNREADABLE_VERDICT);
        assertThat(unreadable.failure().samples()).isZero();
        assertThat(unreadable.spend().getPromptTokens() + unreadable.spend().getCompletionTokens())
                .as("an unreadable verdict was paid for")
                .isEqualTo(49);
        assertThat(failed.spend().getCalls())
                .as("a call that returned no reply costs nothing")
                .isZero();
        assertThat(unreadable.failure().rawReply()).isEqualTo("no verdict here");
        assertThat(failed.verdict().getRationale()).isEqualTo("judge call failed: llm_timeout");
        assertThat(failed.verdict().getJudgeModel()).isEqualTo("judge-m");
        assertThat(failed.failure().reason()).isEqualTo(DeadLetterReason.LLM_TIMEOUT);
        assertThat(failed.failure().attempts()).isEqualTo(4);
        assertThat(failed.failure().samples()).isZero();
    }

    @Test
    void shouldScoreASampleWithoutItsSpecUnjudged() {
        Scoring.Judgement judgement = Scoring.withoutSpec("r-404", Duration.ofSeconds(60));

        assertThat(judgement.verdict().getStatus()).isEqualTo(Scoring.UNJUDGED);
        assertThat(judgement.failure().reason()).isEqualTo(DeadLetterReason.UNKNOWN_SPEC);
        assertThat(judgement.failure().samples()).isZero();
        assertThat(judgement.failure().message()).contains("r-404").contains("60000 ms");
    }

    @Test
    void shouldJudgeOnlyWhenBothTheEvaluatorAndTheRequestWantIt() {
        GenerationRequest spec = TestRecords.request("r-1");
        GenerationRequest off = TestRecords.request("r-2");
        off.setEvaluation(EvaluationSettings.newBuilder().setJudgeEnabled(false).build());

        assertThat(Scoring.judged(spec, SETTINGS)).isTrue();
        assertThat(Scoring.judged(off, SETTINGS)).isFalse();
        assertThat(Scoring.judged(spec, new Scoring.Settings(false, null, 1, 1)))
                .isFalse();
    }

    @Test
    void shouldMeasureEveryFieldCutAtTheLimitWhenThereIsNoSpec() {
        Sample sample = TestRecords.sample("s-1");
        sample.setFields(Map.of("b", "second part", "a", "first part"));

        assertThat(Scoring.text(sample, null, 1000)).isEqualTo("first part\nsecond part");
        assertThat(Scoring.text(sample, null, 20)).isEqualTo("first part\nsecond pa");
    }

    @Test
    void shouldCarryTheScoresEmbeddingAndLabelToTheDatasetStage() {
        Sample sample = TestRecords.sample("s-1");
        var scored = Scoring.scored(sample, Scoring.disabled(), "a text", Instant.EPOCH);
        var event = Scoring.event(sample, scored, Vectors.encode(new float[] {1f, 0f}), "a text");

        assertThat(event.getKind()).isEqualTo(DatasetEvents.SCORED);
        assertThat(event.getSampleId()).isEqualTo("s-1");
        assertThat(Vectors.decode(event.getEmbedding())).containsExactly(1f, 0f);
        assertThat(event.getLabel())
                .isEqualTo(sample.getFields()
                        .getOrDefault("label", sample.getAttributes().get("label")));
        assertThat(scored.getFaithfulness().getStatus()).isEqualTo(Scoring.DISABLED);
    }
}
