package io.synthstream.generator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.PlanStatus;
import io.synthstream.common.llm.SimulatedProvider;
import io.synthstream.generator.config.GeneratorConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Attribute values proposed by the model when a request is accepted (AttrPrompt), on the generator's topology. */
class GeneratorProposalsTest {
    /** A topic proposed once, and class-specific subtopics proposed per label. */
    static String request(String id) {
        return """
                {"request_id": "%s", "dataset": "news",
                 "task": {"kind": "classification", "description": "news headlines", "labels": ["sports", "business"]},
                 "count": 60, "seed": 9, "model": {},
                 "attributes": [
                   {"name": "style", "propose": 3, "description": "how the headline is written"},
                   {"name": "subtopic", "depends_on": "label", "propose": 4}
                 ]}
                """.formatted(id);
    }

    @Test
    void theSpecCarriesTheProposedValuesAndEveryTupleUsesThem() {
        try (GeneratorFixture f = new GeneratorFixture(
                new SimulatedProvider(SimulatedProvider.Settings.INSTANT),
                Map.of(GeneratorConfig.PLAN_BATCH.key(), 100))) {
            f.jsonRequests.pipeInput("p-1", request("p-1"));
            f.pumpUntil(() -> !f.specs.isEmpty());
            GenerationRequest spec = f.specs.readValuesToList().get(0);
            Attribute style = spec.getAttributes().get(0);
            Attribute subtopic = spec.getAttributes().get(1);
            assertThat(style.getValues()).hasSize(3);
            assertThat(style.getProposedBy()).isNotNull();
            assertThat(subtopic.getValuesBy()).containsOnlyKeys("sports", "business");
            assertThat(subtopic.getValuesBy().values())
                    .allSatisfy(v -> assertThat(v).hasSize(4));
            assertThat(subtopic.getProposedBy()).isNotNull();

            f.pumpUntil(() -> f.conditions.getQueueSize() >= 60);
            List<ConditionTuple> tuples = f.conditions.readValuesToList();
            Set<String> styles =
                    style.getValues().stream().map(AttributeValue::getValue).collect(Collectors.toSet());
            for (ConditionTuple t : tuples) {
                String label = t.getAttributes().get("label");
                Set<String> allowed = subtopic.getValuesBy().get(label).stream()
                        .map(AttributeValue::getValue)
                        .collect(Collectors.toSet());
                assertThat(allowed)
                        .as("the subtopic is one of its label's")
                        .contains(t.getAttributes().get("subtopic"));
                assertThat(styles).contains(t.getAttributes().get("style"));
            }
            // the three proposal calls (style once, subtopic per label) are paid for and reach the ledger
            PlanStatus last =
                    f.plan.readValuesToList().stream().reduce((a, b) -> b).orElseThrow();
            assertThat(last.getDesignSpend().getCalls()).isEqualTo(3);
            assertThat(last.getDesignSpend().getPromptTokens()).isPositive();
        }
    }

    @Test
    void anUnusableProposalEndsTheRequestInTheDlqWithTheReplyExcerpt() {
        ScriptedProvider provider = new ScriptedProvider().then("I would suggest: sports, more sports", "stop");
        try (GeneratorFixture f = new GeneratorFixture(provider, Map.of())) {
            f.jsonRequests.pipeInput("p-bad", """
                    {"request_id": "p-bad", "dataset": "news",
                     "task": {"kind": "classification", "labels": ["sports", "business"]},
                     "count": 10, "model": {},
                     "attributes": [{"name": "style", "propose": 3}]}
                    """);
            f.pumpUntil(() -> !f.deadLetterLog.isEmpty());
            assertThat(f.deadLetterLog).singleElement().satisfies(letter -> {
                assertThat(letter.getReason()).isEqualTo("proposal_failed");
                assertThat(letter.getRequestId()).isEqualTo("p-bad");
                assertThat(letter.getMessage())
                        .contains("attribute style")
                        .contains("no JSON object")
                        .contains("I would suggest: sports, more sports");
                assertThat(letter.getSpend().getCalls())
                        .as("the unusable reply was paid")
                        .isEqualTo(1);
            });
            assertThat(f.specs.readValuesToList()).isEmpty();
            assertThat(f.conditions.readValuesToList()).isEmpty();
        }
    }
}
