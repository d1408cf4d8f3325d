package io.synthstream.evaluator.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.synthstream.avro.AttributeCoverage;
import io.synthstream.avro.ScoreDistribution;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScoresAndSteeringTest {
    @Test
    void scoreSummaryGivesMeanAndQuantiles() {
        ScoreSummary summary = new ScoreSummary();
        for (double s : new double[] {1, 2, 3, 4, 5}) {
            summary.add(s);
        }
        ScoreDistribution d =
                ScoreSummary.fromBytes(summary.toBytes(), summary.sum()).distribution();

        assertThat(d.getCount()).isEqualTo(5);
        assertThat(d.getMean()).isEqualTo(3.0);
        assertThat(d.getMin()).isEqualTo(1.0);
        assertThat(d.getP50()).isEqualTo(3.0);
        assertThat(d.getMax()).isEqualTo(5.0);
        assertThat(new ScoreSummary().distribution()).isNull();
    }

    @Test
    void entropyIsInBits() {
        assertThat(Coverage.entropyBits(List.of(2L, 2L))).isEqualTo(1.0);
        assertThat(Coverage.entropyBits(List.of(5L, 5L, 5L, 5L))).isEqualTo(2.0);
        assertThat(Coverage.entropyBits(List.of(4L, 0L))).isEqualTo(0.0);
        // p = 3/4, 1/4: -(0.75 log2 0.75 + 0.25 log2 0.25) = 0.811278...
        assertThat(Coverage.entropyBits(List.of(3L, 1L))).isCloseTo(0.8112781244591328, within(1e-12));
    }

    @Test
    void coverageListsDeclaredValuesWithoutSamplesAndCountsCellsBelowTarget() {
        List<AttributeCoverage> coverage = Coverage.of(
                Map.of("topic", Map.of("sports", 5L, "food", 1L)),
                Map.of("topic", Map.of("sports", 1.0, "food", 1.0, "travel", 1.0)),
                3);

        assertThat(coverage).hasSize(1);
        assertThat(coverage.get(0).getCounts())
                .containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of("food", 1L, "sports", 5L, "travel", 0L)));
        assertThat(coverage.get(0).getValuesBelowTarget()).isEqualTo(2);
    }

    @Test
    void adherenceChecksMentionsLengthClassAndLabel() {
        Map<String, String> fields = Map.of("text", "Our team played football all weekend.", "label", "positive");

        assertThat(ConditionAdherence.score(Map.of("topic", "football"), fields, fields.get("text")))
                .isEqualTo(1.0);
        assertThat(ConditionAdherence.score(Map.of("topic", "cooking"), fields, fields.get("text")))
                .isEqualTo(0.0);
        assertThat(ConditionAdherence.score(
                        Map.of("topic", "sports teams", "length", "short", "label", "negative"),
                        fields,
                        fields.get("text")))
                .isCloseTo(1 / 3.0, within(1e-12)); // "teams" ~ "team" passes, short passes, label fails... see below
        assertThat(ConditionAdherence.checks(
                        Map.of("topic", "sports teams", "length", "short", "label", "negative"),
                        fields,
                        fields.get("text")))
                .extracting(ConditionAdherence.Check::kind, ConditionAdherence.Check::passed)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("label", false),
                        org.assertj.core.groups.Tuple.tuple("length", true),
                        org.assertj.core.groups.Tuple.tuple("mention", false));
        assertThat(ConditionAdherence.score(Map.of("code", "x1"), fields, fields.get("text")))
                .isNull();
    }

    @Test
    void adherenceFollowsTheChecksARequestDeclares() {
        Map<String, String> fields = Map.of("text", "Our team played football all weekend.");
        Map<String, String> attributes = Map.of("difficulty", "intermediate", "style", "short", "topic", "football");

        // Inferred: "difficulty" must be mentioned (fails), "style" too (fails), topic passes.
        assertThat(ConditionAdherence.score(attributes, fields, fields.get("text")))
                .isCloseTo(1 / 3.0, within(1e-12));
        // Declared: difficulty is not checkable, style is a length class (6 words: short).
        assertThat(ConditionAdherence.checks(
                        attributes, Map.of("difficulty", "none", "style", "length"), fields, fields.get("text")))
                .extracting(ConditionAdherence.Check::attribute, ConditionAdherence.Check::kind)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("style", "length"),
                        org.assertj.core.groups.Tuple.tuple("topic", "mention"));
        assertThat(ConditionAdherence.score(
                        attributes, Map.of("difficulty", "none", "style", "length"), fields, fields.get("text")))
                .isEqualTo(1.0);
    }

    @Test
    void steeringBoostsAStarvedValueAndDampsALowYieldOne() {
        Map<String, Map<String, Double>> declared = Map.of("topic", Map.of("a", 1.0, "b", 1.0, "c", 1.0));
        Map<String, Map<String, Long>> curated = Map.of("topic", Map.of("a", 90L, "b", 5L, "c", 30L));
        Map<String, Map<String, Long>> rejected = Map.of("topic", Map.of("c", 200L));

        SteeringPolicy.Result result = SteeringPolicy.compute(declared, curated, rejected, null, 0.3);
        Map<String, Double> w = result.weights().get("topic");

        assertThat(w.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-5));
        assertThat(w.get("b")).isGreaterThan(w.get("a")); // starved: 5 of 125 curated vs a third wanted
        assertThat(w.get("b")).isGreaterThan(1 / 3.0);
        assertThat(w.get("c")).isLessThan(w.get("a") * 1.5); // yield 31/232 < 0.3: damped
        assertThat(result.reason()).contains("topic=b under-covered").contains("topic=c low yield");
        assertThat(SteeringPolicy.compute(declared, curated, rejected, null, 0.3))
                .isEqualTo(result);
    }

    @Test
    void steeringFollowsTheRequestWeightsUnlessATargetPerCellIsSet() {
        Map<String, Map<String, Double>> declared = Map.of("tone", Map.of("common", 0.9, "rare", 0.1));
        Map<String, Map<String, Long>> curated = Map.of("tone", Map.of("common", 90L, "rare", 10L));

        Map<String, Double> asRequested = SteeringPolicy.compute(declared, curated, Map.of(), null, 0.3)
                .weights()
                .get("tone");
        Map<String, Double> withTarget = SteeringPolicy.compute(declared, curated, Map.of(), 50, 0.3)
                .weights()
                .get("tone");

        assertThat(asRequested.get("rare")).isCloseTo(0.1, within(0.01)); // on target: unchanged
        assertThat(withTarget.get("rare")).isGreaterThan(0.6); // every cell wants 50: rare is starved
    }
}
