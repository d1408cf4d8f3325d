package io.synthstream.evaluator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.SimulatedContent;
import io.synthstream.schemas.TestRecords;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The simulator's judge on the evaluator's real judge prompt: it must tell planted samples from
 * clean ones by their text alone (the planted rates are all-or-nothing here, so the test knows the
 * truth without the reply carrying it).
 */
class SimulatedJudgeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final GenerationRequest SPEC = TestRecords.request("r-1");

    private static Judge.Verdict judge(int i, SimulatedContent.Rates rates, String wanted) throws Exception {
        ObjectNode schema = JSON.createObjectNode();
        ObjectNode properties = schema.putObject("properties");
        properties.putObject("text").put("type", "string");
        properties
                .putObject("label")
                .put("type", "string")
                .putArray("enum")
                .add("positive")
                .add("negative");
        Map<String, String> hints = Map.of(
                SimulatedContent.LABEL_HINT,
                wanted,
                SimulatedContent.ATTRIBUTE_HINT_PREFIX + "topic",
                "books",
                SimulatedContent.SAMPLE_HINT,
                "s-" + i);
        var reply = JSON.readTree(SimulatedContent.reply(schema, hints, 1000L + i, rates));
        Map<String, String> fields = new HashMap<>();
        reply.fields().forEachRemaining(f -> fields.put(f.getKey(), f.getValue().asText()));
        Sample sample = Sample.newBuilder(TestRecords.sample("s-" + i))
                .setFields(fields)
                .setAttributes(Map.of("topic", "books"))
                .build();
        LlmRequest call = Judge.request(sample, SPEC, "judge", 200, LlmRequest.ResponseFormat.JSON_SCHEMA);
        String verdict = SimulatedContent.reply(
                call.messages().get(1).content(), call.schema(), call.hints(), 7L * i, SimulatedContent.Rates.NONE);
        return Judge.parse(verdict, SPEC.getTask().getLabels());
    }

    @Test
    void shouldScoreCleanSamplesHighAndAgreeWithTheirLabel() throws Exception {
        for (int i = 0; i < 200; i++) {
            String wanted = i % 2 == 0 ? "positive" : "negative";
            Judge.Verdict v = judge(i, SimulatedContent.Rates.NONE, wanted);
            assertThat(v.score()).as("sample %d: %s", i, v.rationale()).isGreaterThanOrEqualTo(4);
            assertThat(v.label()).isEqualTo(wanted);
            assertThat(v.labelConfidence()).isGreaterThanOrEqualTo(0.9);
        }
    }

    @Test
    void shouldNameTheLabelAMislabelledTextCarriesWithoutLoweringItsScore() throws Exception {
        var mislabel = new SimulatedContent.Rates(0, 0, 0, 0, 1.0, 0);
        for (int i = 0; i < 200; i++) {
            String wanted = i % 2 == 0 ? "positive" : "negative";
            Judge.Verdict v = judge(i, mislabel, wanted);
            assertThat(v.label()).as("sample %d", i).isNotEqualTo(wanted);
            assertThat(v.labelConfidence()).isGreaterThanOrEqualTo(0.8);
            assertThat(v.score()).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void shouldScoreWordSaladLowAndBeUnsureOfItsLabel() throws Exception {
        var low = new SimulatedContent.Rates(0, 0, 0, 0, 0, 1.0);
        for (int i = 0; i < 200; i++) {
            Judge.Verdict v = judge(i, low, "positive");
            assertThat(v.score()).as("sample %d: %s", i, v.rationale()).isLessThanOrEqualTo(2);
            assertThat(v.rationale()).contains("incoherent");
            assertThat(v.labelConfidence()).isLessThan(0.5);
        }
    }

    @Test
    void shouldGiveARefusalTheLowestScore() throws Exception {
        var refusal = new SimulatedContent.Rates(0, 0, 1.0, 0, 0, 0);
        Judge.Verdict v = judge(1, refusal, "positive");
        assertThat(v.score()).isEqualTo(1);
        assertThat(v.rationale()).containsIgnoringCase("refusal");
        assertThat(List.of(v.label())).isNotEmpty();
    }

    @Test
    void aSeededSampleIsJudgedAgainstItsSeedWithTheGroundedRubric() throws Exception {
        String passage = "The Fresnel lens, introduced in 1823, bent light from a single lamp into a strong beam."
                + " Most lighthouses today are automated.";
        GenerationRequest spec = GenerationRequest.newBuilder(SPEC)
                .setSeeds(io.synthstream.avro.SeedSettings.newBuilder()
                        .setSource("inline")
                        .build())
                .build();
        java.util.function.Function<String, Judge.Verdict> judge = answer -> {
            Sample sample = Sample.newBuilder(TestRecords.sample("g"))
                    .setFields(Map.of("text", answer, "label", "positive"))
                    .setAttributes(Map.of())
                    .setSeed(io.synthstream.avro.SeedRef.newBuilder()
                            .setSeedId("lighthouses")
                            .setSource("file:articles.jsonl")
                            .setOrdinal(0)
                            .setFields(Map.of("text", passage))
                            .build())
                    .build();
            LlmRequest call = Judge.request(sample, spec, "judge", 200, LlmRequest.ResponseFormat.JSON_SCHEMA);
            assertThat(call.messages().get(0).content()).contains("supported by the seed");
            assertThat(call.messages().get(1).content()).contains("Seed (file:articles.jsonl, chunk 1 of 1):");
            String verdict = SimulatedContent.reply(
                    call.messages().get(1).content(), call.schema(), call.hints(), 3L, SimulatedContent.Rates.NONE);
            try {
                return Judge.parse(verdict, spec.getTask().getLabels());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        Judge.Verdict supported =
                judge.apply("The passage states that the Fresnel lens bent light into a strong beam.");
        Judge.Verdict invented = judge.apply("Lighthouse keepers trained falcons to deliver messages across harbours.");
        assertThat(invented.score()).isLessThan(supported.score());
        assertThat(invented.rationale()).contains("the seed does not support");
        assertThat(Judge.rubricVersion(spec)).contains("grounded");
    }
}
