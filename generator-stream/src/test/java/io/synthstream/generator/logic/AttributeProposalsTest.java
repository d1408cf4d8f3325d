package io.synthstream.generator.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.generator.topology.GeneratorProposalsTestRequests;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Proposal and dependency logic, plainly. */
class AttributeProposalsTest {
    private static final GenerationRequest PROPOSING = GeneratorProposalsTestRequests.proposing();
    private static final io.synthstream.common.llm.LlmProvider PROVIDERS =
            new io.synthstream.common.llm.SimulatedProvider(
                    io.synthstream.common.llm.SimulatedProvider.Settings.INSTANT);

    @Test
    void dependentProposalsWaitForTheirParentAndFillPerParentValue() {
        GenerationRequest r = GeneratorProposalsTestRequests.parse("""
                {"request_id": "r", "dataset": "d", "task": {"kind": "instruction"}, "count": 5, "model": {},
                 "attributes": [{"name": "topic", "propose": 2}, {"name": "subtopic", "depends_on": "topic", "propose": 2}]}
                """);
        assertThat(AttributeProposals.pending(r)).containsExactly(new AttributeProposals.Ask("topic", null));
        r = AttributeProposals.fill(r, new AttributeProposals.Ask("topic", null), List.of("rivers", "cities"), "m");
        assertThat(AttributeProposals.pending(r))
                .containsExactly(
                        new AttributeProposals.Ask("subtopic", "rivers"),
                        new AttributeProposals.Ask("subtopic", "cities"));
        r = AttributeProposals.fill(
                r, new AttributeProposals.Ask("subtopic", "rivers"), List.of("deltas", "floods"), "m");
        assertThat(AttributeProposals.needed(r)).isTrue();
        r = AttributeProposals.fill(
                r, new AttributeProposals.Ask("subtopic", "cities"), List.of("parks", "metros"), "m");
        assertThat(AttributeProposals.needed(r)).isFalse();
        assertThat(RequestValidator.problems(r, 0, new RequestValidator.Limits(100, Long.MAX_VALUE)))
                .isEmpty();
        assertThat(AttributeProposals.parseCallId(
                        AttributeProposals.callId("r", new AttributeProposals.Ask("subtopic", "cities"))))
                .isEqualTo(Map.entry("r", new AttributeProposals.Ask("subtopic", "cities")));
    }

    @Test
    void repliesWithoutTwoDistinctValuesAreUnusable() throws Exception {
        assertThat(AttributeProposals.values("{\"values\": [\"A\", \"a\", \" b \", \"\", \"c\", \"d\"]}", 3))
                .containsExactly("A", "b", "c");
        assertThatThrownBy(() -> AttributeProposals.values("no json here", 3))
                .hasMessageContaining("no JSON object")
                .hasMessageContaining("no json here");
        assertThatThrownBy(() -> AttributeProposals.values("{\"values\": [\"same\", \"SAME\"]}", 3))
                .hasMessageContaining("1 usable distinct values");
        assertThatThrownBy(() -> AttributeProposals.values("{\"items\": []}", 3))
                .hasMessageContaining("no \"values\" array");
    }

    @Test
    void theDesignCallAsksForExactlyNValuesOfTheAttributeForItsParentValue() {
        var call = AttributeProposals.call(PROPOSING, new AttributeProposals.Ask("subtopic", "sports"), PROVIDERS);
        assertThat(call.messages().get(1).content())
                .contains("Propose 4 distinct", "'subtopic'", "label is 'sports'", "news headlines");
        assertThat(call.schema()
                        .path("properties")
                        .path("values")
                        .path("minItems")
                        .asInt())
                .isEqualTo(4);
        assertThat(AttributeProposals.call(PROPOSING, new AttributeProposals.Ask("style", null), PROVIDERS)
                        .messages()
                        .get(1)
                        .content())
                .as("the attribute's description tells the model what it means")
                .contains("'style' (how the headline is written)");
    }

    @Test
    void dependentValuesComeFromTheParentValuesListAndTheSamePlanRepeats() {
        GenerationRequest r = GeneratorProposalsTestRequests.parse("""
                {"request_id": "r", "dataset": "d", "task": {"kind": "classification", "labels": ["pos", "neg"]},
                 "count": 50, "seed": 4, "model": {},
                 "attributes": [{"name": "aspect", "depends_on": "label",
                                 "values_by": {"pos": [{"value": "praise"}, {"value": "delight", "weight": 3}],
                                               "neg": [{"value": "defect"}]}}]}
                """);
        assertThat(RequestValidator.problems(r, 0, new RequestValidator.Limits(100, Long.MAX_VALUE)))
                .isEmpty();
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ConditionTuple t = Planner.plan(r, i, null, Instant.EPOCH);
            String aspect = t.getAttributes().get("aspect");
            if (t.getAttributes().get("label").equals("neg")) {
                assertThat(aspect).isEqualTo("defect");
            } else {
                assertThat(aspect).isIn("praise", "delight");
            }
            first.add(t.getAttributes().toString());
            second.add(Planner.plan(r, i, null, Instant.EPOCH).getAttributes().toString());
        }
        assertThat(first).isEqualTo(second);
    }

    @Test
    void validationRefusesCyclesUnknownParentsAndForeignKeys() {
        List<String> cycle = RequestValidator.problems(
                GeneratorProposalsTestRequests.parse("""
                        {"request_id": "r", "dataset": "d", "task": {"kind": "instruction"}, "count": 5, "model": {},
                         "attributes": [{"name": "a", "depends_on": "b", "values": [{"value": "x"}]},
                                        {"name": "b", "depends_on": "a", "values": [{"value": "y"}]}]}
                        """), 0, new RequestValidator.Limits(100, Long.MAX_VALUE));
        assertThat(cycle).anySatisfy(p -> assertThat(p).contains("cycle: a -> b -> a"));
        assertThat(RequestValidator.problems(
                        GeneratorProposalsTestRequests.parse("""
                                {"request_id": "r", "dataset": "d", "task": {"kind": "instruction"}, "count": 5,
                                 "model": {}, "attributes": [{"name": "ghost", "depends_on": "nothing",
                                 "values": [{"value": "y"}]}]}
                                """), 0, new RequestValidator.Limits(100, Long.MAX_VALUE)))
                .anySatisfy(p -> assertThat(p).contains("ghost.depends_on 'nothing' is no attribute of the request"));
        List<String> other = RequestValidator.problems(
                GeneratorProposalsTestRequests.parse("""
                        {"request_id": "r", "dataset": "d", "task": {"kind": "instruction"}, "count": 5, "model": {},
                         "sampling_mode": "balanced",
                         "attributes": [{"name": "topic", "values": [{"value": "rivers"}]},
                                        {"name": "sub", "depends_on": "topic", "values_by": {"lakes": [{"value": "x"}]}},
                                        {"name": "many", "propose": 99},
                                        {"name": "both", "propose": 3, "values": [{"value": "z"}]}]}
                        """), 0, new RequestValidator.Limits(100, Long.MAX_VALUE));
        assertThat(other)
                .anySatisfy(p -> assertThat(p).contains("values_by.lakes: 'lakes' is not a value of topic"))
                .anySatisfy(p -> assertThat(p).contains("balanced does not support dependent attributes"))
                .anySatisfy(p -> assertThat(p).contains("many.propose must be within [2, 50]"))
                .anySatisfy(p -> assertThat(p).contains("both both lists values and asks to propose"));
    }
}
