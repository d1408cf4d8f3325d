package io.synthstream.generator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.GenerationRequest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {
    private static final RequestValidator.Limits LIMITS = new RequestValidator.Limits(1000, 1 << 20);

    @Test
    void aValidRequestHasNoProblems() throws Exception {
        assertThat(RequestValidator.problems(PlannerTest.request(""), 100, LIMITS))
                .isEmpty();
    }

    @Test
    void aBalancedSpaceTooLargeToEnumerateIsRejected() throws Exception {
        GenerationRequest request = PlannerTest.request(", \"sampling_mode\": \"balanced\"");
        List<AttributeValue> values = new ArrayList<>();
        for (int v = 0; v < 1000; v++) {
            values.add(new AttributeValue("v" + v, 1.0));
        }
        List<Attribute> attributes = new ArrayList<>();
        for (int a = 0; a < 8; a++) {
            attributes.add(
                    Attribute.newBuilder().setName("a" + a).setValues(values).build());
        }
        request.setAttributes(attributes);
        assertThat(RequestValidator.problems(request, 100, LIMITS))
                .anySatisfy(p -> assertThat(p).contains("more than 2^63 combinations"));
    }

    @Test
    void aBudgetNeedsAPositiveLimitAndACostBudgetAPriceForEveryModel() throws Exception {
        RequestValidator.Limits priced = new RequestValidator.Limits(
                1000,
                1 << 20,
                null,
                new RequestValidator.Pricing(
                        io.synthstream.common.llm.PriceTable.builtIn(),
                        provider -> provider == null ? "gpt-4o-mini" : null));
        GenerationRequest ok = PlannerTest.request(", \"budget\": {\"max_cost_usd\": 2.5}");
        GenerationRequest empty = PlannerTest.request(", \"budget\": {}");
        GenerationRequest negative = PlannerTest.request(", \"budget\": {\"max_cost_usd\": -1, \"max_tokens\": 0}");
        GenerationRequest unpriced = PlannerTest.request(", \"budget\": {\"max_cost_usd\": 2.5}");
        unpriced.getModel().setModel("my-llama-70b");
        GenerationRequest tokensOnly = PlannerTest.request(", \"budget\": {\"max_tokens\": 100000}");
        tokensOnly.getModel().setModel("my-llama-70b");

        assertThat(RequestValidator.problems(ok, 100, priced)).isEmpty();
        assertThat(RequestValidator.problems(tokensOnly, 100, priced)).isEmpty();
        assertThat(RequestValidator.problems(empty, 100, priced))
                .anySatisfy(p -> assertThat(p).contains("budget sets no limit"));
        assertThat(RequestValidator.problems(negative, 100, priced))
                .anySatisfy(p -> assertThat(p).contains("budget.max_cost_usd must be a positive number"))
                .anySatisfy(p -> assertThat(p).contains("budget.max_tokens must be at least 1, got 0"));
        assertThat(RequestValidator.problems(unpriced, 100, priced))
                .anySatisfy(p -> assertThat(p).contains("needs a price for model \"my-llama-70b\""));

        GenerationRequest dataset = PlannerTest.request(", \"dataset_budget\": {\"max_cost_usd\": 50}");
        GenerationRequest datasetEmpty = PlannerTest.request(", \"dataset_budget\": {\"max_tokens\": -5}");
        GenerationRequest datasetUnpriced = PlannerTest.request(", \"dataset_budget\": {\"max_cost_usd\": 50}");
        datasetUnpriced.getModel().setModel("my-llama-70b");
        assertThat(RequestValidator.problems(dataset, 100, priced)).isEmpty();
        assertThat(RequestValidator.problems(datasetEmpty, 100, priced))
                .singleElement()
                .satisfies(p -> assertThat(p).contains("dataset_budget.max_tokens must be at least 1, got -5"));
        assertThat(RequestValidator.problems(datasetUnpriced, 100, priced))
                .singleElement()
                .satisfies(p -> assertThat(p).contains("dataset_budget.max_cost_usd needs a price for model"));
    }

    @Test
    void anOversizeRequestIsRejectedBeforeAnythingElse() throws Exception {
        assertThat(RequestValidator.problems(PlannerTest.request(""), 2 << 20, LIMITS))
                .singleElement()
                .satisfies(p -> assertThat(p).contains("above the limit"));
    }

    @Test
    void aSemanticThresholdMustBeACosineFromOneHalfAndNeedsSemanticDedup() throws Exception {
        assertThat(RequestValidator.problems(
                        PlannerTest.request(", \"curation\": {\"semantic_dedup\": true, \"semantic_threshold\": 0.92}"),
                        100,
                        LIMITS))
                .isEmpty();
        assertThat(RequestValidator.problems(
                        PlannerTest.request(", \"curation\": {\"semantic_dedup\": true, \"semantic_threshold\": 1.2}"),
                        100,
                        LIMITS))
                .singleElement()
                .satisfies(p ->
                        assertThat(p).contains("curation.semantic_threshold").contains("1.2"));
        assertThat(RequestValidator.problems(
                        PlannerTest.request(", \"curation\": {\"semantic_threshold\": 0.9}"), 100, LIMITS))
                .singleElement()
                .satisfies(p -> assertThat(p).contains("curation.semantic_dedup is false"));
    }

    @Test
    void modelParamsNameTheConfiguredProviderAndPassOnlyJsonExtras() throws Exception {
        GenerationRequest request = PlannerTest.request(", \"model\": {\"provider\": \"anthropic\","
                + " \"extra\": {\"presence_penalty\": \"0.5\", \"stop\": \"END\", \"messages\": \"[]\"}},"
                + " \"evaluation\": {\"judge_model\": {\"provider\": \"local\"}},"
                + " \"steps\": [{\"name\": \"write\", \"instruction_template\": \"Write about {{ topic }}.\","
                + " \"output_fields\": [{\"name\": \"text\"}], \"model\": {\"provider\": \"remote\"}}]");
        RequestValidator.Limits configured =
                new RequestValidator.Limits(1000, 1 << 20, java.util.Set.of("default", "simulated", "local"));
        List<String> problems = RequestValidator.problems(request, 100, configured);
        assertThat(problems).hasSize(4);
        assertThat(String.join("\n", problems))
                .contains("model.provider 'anthropic' is not configured here: the configured providers are"
                        + " default, local, simulated")
                .contains("steps[0].model.provider 'remote' is not configured here")
                .contains("model.extra.stop must be a JSON value")
                .contains("model.extra.messages is set by the runtime")
                .doesNotContain("judge_model")
                .doesNotContain("presence_penalty");
        // Without a configured provider (synth submit) only the extras are checked.
        assertThat(RequestValidator.problems(request, 100, LIMITS)).hasSize(2);
    }

    @Test
    void anUnknownOrMismatchedAdherenceCheckIsRefused() throws Exception {
        GenerationRequest unknown = PlannerTest.request("");
        unknown.getAttributes().get(0).setAdherence("vibes");
        assertThat(RequestValidator.problems(unknown, 100, LIMITS))
                .singleElement()
                .satisfies(p -> assertThat(p).contains("attributes.topic.adherence 'vibes' is unknown"));
        GenerationRequest length = PlannerTest.request("");
        length.getAttributes().get(1).setAdherence("length");
        assertThat(RequestValidator.problems(length, 100, LIMITS))
                .singleElement()
                .satisfies(p -> assertThat(p).contains("short, medium and long only"));
    }

    @Test
    void requestIdsAndDatasetNamesHoldOnlyCharactersSafeForKeysFilesAndTags() throws Exception {
        for (String good : List.of("reviews", "product-reviews_v2.1", "R1", "a".repeat(128))) {
            GenerationRequest request = PlannerTest.request("");
            request.setRequestId(good);
            request.setDataset(good);
            assertThat(RequestValidator.problems(request, 100, LIMITS)).as(good).isEmpty();
        }
        for (String bad : List.of(
                "reviews<img src=x onerror=\"alert(1)\">",
                "../etc",
                ".hidden",
                "two words",
                "a".repeat(129),
                "tab\tin")) {
            GenerationRequest request = PlannerTest.request("");
            request.setDataset(bad);
            assertThat(RequestValidator.problems(request, 100, LIMITS))
                    .singleElement()
                    .satisfies(p -> assertThat(p)
                            .startsWith("dataset \"")
                            .contains("may hold only letters, digits, '.', '_' and '-'"));
        }
        GenerationRequest request = PlannerTest.request("");
        request.setRequestId("r/1");
        assertThat(RequestValidator.problems(request, 100, LIMITS))
                .singleElement()
                .satisfies(p -> assertThat(p).startsWith("request_id \"r/1\" may hold only"));
    }
}
