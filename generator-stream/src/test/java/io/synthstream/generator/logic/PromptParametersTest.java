package io.synthstream.generator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.generator.topology.GeneratorProposalsTestRequests;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Request fields that reach the call the generator sends: each test changes one group of fields
 * from a baseline and asserts what the prompt, schema or parameters then say.
 */
class PromptParametersTest {
    private static final String BASE = """
            {"request_id": "r", "dataset": "d", "count": 5, "seed": 1,
             "task": {"kind": "custom", "description": "%s", "context": "%s",
                      "instruction_template": "Task: {{ task }}. Context: {{ context }}. Write it.",
                      "output_fields": [{"name": "text", "type": "string", "description": "%s", "required": %s}]},
             "model": %s}
            """;

    private static LlmRequest call(GenerationRequest request, int step) {
        ConditionTuple tuple = Planner.plan(request, 0, null, Instant.EPOCH);
        return PromptBuilder.build(
                request, tuple, StepPlan.of(request), step, Map.of(), LlmRequest.ResponseFormat.JSON_SCHEMA, "s");
    }

    private static GenerationRequest request(
            String description, String context, String fieldDescription, boolean required, String model) {
        return GeneratorProposalsTestRequests.parse(
                BASE.formatted(description, context, fieldDescription, required, model));
    }

    @Test
    void theTaskDescriptionContextAndFieldDocsReachThePromptAndSchema() {
        LlmRequest a = call(request("recipes", "only pasta", "the dish", true, "{}"), 0);
        LlmRequest b = call(request("poems", "only haiku", "the poem", false, "{}"), 0);
        assertThat(a.messages().get(1).content()).contains("Task: recipes. Context: only pasta.");
        assertThat(b.messages().get(1).content()).contains("Task: poems. Context: only haiku.");
        assertThat(a.schema()
                        .path("properties")
                        .path("text")
                        .path("description")
                        .asText())
                .isEqualTo("the dish");
        assertThat(b.schema()
                        .path("properties")
                        .path("text")
                        .path("description")
                        .asText())
                .isEqualTo("the poem");
        assertThat(a.schema().path("required").toString()).contains("text");
        assertThat(b.schema().path("required").toString()).doesNotContain("text");
        assertThat(a.messages().get(1).content()).contains("string, required): the dish");
        assertThat(b.messages().get(1).content()).contains("string, optional): the poem");
    }

    @Test
    void theModelParametersOfTheRequestAndOfAStepAreSent() {
        String model = "{\"model\": \"m-1\", \"temperature\": 0.3, \"top_p\": 0.9, \"max_tokens\": 77, \"seed\": 5}";
        LlmRequest call = call(request("x", "y", "z", true, model), 0);
        assertThat(call.model()).isEqualTo("m-1");
        assertThat(call.temperature()).isEqualTo(0.3);
        assertThat(call.topP()).isEqualTo(0.9);
        assertThat(call.maxTokens()).isEqualTo(77);
        assertThat(call.seed()).isEqualTo(5L);
        LlmRequest defaults = call(request("x", "y", "z", true, "{}"), 0);
        assertThat(defaults.topP()).isNull();
        assertThat(defaults.seed()).isNull();
        assertThat(defaults.maxTokens()).isEqualTo(1024);

        GenerationRequest steps = GeneratorProposalsTestRequests.parse("""
                {"request_id": "r", "dataset": "d", "count": 5, "task": {"kind": "custom"}, "model": {"model": "m-1"},
                 "steps": [{"name": "draft", "instruction_template": "Draft.",
                            "output_fields": [{"name": "text", "type": "string", "description": "a first try",
                                               "required": false}],
                            "model": {"model": "m-2", "temperature": 1.1, "top_p": 0.5, "max_tokens": 33, "seed": 8}},
                           {"name": "final", "kind": "evolve", "instruction_template": "Improve {{ draft.text }}.",
                            "output_fields": [{"name": "text", "type": "string"}]}]}
                """);
        LlmRequest draft = call(steps, 0);
        assertThat(draft.model()).isEqualTo("m-2");
        assertThat(draft.temperature()).isEqualTo(1.1);
        assertThat(draft.topP()).isEqualTo(0.5);
        assertThat(draft.maxTokens()).isEqualTo(33);
        assertThat(draft.seed()).isEqualTo(8L);
        assertThat(draft.schema()
                        .path("properties")
                        .path("text")
                        .path("description")
                        .asText())
                .isEqualTo("a first try");
        assertThat(draft.schema().path("required").toString()).doesNotContain("text");
        LlmRequest evolve = PromptBuilder.build(
                steps,
                Planner.plan(steps, 0, null, Instant.EPOCH),
                StepPlan.of(steps),
                1,
                Map.of("draft", Map.of("text", "a first draft")),
                LlmRequest.ResponseFormat.JSON_SCHEMA,
                "s");
        assertThat(evolve.model()).isEqualTo("m-1"); // the step without a model uses the request's
        assertThat(evolve.messages().get(1).content()).contains("Improve a first draft.");
    }
}
