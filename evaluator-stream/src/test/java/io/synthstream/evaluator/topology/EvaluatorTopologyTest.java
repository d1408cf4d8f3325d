package io.synthstream.evaluator.topology;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.AuditCounts;
import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.EvaluationSettings;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.QualitySettings;
import io.synthstream.avro.RejectionReason;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.avro.Sample;
import io.synthstream.avro.ScoredSample;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.common.dlq.DeadLetterReason;
import io.synthstream.common.llm.LlmFailure;
import io.synthstream.common.llm.SimulatedProvider;
import io.synthstream.common.testing.TopologyTestSupport;
import io.synthstream.common.topics.Topics;
import io.synthstream.evaluator.config.EvaluatorConfig;
import io.synthstream.evaluator.logic.QualityGate;
import io.synthstream.evaluator.processor.EvaluatorProcessors;
import io.synthstream.schemas.TestRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluatorTopologyTest {
    private static final String TEXT = "A gripping read about books from start to finish.";

    private static EvaluatorFixture simulated(Map<String, Object> overrides) {
        return new EvaluatorFixture(new SimulatedProvider(SimulatedProvider.Settings.INSTANT), overrides);
    }

    @Test
    void shouldScoreACuratedSampleWithTheJudgeAdherenceAndNoNeighboursYet() {
        try (EvaluatorFixture f = simulated(Map.of())) {
            f.specs.pipeInput("r-1", Samples.spec("r-1", 10));
            f.curated.pipeInput("s-1", Samples.sample("r-1", "s-1", "books", "positive", TEXT));

            f.pumpUntil(() -> f.scoredLog.size() == 1);
            ScoredSample scored = f.scoredLog.get(0);

            assertThat(scored.getSample().getSampleId()).isEqualTo("s-1");
            assertThat(scored.getFaithfulness().getStatus()).isEqualTo("judged");
            assertThat(scored.getFaithfulness().getScore()).isBetween(1.0, 5.0);
            assertThat(scored.getFaithfulness().getRationale()).isNotBlank();
            assertThat(scored.getFaithfulness().getJudgeModel()).isEqualTo(SimulatedProvider.MODEL);
            assertThat(scored.getFaithfulness().getRubricVersion()).isEqualTo("default-classification-v2");
            assertThat(scored.getConditionAdherence()).isEqualTo(1.0); // mentions books, label matches
            assertThat(scored.getNovelty()).isNull(); // nothing earlier in the dataset
            assertThat(scored.getLabelConsistency()).isNull();
            f.pumpUntil(() -> !f.statusLog.isEmpty() && f.lastStatus().getJudged() == 1);
            assertThat(f.lastStatus().getCurated()).isEqualTo(1);
            assertThat(f.lastStatus().getPromptTokens()).isPositive();
        }
    }

    @Test
    void shouldScoreNeighboursAgainstEarlierSamplesOfTheDataset() {
        try (EvaluatorFixture f = simulated(Map.of(EvaluatorConfig.KNN_K.key(), 3))) {
            f.specs.pipeInput("r-1", Samples.spec("r-1", 10));
            for (int i = 0; i < 3; i++) {
                f.curated.pipeInput("p-" + i, Samples.sample("r-1", "p-" + i, "books", "positive", TEXT));
            }
            f.pumpUntil(() -> f.scoredLog.size() == 3);
            // Same text, other label: its three nearest neighbours all disagree; it is no novelty.
            f.curated.pipeInput("n-1", Samples.sample("r-1", "n-1", "books", "negative", TEXT));
            f.curated.pipeInput(
                    "x-1",
                    Samples.sample(
                            "r-1", "x-1", "garden", "positive", "Quarterly tax filing deadlines for small companies."));
            f.pumpUntil(() -> f.scoredLog.size() == 5);

            ScoredSample copy = f.scoredLog.get(3);
            ScoredSample other = f.scoredLog.get(4);
            assertThat(f.scoredLog.get(1).getLabelConsistency()).isEqualTo(1.0);
            assertThat(copy.getLabelConsistency()).isEqualTo(0.0);
            assertThat(copy.getNovelty()).isLessThan(1e-5);
            assertThat(other.getNovelty()).isGreaterThan(0.3);
        }
    }

    @Test
    void theRequestsKnnKDecidesHowManyNeighboursVote() {
        java.util.function.IntFunction<Double> consistencyWithK = k -> {
            try (EvaluatorFixture f = simulated(Map.of(EvaluatorConfig.KNN_K.key(), 3))) {
                var spec = Samples.spec("r-1", 10);
                spec.setEvaluation(io.synthstream.avro.EvaluationSettings.newBuilder()
                        .setKnnK(k)
                        .build());
                f.specs.pipeInput("r-1", spec);
                for (int i = 0; i < 4; i++) {
                    f.curated.pipeInput("n-" + i, Samples.sample("r-1", "n-" + i, "books", "negative", TEXT));
                }
                f.curated.pipeInput(
                        "p-0",
                        Samples.sample(
                                "r-1", "p-0", "garden", "positive", "Quarterly tax filing deadlines for small firms."));
                f.pumpUntil(() -> f.scoredLog.size() == 5);
                f.curated.pipeInput("probe", Samples.sample("r-1", "probe", "books", "positive", TEXT));
                f.pumpUntil(() -> f.scoredLog.size() == 6);
                return f.scoredLog.get(5).getLabelConsistency();
            }
        };
        assertThat(consistencyWithK.apply(1))
                .as("k=1: the one nearest neighbour disagrees")
                .isEqualTo(0.0);
        assertThat(consistencyWithK.apply(5))
                .as("k=5: the positive sample votes too, whatever the app's evaluator.knn.k")
                .isGreaterThan(0.0);
    }

    @Test
    void shouldTakeEmbeddingsFromAnOpenAiCompatibleEndpointWhenConfigured() {
        try (io.synthstream.local.FakeOpenAiServer server = io.synthstream.local.FakeOpenAiServer.start(
                        io.synthstream.local.FakeOpenAiServer.Settings.instant(), 0);
                EvaluatorFixture f = simulated(Map.of(
                        EvaluatorConfig.EMBEDDINGS.key(),
                        "openai",
                        EvaluatorConfig.EMBEDDINGS_BASE_URL.key(),
                        server.baseUrl()))) {
            f.specs.pipeInput("r-1", Samples.spec("r-1", 10));
            f.curated.pipeInput("s-1", Samples.sample("r-1", "s-1", "books", "positive", TEXT));
            f.curated.pipeInput("s-2", Samples.sample("r-1", "s-2", "books", "positive", TEXT));

            f.pumpUntil(() -> f.scoredLog.size() == 2);

            assertThat(f.scoredLog.get(1).getNovelty()).isLessThan(1e-5); // same text, same vector
            assertThat(f.scoredLog.get(1).getLabelConsistency()).isEqualTo(1.0);
        }
    }

    @Test
    void shouldScoreTheSampleWithoutNeighboursWhenTheEmbeddingFails() {
        try (EvaluatorFixture f = simulated(Map.of(
                EvaluatorConfig.EMBEDDINGS.key(),
                "openai",
                EvaluatorConfig.EMBEDDINGS_BASE_URL.key(),
                "http://127.0.0.1:1/v1"))) {
            f.specs.pipeInput("r-1", Samples.spec("r-1", 10));
            f.curated.pipeInput("s-1", Samples.sample("r-1", "s-1", "books", "positive", TEXT));
            f.curated.pipeInput("s-2", Samples.sample("r-1", "s-2", "books", "positive", TEXT));

            f.pumpUntil(() -> f.scoredLog.size() == 2);

            assertThat(f.scoredLog).allSatisfy(s -> {
                assertThat(s.getNovelty()).isNull(); // no vector: no neighbour scores, sample not lost
                assertThat(s.getFaithfulness().getStatus()).isEqualTo("judged");
            });
        }
    }

    @Test
    void shouldPublishTheSampleUnjudgedWhenTheJudgeFailsAndDeadLetterWhy() {
        FixedProvider judge = FixedProvider.failing(LlmFailure.Kind.AUTH);
        try (EvaluatorFixture f = new EvaluatorFixture(judge, Map.of())) {
            f.specs.pipeInput("r-1", Samples.spec("r-1", 1));
            f.planned("r-1", 1);
            f.curated.pipeInput("s-1", Samples.sample("r-1", "s-1", "books", "positive", TEXT));

            f.pumpUntil(() -> f.scoredLog.size() == 1 && !f.deadLetterLog.isEmpty());

            assertThat(f.scoredLog.get(0).getFaithfulness().getStatus()).isEqualTo("unjudged");
            assertThat(f.scoredLog.get(0).getFaithfulness().getScore()).isNull();
            DeadLetter letter = f.deadLetterLog.get(0);
            assertThat(letter.getStage()).isEqualTo(EvaluatorProcessors.SCORE_STAGE);
            assertThat(letter.getReason()).isEqualTo("llm_auth");
            assertThat(letter.getSamples()).isZero(); // the sample is not lost: it was scored
            assertThat(letter.getSampleId()).isEqualTo("s-1");
            f.pumpUntil(() -> !f.statusLog.isEmpty());
            assertThat(f.lastStatus().getComplete()).isTrue();
            assertThat(f.lastStatus().getJudged()).isZero();
            assertThat(f.lastStatus().getFailed()).isZero();
        }
    }

    @Test
    void shouldDeadLetterAnUnreadableVerdictWithTheRawReply() {
        try (EvaluatorFixture f = new EvaluatorFixture(FixedProvider.replying("Looks fine to me."), Map.of())) {
            f.specs.pipeInput("r-1", Samples.spec("r-1", 1));
            f.curated.pipeInput("s-1", Samples.sample("r-1", "s-1", "books", "positive", TEXT));

            f.pumpUntil(() -> f.scoredLog.size() == 1 && !f.deadLetterLog.isEmpty());

            assertThat(f.scoredLog.get(0).getFaithfulness().getStatus()).isEqualTo("unjudged");
            assertThat(f.deadLetterLog.get(0).getReason()).isEqualTo(DeadLetterReason.UNREADABLE_VERDICT.code());
            assertThat(StandardCharsets.UTF_8
                            .decode(f.deadLetterLog.get(0).getOriginalValue())
                            .toString())
                    .isEqualTo("Looks fine to me.");
        }
    }

    @Test
    void shouldReadAVerdictWithAStringScoreAndRecordTheCustomRubric() {
        FixedProvider judge = FixedProvider.replying("```json\n{\"score\": \"4\", \"rationale\": \"Clear.\"}\n```");
        try (EvaluatorFixture f = new EvaluatorFixture(judge, Map.of())) {
            GenerationRequest spec = Samples.spec("r-1", 1);
            spec.setEvaluation(EvaluationSettings.newBuilder()
                    .setJudgeRubric("Is it about books?")
                    .build());
            f.specs.pipeInput("r-1", spec);
            f.curated.pipeInput("s-1", Samples.sample("r-1", "s-1", "books", "positive", TEXT));

            f.pumpUntil(() -> f.scoredLog.size() == 1);

            assertThat(f.scoredLog.get(0).getFaithfulness().getScore()).isEqualTo(4.0);
            assertThat(f.scoredLog.get(0).getFaithfulness().getRationale()).isEqualTo("Clear.");
            assertThat(f.scoredLog.get(0).getFaithfulness().getRubricVersion()).startsWith("custom-");
        }
    }

    @Test
    void shouldSkipTheJudgeWhenTheRequestTurnsItOff() {
        FixedProvider judge = FixedProvider.replying("{\"score\": 5}");
        try (EvaluatorFixture f = new EvaluatorFixture(judge, Map.of(EvaluatorConfig.EMBEDDINGS.key(), "none"))) {
            GenerationRequest spec = Samples.spec("r-1", 1);
            spec.setEvaluation(
                    EvaluationSettings.newBuilder().setJudgeEnabled(false).build());
            f.specs.pipeInput("r-1", spec);
            f.curated.pipeInput("s-1", Samples.sample("r-1", "s-1", "books", "positive", TEXT));

            f.pumpUntil(() -> f.scoredLog.size() == 1);

            assertThat(f.scoredLog.get(0).getFaithfulness().getStatus()).isEqualTo("disabled");
            assertThat(f.scoredLog.get(0).getNovelty()).isNull(); // embeddings off
            assertThat(judge.calls).hasValue(0);
        }
    }

    @Test
    void shouldScoreASampleWhoseSpecNeverArrivesUnjudged() {
        try (EvaluatorFixture f = simulated(Map.of(EvaluatorConfig.SPEC_WAIT_MS.key(), 0L))) {
            f.curated.pipeInput("s-1", Samples.sample("r-404", "s-1", "books", "positive", TEXT));

            f.pumpUntil(() -> f.scoredLog.size() == 1 && !f.deadLetterLog.isEmpty());

            assertThat(f.scoredLog.get(0).getFaithfulness().getStatus()).isEqualTo("unjudged");
            assertThat(f.deadLetterLog.get(0).getReason()).isEqualTo(DeadLetterReason.UNKNOWN_SPEC.code());
            assertThat(f.deadLetterLog.get(0).getSamples()).isZero();
        }
    }

    @Test
    void shouldWaitForALateSpecAndThenJudge() {
        try (EvaluatorFixture f = simulated(Map.of())) {
            f.curated.pipeInput("s-1", Samples.sample("r-1", "s-1", "books", "positive", TEXT));
            f.report();
            assertThat(f.scoredLog).isEmpty();

            f.specs.pipeInput("r-1", Samples.spec("r-1", 1));
            f.pumpUntil(() -> f.scoredLog.size() == 1);

            assertThat(f.scoredLog.get(0).getFaithfulness().getStatus()).isEqualTo("judged");
        }
    }

    private static double queueGauge(EvaluatorFixture f, String dataset) {
        var gauge = f.meters
                .find("synth.evaluator.review.queue")
                .tags("dataset", dataset)
                .gauge();
        return gauge == null ? -1 : gauge.value();
    }

    @Test
    void shouldHoldASampleInReviewUntilOneDecisionAppliesAndRefuseBadOnes() {
        FixedProvider judge = FixedProvider.failing(LlmFailure.Kind.AUTH);
        try (EvaluatorFixture f = new EvaluatorFixture(judge, Map.of(EvaluatorConfig.EMBEDDINGS.key(), "none"))) {
            sendToReview(f, 1);
            f.pumpUntil(() -> !f.reviewLog.isEmpty() && f.lastStatus().getInReview() == 1);
            assertThat(f.reviewLog.get(0).getReasons()).containsExactly(QualityGate.JUDGE_FAILED);
            assertThat(f.lastStatus().getComplete()).isFalse();
            // The queue's size and age reach the metrics at the next deadline check.
            String dataset = f.reviewLog.get(0).getDataset();
            f.pumpUntil(() -> queueGauge(f, dataset) == 1.0);
            assertThat(f.meters
                            .get("synth.evaluator.review.oldest.seconds")
                            .tags("dataset", dataset)
                            .gauge()
                            .value())
                    .isGreaterThanOrEqualTo(0.0);

            f.decisions.pipeInput("s-9", decision("s-9", "accept", null));
            f.decisions.pipeInput("s-1", decision("s-1", "relabel", "purple"));
            f.pumpUntil(() -> f.deadLetterLog.stream()
                            .filter(d -> d.getReason().equals("invalid_decision"))
                            .count()
                    == 2);
            assertThat(f.datasetLog).isEmpty();

            f.decisions.pipeInput("s-1", decision("s-1", "relabel", "negative"));
            f.pumpUntil(() -> f.lastStatus().getComplete() && queueGauge(f, dataset) == 0.0);
            assertThat(f.datasetLog).singleElement().satisfies(d -> {
                assertThat(d.getLabel()).isEqualTo("negative");
                assertThat(d.getOriginalLabel()).isEqualTo("positive");
                assertThat(d.getLabelSource()).isEqualTo(QualityGate.HUMAN);
                assertThat(d.getReviewer()).isEqualTo("ana");
            });
            assertThat(f.lastStatus().getAccepted()).isEqualTo(1);
            assertThat(f.lastStatus().getRelabeledBySource()).containsEntry(QualityGate.HUMAN, 1L);

            ReviewDecision late = decision("s-1", "reject", null);
            late.setReason("late");
            f.decisions.pipeInput("s-1", late);
            f.pumpUntil(() -> f.deadLetterLog.stream()
                            .filter(d -> d.getReason().equals("invalid_decision"))
                            .count()
                    == 3);
            assertThat(f.deadLetterLog.get(f.deadLetterLog.size() - 1).getMessage())
                    .contains("complete");
            assertThat(f.lastStatus().getAccepted()).isEqualTo(1);
        }
    }

    @Test
    void shouldForgetADecidedReviewAfterItsRetention() throws Exception {
        FixedProvider judge = FixedProvider.failing(LlmFailure.Kind.AUTH);
        try (EvaluatorFixture f = new EvaluatorFixture(
                judge,
                Map.of(EvaluatorConfig.EMBEDDINGS.key(), "none", EvaluatorConfig.REVIEW_RETENTION_MS.key(), 1000L))) {
            sendToReview(f, 2);
            f.pumpUntil(() -> !f.reviewLog.isEmpty());
            f.decisions.pipeInput("s-1", decision("s-1", "accept", null));
            f.pumpUntil(() -> f.lastStatus().getAccepted() == 1);

            Thread.sleep(1100); // the retention runs on the processor's (real) clock
            f.report(); // wall-clock time passes: the review punctuator runs
            f.decisions.pipeInput("s-1", decision("s-1", "reject", null));
            f.pumpUntil(
                    () -> f.deadLetterLog.stream().anyMatch(d -> d.getReason().equals("invalid_decision")));
            assertThat(f.deadLetterLog.get(f.deadLetterLog.size() - 1).getMessage())
                    .contains("no sample s-1 is or was in review");
            assertThat(f.lastStatus().getAccepted())
                    .as("the request is not complete; nothing moved")
                    .isEqualTo(1);
        }
    }

    /** Request r-1 of {@code planned} samples whose failed judge sends them to review; s-1 arrives (the judge fails). */
    private static void sendToReview(EvaluatorFixture f, int planned) {
        GenerationRequest spec = Samples.spec("r-1", planned);
        spec.setQuality(QualitySettings.newBuilder()
                .setMinJudgeScore(3.0)
                .setOnJudgeFailure("review")
                .build());
        f.specs.pipeInput("r-1", spec);
        f.planned("r-1", planned);
        f.curated.pipeInput("s-1", Samples.sample("r-1", "s-1", "books", "positive", TEXT));
    }

    @Test
    void aDecisionAsPlainJsonAppliesAndOneThatDoesNotParseIsADeadLetterWithItsReason() {
        FixedProvider judge = FixedProvider.failing(LlmFailure.Kind.AUTH);
        try (EvaluatorFixture f = new EvaluatorFixture(judge, Map.of(EvaluatorConfig.EMBEDDINGS.key(), "none"))) {
            var json = f.driver.createInputTopic(
                    Topics.REVIEW_DECISIONS_JSON.name(),
                    new org.apache.kafka.common.serialization.StringSerializer(),
                    new org.apache.kafka.common.serialization.ByteArraySerializer());
            sendToReview(f, 1);
            f.pumpUntil(() -> f.lastStatus() != null && f.lastStatus().getInReview() == 1);

            json.pipeInput("s-1", "{\"sample_id\": \"s-1\", \"action\": \"relabel\"".getBytes(UTF_8));
            json.pipeInput(
                    "s-1",
                    "{\"sample_id\": \"s-1\", \"action\": \"accept\", \"reviewer\": \"kc\", \"colour\": 1}"
                            .getBytes(UTF_8));
            json.pipeInput("s-1", new byte[] {'{', (byte) 0xC3, '}'});
            f.pumpUntil(() -> f.deadLetterLog.stream()
                            .filter(d -> d.getReason().equals("invalid_decision"))
                            .count()
                    == 3);
            assertThat(f.deadLetterLog)
                    .extracting(DeadLetter::getMessage)
                    .anySatisfy(m -> assertThat(m).contains("not JSON"))
                    .anySatisfy(m -> assertThat(m).contains("colour"))
                    .anySatisfy(m -> assertThat(m).contains("not UTF-8"));
            assertThat(f.lastStatus().getInReview()).isEqualTo(1);
            assertThat(f.datasetLog).isEmpty();

            json.pipeInput(
                    "s-1",
                    "{\"sample_id\": \"s-1\", \"action\": \"relabel\", \"label\": \"negative\", \"reviewer\": \"kc\"}"
                            .getBytes(UTF_8));
            f.pumpUntil(() -> f.lastStatus().getComplete());
            assertThat(f.datasetLog).singleElement().satisfies(d -> {
                assertThat(d.getLabel()).isEqualTo("negative");
                assertThat(d.getReviewer()).isEqualTo("kc");
            });
        }
    }

    @Test
    void aPersonsCorrectionLeadsTheExemplarPoolAndTheReportCountsPromptsThatShowedIt() {
        FixedProvider judge = FixedProvider.failing(LlmFailure.Kind.AUTH); // every sample goes to review
        try (EvaluatorFixture f = new EvaluatorFixture(judge, Map.of(EvaluatorConfig.EMBEDDINGS.key(), "none"))) {
            sendToReview(f, 10);
            for (int i = 2; i <= 6; i++) {
                f.curated.pipeInput("s-" + i, Samples.sample("r-1", "s-" + i, "books", "positive", TEXT + " " + i));
            }
            f.pumpUntil(() -> f.scoredLog.size() == 6 && f.lastStatus().getInReview() == 6);
            f.decisions.pipeInput("s-1", decision("s-1", "relabel", "negative"));
            ReviewDecision reject = decision("s-2", "reject", null);
            reject.setReason("off topic");
            f.decisions.pipeInput("s-2", reject);
            f.pumpUntil(() -> f.lastStatus().getReviewed() == 2);
            assertThat(f.lastStatus().getReviewedByPeople()).isEqualTo(2);
            assertThat(f.lastStatus().getReviewReasons()).containsExactlyEntriesOf(Map.of("off topic", 1L));
            f.report();
            assertThat(f.lastReport().getReviewedByPeople()).isEqualTo(2);
            assertThat(f.lastReport().getReviewReasons()).containsExactlyEntriesOf(Map.of("off topic", 1L));

            SteeringUpdate update = f.steeringLog.get(f.steeringLog.size() - 1);
            assertThat(update.getExemplars())
                    .extracting(e -> e.getId())
                    .contains("s-1")
                    .doesNotContain("s-2");
            assertThat(update.getExemplars())
                    .filteredOn(e -> "s-1".equals(e.getId()))
                    .singleElement()
                    .satisfies(e -> assertThat(e.getFields()).containsEntry("label", "negative"));
            assertThat(f.lastReport().getHumanDemonstrationSamples()).isZero();

            // A later sample whose prompt showed the corrected one as a demonstration is counted.
            Sample later = Samples.sample("r-1", "s-7", "books", "negative", TEXT + " later");
            later.getTrace().setDemonstrationIds(List.of("s-1", "s-3"));
            f.curated.pipeInput("s-7", later);
            Sample other = Samples.sample("r-1", "s-8", "books", "positive", TEXT + " other");
            other.getTrace().setDemonstrationIds(List.of("s-2", "s-3")); // s-2 was rejected: not counted
            f.curated.pipeInput("s-8", other);
            f.pumpUntil(() -> f.scoredLog.size() == 8);
            f.report();
            assertThat(f.lastReport().getHumanDemonstrationSamples()).isEqualTo(1);
        }
    }

    private static ReviewDecision decision(String sampleId, String action, String label) {
        return ReviewDecision.newBuilder()
                .setSampleId(sampleId)
                .setAction(action)
                .setLabel(label)
                .setReviewer("ana")
                .setDecidedAt(java.time.Instant.now())
                .build();
    }

    @Test
    void theAuditSendsTheGatesDecisionsToPeopleBlindAndCountsAgreementAcrossAnOverride() {
        FixedProvider judge = FixedProvider.failing(LlmFailure.Kind.AUTH); // the judge-score check fails
        try (EvaluatorFixture f = new EvaluatorFixture(judge, Map.of(EvaluatorConfig.EMBEDDINGS.key(), "none"))) {
            // r-1: the gate rejects (judge_failed); r-2: no check, the gate passes; both fully audited.
            audited(f, "r-1", 3, "reject", Duration.ofDays(1));
            audited(f, "r-2", 2, "keep", Duration.ofDays(1));
            // r-3 and r-4: audited, nobody decides: at the deadline the gate's decision stands.
            audited(f, "r-3", 1, "reject", Duration.ofMillis(1));
            audited(f, "r-4", 1, "keep", Duration.ofMillis(1));
            f.pumpUntil(() -> status(f, "r-3") != null
                    && status(f, "r-3").getComplete()
                    && status(f, "r-4") != null
                    && status(f, "r-4").getComplete()
                    && status(f, "r-2") != null
                    && status(f, "r-2").getInReview() == 2
                    && status(f, "r-1") != null
                    && status(f, "r-1").getInReview() == 3);

            assertThat(f.scoredLog).allSatisfy(s -> {
                assertThat(s.getQuality().getDecision()).isEqualTo(QualityGate.REVIEW);
                assertThat(s.getQuality().getReasons()).containsExactly(QualityGate.AUDIT);
            });
            ReviewRequest rejectedByGate = review(f, "r-1-s-1");
            assertThat(rejectedByGate.getReasons()).containsExactly(QualityGate.AUDIT);
            assertThat(rejectedByGate.getAudit()).isEqualTo(QualityGate.REJECT);
            assertThat(rejectedByGate.getGateReason()).isEqualTo(QualityGate.JUDGE_FAILED);
            assertThat(rejectedByGate.getTimeoutAction()).isEqualTo("reject");
            assertThat(review(f, "r-2-s-1").getAudit()).isEqualTo(QualityGate.PASS);
            assertThat(review(f, "r-2-s-1").getTimeoutAction()).isEqualTo("accept");

            // Timed out: r-3's sample is rejected for the gate's reason, r-4's accepted by the gate.
            assertThat(status(f, "r-3").getRejectedQualityByReason()).containsEntry(QualityGate.JUDGE_FAILED, 1L);
            assertThat(status(f, "r-3").getAudit().getTimedOut()).isEqualTo(1);
            assertThat(f.datasetLog)
                    .filteredOn(d -> d.getSampleId().equals("r-4-s-1"))
                    .singleElement()
                    .satisfies(d -> assertThat(d.getAcceptedBy()).isEqualTo("gate"));
            assertThat(status(f, "r-4").getAudit().getSent()).isEqualTo(1);

            f.decisions.pipeInput("r-1-s-1", rejecting("r-1-s-1")); // agrees with the gate
            f.decisions.pipeInput("r-1-s-2", decision("r-1-s-2", "accept", null)); // disagrees...
            f.decisions.pipeInput("r-1-s-2", rejecting("r-1-s-2")); // ...until overridden: agrees
            f.decisions.pipeInput("r-2-s-1", decision("r-2-s-1", "relabel", "negative")); // agrees
            f.decisions.pipeInput("r-2-s-2", rejecting("r-2-s-2")); // disagrees
            f.pumpUntil(() -> status(f, "r-2").getComplete() && status(f, "r-1").getReviewedByPeople() == 3);
            AuditCounts r1 = status(f, "r-1").getAudit();
            assertThat(r1.getSent()).isEqualTo(3);
            assertThat(r1.getRejectRejected()).isEqualTo(2);
            assertThat(r1.getRejectAccepted())
                    .as("the override moved r-1-s-2 out")
                    .isZero();
            AuditCounts r2 = status(f, "r-2").getAudit();
            assertThat(List.of(r2.getPassAccepted(), r2.getPassRejected())).containsExactly(1L, 1L);

            f.decisions.pipeInput("r-1-s-3", decision("r-1-s-3", "accept", null)); // disagrees
            f.pumpUntil(() -> status(f, "r-1").getComplete());
            assertThat(status(f, "r-1").getAccepted())
                    .as("a person's accept admits what the gate rejected")
                    .isEqualTo(1);
            f.report();
            AuditCounts all = f.lastReport().getAudit();
            assertThat(List.of(
                            all.getSent(),
                            all.getPassAccepted(),
                            all.getPassRejected(),
                            all.getRejectAccepted(),
                            all.getRejectRejected(),
                            all.getTimedOut()))
                    .containsExactly(7L, 1L, 1L, 1L, 2L, 2L);
        }
    }

    /** A request of {@code planned} samples, every one audited; {@code onJudgeFailure} is what the gate decides. */
    private static void audited(EvaluatorFixture f, String id, int planned, String onJudgeFailure, Duration timeout) {
        GenerationRequest spec = Samples.spec(id, planned);
        spec.setQuality(QualitySettings.newBuilder()
                .setMinJudgeScore(3.0)
                .setOnJudgeFailure(onJudgeFailure)
                .setAuditRate(1.0)
                .setReviewTimeoutMs(timeout.toMillis())
                .build());
        f.specs.pipeInput(id, spec);
        f.planned(id, planned);
        for (int i = 1; i <= planned; i++) {
            String sampleId = id + "-s-" + i;
            f.curated.pipeInput(sampleId, Samples.sample(id, sampleId, "books", "positive", TEXT + " " + sampleId));
        }
    }

    private static RequestStatus status(EvaluatorFixture f, String requestId) {
        RequestStatus last = null;
        for (RequestStatus s : f.statusLog) {
            if (s.getRequestId().equals(requestId)) {
                last = s;
            }
        }
        return last;
    }

    private static ReviewRequest review(EvaluatorFixture f, String sampleId) {
        return f.reviewLog.stream()
                .filter(r -> r.getSampleId().equals(sampleId))
                .findFirst()
                .orElseThrow();
    }

    private static ReviewDecision rejecting(String sampleId) {
        ReviewDecision reject = decision(sampleId, "reject", null);
        reject.setReason("not what was asked");
        return reject;
    }

    @Test
    void shouldCompleteTheLedgerExactlyWhenEverySampleIsAccountedFor() {
        try (EvaluatorFixture f = simulated(Map.of(EvaluatorConfig.EMBEDDINGS.key(), "none"))) {
            f.specs.pipeInput("r-1", Samples.spec("r-1", 4));
            f.planned("r-1", 4);
            for (int i = 0; i < 3; i++) {
                f.raw.pipeInput("s-" + i, Samples.sample("r-1", "s-" + i, "books", "positive", TEXT + i));
            }
            f.curated.pipeInput("s-0", Samples.sample("r-1", "s-0", "books", "positive", TEXT));
            f.curated.pipeInput("s-1", Samples.sample("r-1", "s-1", "phones", "positive", TEXT));
            f.rejected.pipeInput("s-2", Samples.rejection("r-1", "s-2", "garden", RejectionReason.NEAR_DUPLICATE));
            f.pumpUntil(() -> f.statusLog.stream()
                            .mapToLong(RequestStatus::getJudged)
                            .max()
                            .orElse(0)
                    == 2);
            assertThat(f.statusLog).noneMatch(RequestStatus::getComplete);

            DeadLetter failed = TestRecords.deadLetter();
            failed.setRequestId("r-1");
            failed.setSamples(1);
            DeadLetter noRequest = TestRecords.deadLetter();
            noRequest.setRequestId(null);
            noRequest.setSamples(0);
            f.dlqIn.pipeInput(new byte[] {1}, noRequest);
            f.dlqIn.pipeInput(new byte[] {2}, failed);
            f.pumpUntil(() -> f.lastStatus().getComplete());

            RequestStatus done = f.lastStatus();
            assertThat(done.getRequested()).isEqualTo(4);
            assertThat(done.getGenerated()).isEqualTo(3);
            assertThat(done.getCurated()).isEqualTo(2);
            assertThat(done.getRejected()).isEqualTo(1);
            assertThat(done.getRejectedByReason()).containsExactlyEntriesOf(Map.of("NEAR_DUPLICATE", 1L));
            assertThat(done.getFailed()).isEqualTo(1);
            assertThat(done.getJudged()).isEqualTo(2);
            assertThat(done.getPromptTokens()).isGreaterThan(3 * 120); // generation plus judging
            assertThat(f.statusLog.stream().filter(RequestStatus::getComplete)).hasSize(1);
        }
    }

    @Test
    void shouldLearnRequestedFromASpecThatArrivesAfterTheSamples() {
        try (EvaluatorFixture f = simulated(Map.of(EvaluatorConfig.EMBEDDINGS.key(), "none"))) {
            f.rejected.pipeInput("s-1", Samples.rejection("r-1", "s-1", "books", RejectionReason.LENGTH));
            f.collect();
            assertThat(f.lastStatus().getRequested()).isZero();
            assertThat(f.lastStatus().getComplete()).isFalse();

            f.specs.pipeInput("r-1", Samples.spec("r-1", 1));
            f.planned("r-1", 1);
            f.pumpUntil(() -> f.lastStatus().getComplete());

            assertThat(f.lastStatus().getRequested()).isEqualTo(1);
        }
    }

    @Test
    void shouldReportDiversityCoverageFaithfulnessAndTotalsPerDataset(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        Path prices =
                java.nio.file.Files.writeString(dir.resolve("prices.csv"), SimulatedProvider.MODEL + ",1.0,2.0\n");
        try (EvaluatorFixture f = simulated(Map.of(
                EvaluatorConfig.RECENT_SIZE.key(),
                4,
                io.synthstream.common.llm.LlmSettings.PRICES.key(),
                prices.toString()))) {
            f.specs.pipeInput("r-1", Samples.spec("r-1", 6));
            f.planned("r-1", 6);
            String[] texts = {
                "The new phone has a bright screen and a long battery life.",
                "My garden roses bloomed early this spring after the rain.",
                "This novel about books and libraries kept me reading all night.",
                "The phone camera is sharp but the case feels cheap.",
                "Tomatoes in the garden need water every single morning."
            };
            String[] topics = {"phones", "garden", "books", "phones", "garden"};
            for (int i = 0; i < texts.length; i++) {
                f.raw.pipeInput("s-" + i, Samples.sample("r-1", "s-" + i, topics[i], "positive", texts[i]));
                f.curated.pipeInput("s-" + i, Samples.sample("r-1", "s-" + i, topics[i], "positive", texts[i]));
            }
            f.rejected.pipeInput("s-5", Samples.rejection("r-1", "s-5", "books", RejectionReason.REFUSAL));
            f.pumpUntil(() -> f.scoredLog.size() == 5
                    && !f.statusLog.isEmpty()
                    && f.lastStatus().getComplete());
            f.report();

            DatasetReport report = f.lastReport();
            assertThat(report.getDataset()).isEqualTo("sentiment");
            assertThat(report.getCumulative().getSamples()).isEqualTo(5);
            assertThat(report.getCumulative().getDistinct1()).isBetween(0.5, 1.0);
            assertThat(report.getCumulative().getDistinct3())
                    .isGreaterThan(report.getCumulative().getDistinct1());
            assertThat(report.getCumulative().getCompressionRatio()).isPositive();
            assertThat(report.getCumulative().getSelfBleu()).isBetween(0.0, 1.0);
            assertThat(report.getCumulative().getMeanPairwiseCosine()).isBetween(-1.0, 1.0);
            assertThat(report.getCumulative().getVendiScore()).isBetween(1.0, 5.0);
            assertThat(report.getRecent().getSamples()).isEqualTo(4);
            // The implicit label dimension of a classification request is declared too (these samples carry none).
            assertThat(report.getCoverage()).extracting(c -> c.getAttribute()).containsExactly("label", "topic");
            assertThat(report.getCoverage().get(1).getCounts())
                    .containsExactlyInAnyOrderEntriesOf(Map.of("books", 1L, "phones", 2L, "garden", 2L));
            assertThat(report.getCombinationsCovered()).isEqualTo(3);
            assertThat(report.getFaithfulness().getCount()).isEqualTo(5);
            assertThat(report.getRequested()).isEqualTo(6);
            assertThat(report.getCurated()).isEqualTo(5);
            assertThat(report.getRejected()).isEqualTo(1);
            assertThat(report.getRejectedByReason()).containsExactlyEntriesOf(Map.of("REFUSAL", 1L));
            // the judge's model is priced by the table of llm.prices; these samples' traces carry no spend
            assertThat(report.getGenerationSpend()).isNull();
            assertThat(report.getJudgeSpend().getCalls()).isEqualTo(5);
            assertThat(report.getJudgeSpend().getPromptTokens()).isPositive();
            assertThat(report.getJudgeSpend().getCostUsd())
                    .isCloseTo(
                            (report.getJudgeSpend().getPromptTokens() * 1.0
                                            + report.getJudgeSpend().getCompletionTokens() * 2.0)
                                    / 1e6,
                            org.assertj.core.data.Offset.offset(1e-12));
            assertThat(report.getJudgeSpend().getUnpricedTokens()).isZero();
            assertThat(report.getEstimatedCostUsd())
                    .isEqualTo(report.getJudgeSpend().getCostUsd());

            int reports = f.reportLog.size();
            f.report();
            assertThat(f.reportLog).hasSize(reports); // nothing changed: no new report
        }
    }

    @Test
    void shouldSteerTowardsAStarvedValueAtABoundedRate() {
        try (EvaluatorFixture f = simulated(Map.of(EvaluatorConfig.EMBEDDINGS.key(), "none"))) {
            GenerationRequest spec = Samples.spec("r-1", 100);
            spec.setEvaluation(
                    EvaluationSettings.newBuilder().setTargetPerCell(10).build());
            f.specs.pipeInput("r-1", spec);
            for (int i = 0; i < 12; i++) {
                String topic = i < 10 ? "books" : "phones"; // garden is starved
                f.curated.pipeInput("s-" + i, Samples.sample("r-1", "s-" + i, topic, "positive", TEXT + " " + i));
            }
            f.pumpUntil(() -> f.scoredLog.size() == 12);
            f.report();

            assertThat(f.steeringLog).hasSize(1);
            SteeringUpdate update = f.steeringLog.get(0);
            Map<String, Double> weights = update.getAttributeWeights().get("topic");
            assertThat(update.getVersion()).isEqualTo(1);
            assertThat(weights.get("garden")).isGreaterThan(weights.get("phones"));
            assertThat(weights.get("phones")).isGreaterThan(weights.get("books"));
            assertThat(update.getReason()).contains("topic=garden under-covered");
            assertThat(update.getExemplars()).hasSize(2); // two per label, one label
            assertThat(f.lastReport().getCoverage().get(0).getValuesBelowTarget())
                    .isEqualTo(2);

            f.curated.pipeInput("s-99", Samples.sample("r-1", "s-99", "garden", "positive", TEXT));
            f.pumpUntil(() -> f.scoredLog.size() == 13);
            f.report();
            assertThat(f.steeringLog).hasSize(1); // fewer than steering.min.samples new samples
        }
    }

    @Test
    void shouldDeadLetterUndecodableSample() {
        try (EvaluatorFixture f = simulated(Map.of(EvaluatorConfig.EMBEDDINGS.key(), "none"))) {
            TopologyTestSupport.rawInput(f.driver, Topics.SAMPLES_CURATED)
                    .pipeInput("s-x".getBytes(StandardCharsets.UTF_8), "garbage".getBytes(StandardCharsets.UTF_8));
            f.collect();

            assertThat(f.deadLetterLog).hasSize(1);
            assertThat(f.deadLetterLog.get(0).getOriginTopic()).isEqualTo(Topics.SAMPLES_CURATED.name());
            assertThat(f.deadLetterLog.get(0).getReason()).isEqualTo("deserialization_error");
            assertThat(f.scoredLog).isEmpty();
        }
    }

    @Test
    void shouldNameEveryNode() {
        try (EvaluatorFixture f = simulated(Map.of(EvaluatorConfig.EMBEDDINGS.key(), "none"))) {
            TopologyTestSupport.assertNoGeneratedNames(f.topology);
        }
    }
}
