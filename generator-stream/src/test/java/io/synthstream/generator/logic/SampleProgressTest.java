package io.synthstream.generator.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.common.dlq.DeadLetterReason;
import io.synthstream.common.llm.LlmFailure;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.LlmResponse;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.PriceTable;
import io.synthstream.generator.avro.PendingSample;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SampleProgressTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final SampleTraces.Provenance PROVENANCE =
            new SampleTraces.Provenance("openai", false, "default-model");

    private static GenerationRequest twoSteps() throws Exception {
        return PlannerTest.request("""
                , "steps": [
                    {"name": "write", "instruction_template": "Write about {{ topic }}.",
                     "output_fields": [{"name": "question"}]},
                    {"name": "solve", "instruction_template": "Answer: {{ write.question }}",
                     "output_fields": [{"name": "text"}, {"name": "label", "type": "label"}]}]
                """);
    }

    private static LlmRuntime.Completion reply(String content, String finish, int attempts) {
        return new LlmRuntime.Completion(
                "call", new LlmResponse(content, finish, "model-x", 12, 7, 30), null, attempts, 30);
    }

    private static PendingSample first(GenerationRequest spec, ConditionTuple condition) {
        return SampleProgress.start(condition, NOW.toEpochMilli())
                .values()
                .iterator()
                .next();
    }

    @Test
    void shouldStartOneEntryPerSampleOfTheCondition() throws Exception {
        GenerationRequest spec = twoSteps();
        ConditionTuple condition = Planner.plan(spec, 4, null, NOW);
        condition.setSamples(2);

        Map<String, PendingSample> entries = SampleProgress.start(condition, 1234L);

        assertThat(entries).containsOnlyKeys(Ids.sampleId("r", 4, 0), Ids.sampleId("r", 4, 1));
        PendingSample entry = entries.get(Ids.sampleId("r", 4, 1));
        assertThat(entry.getSampleIndex()).isEqualTo(1);
        assertThat(entry.getReceivedAt()).isEqualTo(1234L);
        assertThat(entry.getStepIndex()).isZero();
        assertThat(SampleProgress.requestId(entry)).isEqualTo("r");
        assertThat(SampleProgress.dataset(entry)).isEqualTo("d");
        assertThat(SampleProgress.condition(entry)).isEqualTo(condition);
        assertThat(SampleProgress.callName(entry)).isEqualTo("step-0");
    }

    @Test
    void shouldReadRequestAndDatasetFromTheConditionOfAnEntryThatPredatesThoseFields() throws Exception {
        GenerationRequest spec = twoSteps();
        PendingSample entry = first(spec, Planner.plan(spec, 0, null, NOW));
        entry.setRequestId("");
        entry.setDataset("");

        assertThat(SampleProgress.requestId(entry)).isEqualTo("r");
        assertThat(SampleProgress.dataset(entry)).isEqualTo("d");
    }

    @Test
    void shouldMoveToTheNextStepWithTheTraceOfTheFirst() throws Exception {
        GenerationRequest spec = twoSteps();
        ConditionTuple condition = Planner.plan(spec, 0, null, NOW);
        List<StepPlan> plan = StepPlan.of(spec);
        PendingSample entry = first(spec, condition);

        SampleProgress.Progress progress = SampleProgress.advance(
                entry, condition, spec, plan, reply("{\"question\": \"Why?\"}", "stop", 2), PROVENANCE, NOW);

        assertThat(progress).isInstanceOf(SampleProgress.Next.class);
        PendingSample next = ((SampleProgress.Next) progress).entry();
        assertThat(next.getStepIndex()).isEqualTo(1);
        assertThat(next.getSteps()).hasSize(1);
        assertThat(next.getAttempts()).isEqualTo(2);
        assertThat(entry.getStepIndex()).as("the entry itself is not changed").isZero();
        LlmRequest call = SampleProgress.request(next, condition, spec, plan, LlmRequest.ResponseFormat.TEXT);
        assertThat(call.messages().get(call.messages().size() - 1).content()).contains("Answer: Why?");
    }

    @Test
    void shouldFinishTheSampleAfterTheLastStep() throws Exception {
        GenerationRequest spec = twoSteps();
        ConditionTuple condition = Planner.plan(spec, 0, null, NOW);
        List<StepPlan> plan = StepPlan.of(spec);
        PendingSample entry = first(spec, condition);
        PendingSample second = ((SampleProgress.Next) SampleProgress.advance(
                        entry, condition, spec, plan, reply("{\"question\": \"Why?\"}", "stop", 1), PROVENANCE, NOW))
                .entry();

        SampleProgress.Progress progress = SampleProgress.advance(
                second,
                condition,
                spec,
                plan,
                reply("{\"text\": \"Because.\", \"label\": \"pos\"}", "stop", 1),
                PROVENANCE,
                NOW);

        Sample sample = ((SampleProgress.Done) progress).sample();
        assertThat(sample.getSampleId()).isEqualTo(entry.getSampleId());
        assertThat(sample.getFields())
                .containsEntry("question", "Why?")
                .containsEntry("text", "Because.")
                .containsEntry("label", "pos");
        assertThat(sample.getTrace().getSteps()).extracting(t -> t.getName()).containsExactly("write", "solve");
        assertThat(sample.getTrace().getPromptTokens()).isEqualTo(24);
        assertThat(sample.getTrace().getProvider()).isEqualTo("openai");
        assertThat(sample.getTrace().getModel()).isEqualTo("model-x");
        assertThat(sample.getCreatedAt()).isEqualTo(NOW);
    }

    @Test
    void shouldAskForOneRepairThenGiveUp() throws Exception {
        GenerationRequest spec = PlannerTest.request("");
        ConditionTuple condition = Planner.plan(spec, 0, null, NOW);
        List<StepPlan> plan = StepPlan.of(spec);
        PendingSample entry = first(spec, condition);

        SampleProgress.Progress repair =
                SampleProgress.advance(entry, condition, spec, plan, reply("not json", "stop", 1), PROVENANCE, NOW);
        PendingSample repairing = ((SampleProgress.Repair) repair).entry();
        assertThat(repairing.getRepairReply()).isEqualTo("not json");
        assertThat(SampleProgress.callName(repairing)).isEqualTo("step-0-repair");
        LlmRequest call = SampleProgress.request(repairing, condition, spec, plan, LlmRequest.ResponseFormat.TEXT);
        assertThat(call.messages()).extracting(LlmRequest.Message::content).contains("not json");

        SampleProgress.Progress failed = SampleProgress.advance(
                repairing, condition, spec, plan, reply("still not", "stop", 1), PROVENANCE, NOW);
        var failure = ((SampleProgress.Fail) failed).failure();
        assertThat(failure.reason()).isEqualTo(DeadLetterReason.UNPARSEABLE_OUTPUT);
        assertThat(failure.samples()).isEqualTo(1);
        assertThat(failure.attempts()).isEqualTo(2);
        assertThat(failure.rawReply()).isEqualTo("still not");
        assertThat(failure.spend().getCalls()).as("both replies were paid for").isEqualTo(2);
        assertThat(failure.spend().getPromptTokens()).isEqualTo(24);
        assertThat(failure.spend().getCompletionTokens()).isEqualTo(14);
    }

    @Test
    void everyPaidReplyIsInTheSamplesSpendTheOneThatNeededARepairToo() throws Exception {
        GenerationRequest spec = PlannerTest.request("");
        ConditionTuple condition = Planner.plan(spec, 0, null, NOW);
        List<StepPlan> plan = StepPlan.of(spec);
        PendingSample entry = first(spec, condition);
        PriceTable prices = PriceTable.builtIn();
        LlmResponse broken = new LlmResponse("not json", "stop", "gpt-4o-mini-2024-07-18", 1000, 200, 30);
        LlmResponse fixed =
                new LlmResponse("{\"text\": \"Fine.\"}", "stop", "gpt-4o-mini-2024-07-18", 1300, 100, 30, true);

        PendingSample repairing = ((SampleProgress.Repair) SampleProgress.advance(
                        entry,
                        condition,
                        spec,
                        plan,
                        new LlmRuntime.Completion("c", broken, null, 1, 30, prices.spend(broken, null)),
                        PROVENANCE,
                        NOW))
                .entry();
        Sample sample = ((SampleProgress.Done) SampleProgress.advance(
                        repairing,
                        condition,
                        spec,
                        plan,
                        new LlmRuntime.Completion("c", fixed, null, 1, 30, prices.spend(fixed, null)),
                        PROVENANCE,
                        NOW))
                .sample();

        var spend = sample.getTrace().getSpend();
        assertThat(spend.getCalls()).isEqualTo(2);
        assertThat(spend.getPromptTokens()).isEqualTo(2300);
        assertThat(spend.getCompletionTokens()).isEqualTo(300);
        // gpt-4o-mini: 0.15 in, 0.60 out per million
        assertThat(spend.getCostUsd()).isCloseTo((2300 * 0.15 + 300 * 0.60) / 1e6, within(1e-12));
        assertThat(spend.getEstimatedTokens())
                .as("the second server reply had no usage")
                .isEqualTo(1400);
        assertThat(spend.getUnpricedTokens()).isZero();
        assertThat(sample.getTrace().getPromptTokens()).isEqualTo(2300);
        assertThat(sample.getTrace().getSteps().get(0).getCompletionTokens()).isEqualTo(300);
    }

    @Test
    void shouldNotRepairATruncatedReply() throws Exception {
        GenerationRequest spec = PlannerTest.request("");
        ConditionTuple condition = Planner.plan(spec, 0, null, NOW);
        PendingSample entry = first(spec, condition);

        SampleProgress.Progress progress = SampleProgress.advance(
                entry, condition, spec, StepPlan.of(spec), reply("{\"text\": \"cut", "length", 1), PROVENANCE, NOW);

        var failure = ((SampleProgress.Fail) progress).failure();
        assertThat(failure.reason()).isEqualTo(DeadLetterReason.OUTPUT_TRUNCATED);
        assertThat(failure.message()).contains("max_tokens");
        assertThat(failure.spend().getCompletionTokens())
                .as("a truncated reply is paid too")
                .isEqualTo(7);
    }

    @Test
    void shouldEndTheSampleOnATerminalCallFailureEvenWithoutItsSpec() throws Exception {
        GenerationRequest spec = PlannerTest.request("");
        ConditionTuple condition = Planner.plan(spec, 0, null, NOW);
        PendingSample entry = first(spec, condition);
        LlmRuntime.Completion failed =
                new LlmRuntime.Completion("call", null, new LlmFailure(LlmFailure.Kind.AUTH, "bad key"), 1, 5);

        SampleProgress.Progress progress =
                SampleProgress.advance(entry, condition, null, List.of(), failed, PROVENANCE, NOW);

        var failure = ((SampleProgress.Fail) progress).failure();
        assertThat(failure.reason()).isEqualTo(DeadLetterReason.LLM_AUTH);
        assertThat(failure.attempts()).isEqualTo(1);
    }

    @Test
    void shouldExplainAMissingSpecAndAPromptThatCannotRender() throws Exception {
        GenerationRequest spec = PlannerTest.request("");
        PendingSample entry = first(spec, Planner.plan(spec, 0, null, NOW));

        assertThat(SampleProgress.unknownSpec(entry, Duration.ofSeconds(60)).message())
                .isEqualTo("No spec for request r in synth.specs after 60000 ms");
        assertThat(SampleProgress.promptError(new Templates.TemplateException("unknown variable 'x'", null))
                        .reason())
                .isEqualTo(DeadLetterReason.PROMPT_ERROR);
    }

    /** The sample of a one-step request's first entry, after one good reply. */
    private static Sample finishInOneStep(GenerationRequest spec, ConditionTuple condition) {
        return ((SampleProgress.Done) SampleProgress.advance(
                        first(spec, condition),
                        condition,
                        spec,
                        StepPlan.of(spec),
                        reply("{\"text\": \"Fine.\", \"label\": \"pos\"}", "stop", 1),
                        PROVENANCE,
                        NOW))
                .sample();
    }

    @Test
    void theTraceRecordsTheTemplateVersionAndTheDemonstrationIdsOfTheRequest() throws Exception {
        GenerationRequest spec = PlannerTest.request("""
                , "examples": [{"id": "ex-good", "fields": {"text": "Great.", "label": "pos"}, "attributes": {"topic": "a"}},
                               {"id": "ex-bad", "fields": {"text": "Awful.", "label": "neg"}, "attributes": {"topic": "b"}}],
                  "demonstrations": 1, "demonstration_strategy": "fixed"
                """);
        spec.getTask().setTemplateVersion("reviews-v7");
        ConditionTuple condition = Planner.plan(spec, 0, null, NOW);
        Sample sample = finishInOneStep(spec, condition);
        assertThat(sample.getTrace().getTemplateVersion()).isEqualTo("reviews-v7");
        assertThat(sample.getTrace().getDemonstrationIds()).containsExactly("ex-good");
        assertThat(condition.getDemonstrations().get(0).getAttributes()).containsEntry("topic", "a");

        spec.getTask().setTemplateVersion(null);
        spec.setExamples(List.of(
                io.synthstream.avro.Example.newBuilder(spec.getExamples().get(1))
                        .setId(null)
                        .build()));
        ConditionTuple other = Planner.plan(spec, 0, null, NOW);
        Sample unnamed = finishInOneStep(spec, other);
        assertThat(unnamed.getTrace().getTemplateVersion())
                .isEqualTo(io.synthstream.common.task.DefaultTemplates.VERSION);
        assertThat(unnamed.getTrace().getDemonstrationIds()).containsExactly("demo-0");
    }
}
