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

    @Test
    void aConversationMustAlternateFromTheUserAndEndWithTheAssistantAndItsDedupTextIsItsTurns() {
        GenerationRequest spec = TestRecords.request("r-1");
        spec.setTask(TaskSpec.newBuilder(spec.getTask())
                .setKind("conversation")
                .setOutputFields(List.of())
                .setLabels(List.of())
                .build());
        String good = "[{\"role\":\"system\",\"content\":\"Be kind.\"},"
                + "{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Hello!\"}]";
        assertThat(SampleValidator.validate(sample(Map.of("messages", good)), spec))
                .isEmpty();
        assertThat(DedupText.of(sample(Map.of("messages", good)), spec))
                .as("the system prompt is the same in every sample: it is not the conversation's text")
                .isEqualTo("Hi\nHello!");

        Map<String, String> problems = Map.of(
                "not json",
                "is not JSON",
                "{\"role\":\"user\"}",
                "is not a JSON array of messages",
                "[{\"role\":\"user\",\"content\":\"Hi\"}]",
                "has no user and assistant turn",
                "[{\"role\":\"assistant\",\"content\":\"Hi\"},{\"role\":\"user\",\"content\":\"Yo\"}]",
                "turn 1 is assistant, expected user",
                "[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\"Yo\"},"
                        + "{\"role\":\"user\",\"content\":\"And?\"}]",
                "ends with a user turn",
                "[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":\" \"}]",
                "turn 2 (assistant) is blank",
                "[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"system\",\"content\":\"x\"},"
                        + "{\"role\":\"assistant\",\"content\":\"Yo\"}]",
                "a system message that is not the first",
                "[{\"role\":\"tool\",\"content\":\"Hi\"}]",
                "message 0 is not");
        problems.forEach((value, problem) -> assertThat(
                        SampleValidator.validate(sample(Map.of("messages", value)), spec))
                .as(value)
                .hasValueSatisfying(v -> {
                    assertThat(v.reason()).isEqualTo(RejectionReason.VALIDATION);
                    assertThat(v.detail()).startsWith("field 'messages' ").contains(problem);
                }));
        assertThat(SampleValidator.validate(sample(Map.of()), spec))
                .hasValueSatisfying(v -> assertThat(v.detail()).contains("required field 'messages'"));
    }
}
