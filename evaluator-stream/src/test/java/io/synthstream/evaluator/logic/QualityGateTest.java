package io.synthstream.evaluator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.FaithfulnessScore;
import io.synthstream.avro.QualitySettings;
import io.synthstream.common.quality.QualityPolicy;
import io.synthstream.schemas.TestRecords;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QualityGateTest {
    private static QualityPolicy policy(QualitySettings.Builder settings) {
        var spec = TestRecords.request("r-1");
        spec.setQuality(settings.build());
        assertThat(QualityPolicy.problems(spec)).isEmpty();
        return QualityPolicy.of(spec);
    }

    private static FaithfulnessScore judged(double score) {
        return FaithfulnessScore.newBuilder()
                .setStatus(Scoring.JUDGED)
                .setScore(score)
                .build();
    }

    private static QualityGate.Scores scores(FaithfulnessScore f, Double adherence, Neighbours.Vote vote) {
        return new QualityGate.Scores(f, adherence, vote == null ? null : vote.consistency(), 0.3, vote, "positive");
    }

    @Test
    void shouldPassRejectReviewOrFlagByTheConfiguredAction() {
        var settings = QualitySettings.newBuilder().setMinJudgeScore(3.0).setMinAdherence(0.5);
        assertThat(QualityGate.decide(policy(settings), scores(judged(4), 1.0, null))
                        .decision())
                .isEqualTo(QualityGate.PASS);
        QualityGate.Decision rejected = QualityGate.decide(policy(settings), scores(judged(2), 0.0, null));
        assertThat(rejected.decision()).isEqualTo(QualityGate.REJECT);
        assertThat(rejected.reasons()).containsExactly(QualityGate.JUDGE_SCORE, QualityGate.ADHERENCE);

        settings.setAction("review");
        assertThat(QualityGate.decide(policy(settings), scores(judged(2), 1.0, null))
                        .decision())
                .isEqualTo(QualityGate.REVIEW);
        settings.setAction("keep");
        QualityGate.Decision kept = QualityGate.decide(policy(settings), scores(judged(2), 1.0, null));
        assertThat(kept.decision()).isEqualTo(QualityGate.PASS);
        assertThat(kept.flags()).containsExactly(QualityGate.JUDGE_SCORE);
    }

    @Test
    void shouldNeverLetAnUnjudgedSamplePassSilently() {
        FaithfulnessScore unjudged =
                FaithfulnessScore.newBuilder().setStatus(Scoring.UNJUDGED).build();
        var settings = QualitySettings.newBuilder().setMinJudgeScore(3.0);
        assertThat(QualityGate.decide(policy(settings), scores(unjudged, null, null))
                        .reasons())
                .containsExactly(QualityGate.JUDGE_FAILED);
        settings.setOnJudgeFailure("keep");
        assertThat(QualityGate.decide(policy(settings), scores(unjudged, null, null))
                        .flags())
                .containsExactly(QualityGate.JUDGE_FAILED);
    }

    @Test
    void shouldRelabelOnlyOnAConfidentVoteOfEnoughNeighbours() {
        var settings = QualitySettings.newBuilder().setRelabel("relabel").setMinLabelConsistency(0.5);
        Neighbours.Vote confident = new Neighbours.Vote(0.0, "negative", 0.8, 5, Map.of("negative", 4, "neutral", 1));
        QualityGate.Decision relabeled = QualityGate.decide(policy(settings), scores(judged(5), 1.0, confident));
        assertThat(relabeled.decision()).as("consistency reads the new label").isEqualTo(QualityGate.PASS);
        assertThat(relabeled.label()).isEqualTo("negative");
        assertThat(relabeled.labelSource()).isEqualTo(QualityGate.NEIGHBOURS);
        assertThat(relabeled.consistency()).isEqualTo(0.8);

        Neighbours.Vote tooFew = new Neighbours.Vote(0.0, "negative", 1.0, 4, Map.of("negative", 4));
        QualityGate.Decision kept = QualityGate.decide(policy(settings), scores(judged(5), 1.0, tooFew));
        assertThat(kept.label()).isEqualTo("positive");
        assertThat(kept.decision()).as("low consistency, no relabel").isEqualTo(QualityGate.REJECT);

        settings.setRelabel("review");
        QualityGate.Decision review = QualityGate.decide(policy(settings), scores(judged(5), 1.0, confident));
        assertThat(review.decision()).isEqualTo(QualityGate.REJECT); // consistency 0 < 0.5 rejects first
        settings.setMinLabelConsistency(null);
        review = QualityGate.decide(policy(settings), scores(judged(5), 1.0, confident));
        assertThat(review.decision()).isEqualTo(QualityGate.REVIEW);
        assertThat(review.suggestedLabel()).isEqualTo("negative");
    }

    private static FaithfulnessScore judgedWithLabel(double score, String label, double confidence) {
        return FaithfulnessScore.newBuilder(judged(score))
                .setLabel(label)
                .setLabelConfidence(confidence)
                .build();
    }

    @Test
    void shouldRelabelFromAConfidentJudgeBeforeTheNeighbours() {
        var settings = QualitySettings.newBuilder().setRelabel("relabel").setMinLabelConsistency(0.5);
        Neighbours.Vote neutral = new Neighbours.Vote(0.2, "neutral", 0.8, 5, Map.of("neutral", 4, "positive", 1));

        // A sure judge names another label: it wins over the neighbours' majority.
        QualityGate.Decision byJudge =
                QualityGate.decide(policy(settings), scores(judgedWithLabel(5, "negative", 0.9), 1.0, neutral));
        assertThat(byJudge.label()).isEqualTo("negative");
        assertThat(byJudge.labelSource()).isEqualTo(QualityGate.JUDGE);
        assertThat(byJudge.suggestedBy()).isEqualTo(QualityGate.JUDGE);
        assertThat(byJudge.labelConfidence()).isEqualTo(0.9);
        assertThat(byJudge.consistency())
                .as("the neighbours' share of the final label")
                .isEqualTo(0.0);
        assertThat(byJudge.decision()).isEqualTo(QualityGate.REJECT);
        assertThat(byJudge.reasons()).containsExactly(QualityGate.LABEL_CONSISTENCY);

        // A sure judge that agrees settles it: the neighbours do not relabel.
        QualityGate.Decision agreed =
                QualityGate.decide(policy(settings), scores(judgedWithLabel(5, "positive", 0.95), 1.0, neutral));
        assertThat(agreed.label()).isEqualTo("positive");
        assertThat(agreed.relabeled()).isFalse();
        assertThat(agreed.suggestedLabel()).isNull();

        // An unsure judge leaves it to the neighbours.
        QualityGate.Decision unsure =
                QualityGate.decide(policy(settings), scores(judgedWithLabel(5, "negative", 0.6), 1.0, neutral));
        assertThat(unsure.label()).isEqualTo("neutral");
        assertThat(unsure.labelSource()).isEqualTo(QualityGate.NEIGHBOURS);
        assertThat(unsure.decision()).isEqualTo(QualityGate.PASS);

        // relabel=reject acts on the judge's disagreement with its own reason.
        settings.setRelabel("reject").setMinLabelConsistency(null);
        QualityGate.Decision rejected =
                QualityGate.decide(policy(settings), scores(judgedWithLabel(5, "negative", 0.9), 1.0, null));
        assertThat(rejected.decision()).isEqualTo(QualityGate.REJECT);
        assertThat(rejected.reasons()).containsExactly(QualityGate.LABEL_DISAGREEMENT);
        assertThat(rejected.suggestedLabel()).isEqualTo("negative");
        assertThat(rejected.label()).isEqualTo("positive");
    }

    @Test
    void shouldFlagANeighbourCheckThatCouldNotRun() {
        var settings = QualitySettings.newBuilder().setMinNovelty(0.1);
        QualityGate.Decision d = QualityGate.decide(
                policy(settings), new QualityGate.Scores(judged(5), 1.0, null, null, null, "positive"));
        assertThat(d.decision()).isEqualTo(QualityGate.PASS);
        assertThat(d.flags()).containsExactly("novelty_unavailable");
    }

    @Test
    void shouldListEveryProblemOfAQualitySectionAtOnce() {
        var spec = TestRecords.request("r-1");
        spec.getEvaluation().setJudgeEnabled(false);
        spec.setQuality(QualitySettings.newBuilder()
                .setMinJudgeScore(7.0)
                .setAction("drop")
                .setTarget("planned")
                .setMaxPlanned(5L)
                .setRelabelConfidence(0.4)
                .build());
        assertThat(QualityPolicy.problems(spec))
                .anyMatch(p -> p.startsWith("quality.min_judge_score must be within [1, 5]"))
                .anyMatch(p -> p.startsWith("quality.action 'drop' is unknown"))
                .anyMatch(p -> p.startsWith("quality.max_planned applies only to target accepted"))
                .anyMatch(p -> p.startsWith("quality.relabel_confidence"))
                .anyMatch(p -> p.contains("judge_enabled is false"));
    }

    @Test
    void theAuditChoosesTheSameSamplesEveryTimeAtItsRate() {
        QualityPolicy none = policy(QualitySettings.newBuilder());
        QualityPolicy all = policy(QualitySettings.newBuilder().setAuditRate(1.0));
        QualityPolicy fifth = policy(QualitySettings.newBuilder().setAuditRate(0.2));
        int chosen = 0;
        for (int i = 0; i < 20_000; i++) {
            String id = "r-1-" + i;
            assertThat(none.audited(id)).isFalse();
            assertThat(all.audited(id)).isTrue();
            if (fifth.audited(id)) {
                chosen++;
                assertThat(fifth.audited(id)).as("deterministic").isTrue();
            }
        }
        // 20,000 draws at 0.2: the standard deviation of the count is about 57.
        assertThat(chosen).isBetween(4_000 - 300, 4_000 + 300);

        var spec = TestRecords.request("r-1");
        for (double bad : new double[] {-0.1, 1.5, Double.NaN}) {
            spec.setQuality(QualitySettings.newBuilder().setAuditRate(bad).build());
            assertThat(QualityPolicy.problems(spec))
                    .anyMatch(p -> p.startsWith("quality.audit_rate must be within [0, 1], got " + bad));
        }
    }

    @Test
    void anAuditedDecisionIsAReviewForTheAuditAloneAndKeepsTheGatesLabel() {
        QualityGate.Decision gate = QualityGate.decide(
                policy(QualitySettings.newBuilder().setMinJudgeScore(3.0)), scores(judged(2), null, null));
        assertThat(gate.decision()).isEqualTo(QualityGate.REJECT);
        QualityGate.Decision audit = QualityGate.audit(gate);
        assertThat(audit.decision()).isEqualTo(QualityGate.REVIEW);
        assertThat(audit.reasons()).containsExactly(QualityGate.AUDIT);
        assertThat(audit.label()).isEqualTo(gate.label());
        assertThat(audit.flags()).isEqualTo(gate.flags());
    }

    @Test
    void shouldWeighByQualityAndBalance() {
        assertThat(SampleWeights.quality(judged(5), 1.0, 1.0)).isEqualTo(1.0);
        assertThat(SampleWeights.quality(judged(1), 0.0, null)).isEqualTo(SampleWeights.FLOOR);
        assertThat(SampleWeights.quality(null, null, null)).isEqualTo(1.0);
        assertThat(SampleWeights.provisionalBalance(0.5, 0.25)).isEqualTo(1.0);
        assertThat(SampleWeights.provisionalBalance(0.25, 0.5)).isEqualTo(0.5);
        assertThat(SampleWeights.balance(java.util.Map.of("a", 30L, "b", 10L), java.util.Map.of("a", 0.5, "b", 0.5)))
                .containsEntry("b", 1.0)
                .containsEntry("a", 1.0 / 3);
    }

    @Test
    void relabelConfidenceAndMinNeighboursDecideWhetherAVoteRelabels() {
        Neighbours.Vote vote = new Neighbours.Vote(0.0, "negative", 0.8, 5, Map.of("negative", 4, "neutral", 1));
        var settings = QualitySettings.newBuilder().setRelabel("relabel").setMinLabelConsistency(0.5);
        assertThat(QualityGate.decide(policy(settings), scores(judged(5), 1.0, vote))
                        .label())
                .isEqualTo("negative");
        settings.setRelabelConfidence(0.9);
        assertThat(QualityGate.decide(policy(settings), scores(judged(5), 1.0, vote))
                        .label())
                .as("a vote of 0.8 is below a relabel_confidence of 0.9")
                .isEqualTo("positive");
        settings.setRelabelConfidence(0.8).setRelabelMinNeighbours(6);
        assertThat(QualityGate.decide(policy(settings), scores(judged(5), 1.0, vote))
                        .label())
                .as("5 neighbours are fewer than relabel_min_neighbours 6")
                .isEqualTo("positive");
    }

    @Test
    void theWeightsSchemeOfARequestSetsTheAcceptedSamplesWeight() {
        java.util.Map<String, Double> expected =
                java.util.Map.of("none", 1.0, "quality", 0.6, "balance", 0.5, "both", 0.3);
        expected.forEach((scheme, weight) -> {
            QualityPolicy policy = policy(QualitySettings.newBuilder().setWeights(scheme));
            QualityGate.Decision pass = QualityGate.decide(policy, scores(judged(5), 1.0, null));
            var verdict = GateRecords.verdict(pass, policy, "positive", 0.6, 0.5);
            assertThat(verdict.getWeight()).as(scheme).isCloseTo(weight, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(verdict.getWeightScheme()).isEqualTo(scheme);
            assertThat(verdict.getWeightProvisional()).isEqualTo(scheme.equals("balance") || scheme.equals("both"));
        });
    }
}
