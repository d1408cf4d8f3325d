package io.synthstream.curator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.OutputField;
import io.synthstream.avro.RejectionReason;
import io.synthstream.avro.Sample;
import io.synthstream.avro.TaskSpec;
import io.synthstream.common.text.DedupText;
import io.synthstream.schemas.TestRecords;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SampleValidatorTest {
    private static Sample sample(Map<String, String> fields) {
        Sample sample = TestRecords.sample("s-1");
        sample.setFields(fields);
        return sample;
    }

    private static GenerationRequest spec(List<OutputField> fields, List<String> labels) {
        GenerationRequest spec = TestRecords.request("r-1");
        spec.setTask(TaskSpec.newBuilder(spec.getTask())
                .setOutputFields(fields)
                .setLabels(labels)
                .build());
        return spec;
    }

    private static OutputField field(String name, String type, boolean required) {
        return OutputField.newBuilder()
                .setName(name)
                .setType(type)
                .setRequired(required)
                .build();
    }

    @Test
    void shouldAcceptValidFieldsOfEveryType() {
        GenerationRequest spec = spec(
                List.of(
                        field("text", "string", true),
                        field("label", "label", true),
                        field("stars", "integer", true),
                        field("score", "number", true),
                        field("spam", "boolean", true),
                        field("tags", "list", true),
                        field("note", "string", false)),
                List.of("positive", "negative"));

        assertThat(SampleValidator.validate(
                        sample(Map.of(
                                "text", "Nice.",
                                "label", "positive",
                                "stars", "4",
                                "score", "0.75",
                                "spam", "FALSE",
                                "tags", "[\"a\",\"b\"]")),
                        spec))
                .isEmpty();
    }

    @Test
    void shouldRejectEachKindOfInvalidField() {
        GenerationRequest spec = spec(
                List.of(field("text", "string", true), field("label", "label", true), field("stars", "integer", false)),
                List.of("positive", "negative"));

        assertThat(SampleValidator.validate(sample(Map.of("label", "positive")), spec))
                .get()
                .satisfies(v -> assertThat(v.reason()).isEqualTo(RejectionReason.VALIDATION))
                .extracting(Verdict::detail)
                .asString()
                .contains("required field 'text'");
        assertThat(SampleValidator.validate(sample(Map.of("text", "ok", "label", "neutral")), spec))
                .get()
                .extracting(Verdict::detail)
                .asString()
                .contains("'neutral' outside the label set [positive, negative]");
        assertThat(SampleValidator.validate(sample(Map.of("text", "ok", "label", "positive", "stars", "four")), spec))
                .get()
                .extracting(Verdict::detail)
                .asString()
                .contains("not an integer");
        GenerationRequest listSpec = spec(List.of(field("tags", "list", true)), List.of());
        assertThat(SampleValidator.validate(sample(Map.of("tags", "[1, 2]")), listSpec))
                .isPresent();
        assertThat(SampleValidator.validate(sample(Map.of("tags", "a, b")), listSpec))
                .isPresent();
    }

    @Test
    void shouldUseTheKindsBuiltInFieldsWhenNoneAreDeclared() {
        GenerationRequest qa = spec(List.of(), List.of());
        qa.setTask(TaskSpec.newBuilder(qa.getTask()).setKind("qa").build());

        assertThat(SampleValidator.validate(sample(Map.of("question", "Why?", "answer", "Because.")), qa))
                .isEmpty();
        assertThat(SampleValidator.validate(sample(Map.of("question", "Why?")), qa))
                .isPresent();
        assertThat(DedupText.of(sample(Map.of("question", "Why?", "reasoning", "r", "answer", "Because.")), qa))
                .isEqualTo("Why?\nBecause.");
    }
}
