package io.synthstream.generator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.common.json.AvroJson;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlannerTest {
    static GenerationRequest request(String extra) throws Exception {
        String json = """
                {"request_id": "r", "dataset": "d", "created_at": 0, "count": 1000,
                 "task": {"kind": "classification", "labels": ["pos", "neg"]},
                 "attributes": [{"name": "topic", "values": [{"value": "a", "weight": 3}, {"value": "b", "weight": 1}]},
                                {"name": "size", "values": [{"value": "s"}, {"value": "m"}, {"value": "l"}]}],
                 "seed": 11 %s}
                """.formatted(extra);
        ObjectNode node = (ObjectNode) new ObjectMapper().readTree(json);
        return AvroJson.read(node, GenerationRequest.class);
    }

    @Test
    void theSameIndexGivesTheSameTuple() throws Exception {
        GenerationRequest r = request("");
        for (long i = 0; i < 50; i++) {
            assertThat(Planner.plan(r, i, null, Instant.EPOCH)).isEqualTo(Planner.plan(r, i, null, Instant.EPOCH));
        }
        assertThat(Planner.plan(r, 3, null, Instant.EPOCH).getConditionId()).isEqualTo("r#3");
    }

    @Test
    void weightedSamplingFollowsTheWeights() throws Exception {
        GenerationRequest r = request("");
        int a = 0;
        int n = 4000;
        for (long i = 0; i < n; i++) {
            if ("a"
                    .equals(Planner.plan(r, i, null, Instant.EPOCH)
                            .getAttributes()
                            .get("topic"))) {
                a++;
            }
        }
        assertThat(a / (double) n).isBetween(0.72, 0.78);
    }

    @Test
    void balancedModeCoversEveryCellBeforeRepeating() throws Exception {
        GenerationRequest r = request(", \"sampling_mode\": \"balanced\"");
        int cells = 2 * 3 * 2; // topic x size x implicit label
        for (int cycle = 0; cycle < 3; cycle++) {
            Set<Map<String, String>> seen = new HashSet<>();
            for (int i = 0; i < cells; i++) {
                ConditionTuple t = Planner.plan(r, (long) cycle * cells + i, null, Instant.EPOCH);
                seen.add(new HashMap<>(t.getAttributes()));
            }
            assertThat(seen).as("cycle %d", cycle).hasSize(cells);
        }
    }

    @Test
    void permuteIsABijection() {
        for (long n : new long[] {1, 2, 7, 12, 100, 97}) {
            Set<Long> images = new HashSet<>();
            for (long x = 0; x < n; x++) {
                long y = Planner.permute(x, n, 5);
                assertThat(y).isBetween(0L, n - 1);
                images.add(y);
            }
            assertThat(images).hasSize((int) n);
        }
    }

    @Test
    void explicitConditionsAreCycled() throws Exception {
        GenerationRequest r = request(", \"conditions\": [{\"topic\": \"x\"}, {\"topic\": \"y\"}]");
        assertThat(Planner.plan(r, 0, null, Instant.EPOCH).getAttributes()).containsEntry("topic", "x");
        assertThat(Planner.plan(r, 3, null, Instant.EPOCH).getAttributes()).containsEntry("topic", "y");
    }

    @Test
    void steeringIsRecordedOnATupleOnlyWhenItShapedIt() throws Exception {
        io.synthstream.avro.SteeringUpdate steering = io.synthstream.avro.SteeringUpdate.newBuilder(
                        io.synthstream.schemas.TestRecords.steering())
                .setAttributeWeights(java.util.Map.of("label", java.util.Map.of("pos", 9.0, "neg", 1.0)))
                .setExemplars(List.of())
                .build();
        GenerationRequest weighted = request("");
        GenerationRequest balanced = request(", \"sampling_mode\": \"balanced\"");

        assertThat(Planner.plan(weighted, 0, steering, java.time.Instant.EPOCH).getSteeringVersion())
                .isEqualTo(steering.getVersion());
        assertThat(Planner.plan(balanced, 0, steering, java.time.Instant.EPOCH).getSteeringVersion())
                .as("balanced mode takes no weights")
                .isNull();
        // The implicit label moves with steering: 9:1 towards pos.
        long pos = java.util.stream.LongStream.range(0, 1000)
                .filter(i -> Planner.plan(weighted, i, steering, java.time.Instant.EPOCH)
                        .getAttributes()
                        .get("label")
                        .equals("pos"))
                .count();
        assertThat(pos).isBetween(850L, 950L);
    }

    @Test
    void anotherSeedGivesAnotherPlan() throws Exception {
        GenerationRequest a = request("");
        GenerationRequest b = request("");
        b.setSeed(12);
        List<String> planA = new java.util.ArrayList<>();
        List<String> planB = new java.util.ArrayList<>();
        for (long i = 0; i < 40; i++) {
            planA.add(Planner.plan(a, i, null, java.time.Instant.EPOCH)
                    .getAttributes()
                    .toString());
            planB.add(Planner.plan(b, i, null, java.time.Instant.EPOCH)
                    .getAttributes()
                    .toString());
        }
        assertThat(planA).isNotEqualTo(planB);
    }

    @Test
    void theRequestIdSeedsEveryDerivedId() throws Exception {
        GenerationRequest a = request("");
        GenerationRequest b = request("");
        b.setRequestId("r-other");
        ConditionTuple ta = Planner.plan(a, 3, null, java.time.Instant.EPOCH);
        ConditionTuple tb = Planner.plan(b, 3, null, java.time.Instant.EPOCH);
        assertThat(ta.getConditionId()).isNotEqualTo(tb.getConditionId());
        assertThat(tb.getRequestId()).isEqualTo("r-other");
        assertThat(Ids.sampleId(a.getRequestId(), 3, 0)).isNotEqualTo(Ids.sampleId(b.getRequestId(), 3, 0));
        assertThat(Planner.plan(a, 3, null, java.time.Instant.EPOCH).getConditionId())
                .isEqualTo(ta.getConditionId());
    }
}
