package io.synthstream.schemas;

import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeCoverage;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.CurationInfo;
import io.synthstream.avro.CurationSettings;
import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.DiversityMetrics;
import io.synthstream.avro.EvaluationSettings;
import io.synthstream.avro.Example;
import io.synthstream.avro.FaithfulnessScore;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.GenerationTrace;
import io.synthstream.avro.ModelParams;
import io.synthstream.avro.OutputField;
import io.synthstream.avro.PlanStatus;
import io.synthstream.avro.QualityVerdict;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.RejectionReason;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.avro.Sample;
import io.synthstream.avro.ScoreDistribution;
import io.synthstream.avro.ScoredSample;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.avro.Step;
import io.synthstream.avro.StepTrace;
import io.synthstream.avro.TaskSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Fully populated instances of every top-level record, for serde and integration tests. */
public final class TestRecords {
    public static final Instant NOW = Instant.parse("2026-11-22T10:15:30.123Z");

    private TestRecords() {}

    public static GenerationRequest request(String requestId) {
        return GenerationRequest.newBuilder()
                .setRequestId(requestId)
                .setDataset("sentiment")
                .setCreatedAt(NOW)
                .setTask(TaskSpec.newBuilder()
                        .setKind("classification")
                        .setDescription("Product reviews with a sentiment label")
                        .setInstructionTemplate("Write a {{ length }} review about {{ topic }}.")
                        .setTemplateVersion("v1")
                        .setOutputFields(List.of(
                                OutputField.newBuilder()
                                        .setName("text")
                                        .setDescription("the review")
                                        .build(),
                                OutputField.newBuilder()
                                        .setName("label")
                                        .setType("label")
                                        .build()))
                        .setLabels(List.of("positive", "negative"))
                        .build())
                .setCount(100)
                .setAttributes(List.of(Attribute.newBuilder()
                        .setName("topic")
                        .setValues(List.of(new AttributeValue("books", 2.0), new AttributeValue("phones", 1.0)))
                        .build()))
                .setConditions(List.of(Map.of("topic", "books")))
                .setSamplingMode("balanced")
                .setSeed(42L)
                .setExamples(List.of(example()))
                .setDemonstrations(1)
                .setChainOfThought(true)
                .setModel(ModelParams.newBuilder()
                        .setProvider("simulated")
                        .setModel("sim-1")
                        .setTemperature(0.7)
                        .setMaxTokens(256)
                        .build())
                .setSteps(List.of(Step.newBuilder()
                        .setName("question")
                        .setInstructionTemplate("Ask about {{ topic }}")
                        .build()))
                .setCuration(CurationSettings.newBuilder()
                        .setMinChars(10)
                        .setNearDupThreshold(0.8)
                        .setRefusalPatterns(List.of("as an ai"))
                        .build())
                .setEvaluation(EvaluationSettings.newBuilder().setKnnK(5).build())
                .setMetadata(Map.of("owner", "team-a"))
                .build();
    }

    public static Example example() {
        return Example.newBuilder()
                .setId("ex-1")
                .setFields(Map.of("text", "Loved it.", "label", "positive"))
                .setAttributes(Map.of("topic", "books"))
                .build();
    }

    public static ConditionTuple condition() {
        return ConditionTuple.newBuilder()
                .setConditionId("c-1")
                .setRequestId("r-1")
                .setDataset("sentiment")
                .setConditionIndex(7L)
                .setAttributes(Map.of("topic", "books"))
                .setDemonstrations(List.of(example()))
                .setSteeringVersion(3L)
                .setPlannedAt(NOW)
                .build();
    }

    public static Sample sample(String sampleId) {
        return Sample.newBuilder()
                .setSampleId(sampleId)
                .setRequestId("r-1")
                .setDataset("sentiment")
                .setConditionId("c-1")
                .setConditionIndex(7L)
                .setSampleIndex(0)
                .setTaskKind("classification")
                .setAttributes(Map.of("topic", "books"))
                .setFields(Map.of("text", "A gripping read from start to finish.", "label", "positive"))
                .setTrace(GenerationTrace.newBuilder()
                        .setProvider("simulated")
                        .setModel("sim-1")
                        .setSimulated(true)
                        .setTemplateVersion("v1")
                        .setParameters(Map.of("temperature", "0.7"))
                        .setPromptTokens(120)
                        .setCompletionTokens(40)
                        .setLatencyMs(850)
                        .setRationale("Positive because...")
                        .setDemonstrationIds(List.of("ex-1"))
                        .setSteps(List.of(StepTrace.newBuilder()
                                .setName("main")
                                .setModel("sim-1")
                                .setOutput(Map.of("text", "A gripping read"))
                                .setPromptTokens(120)
                                .setCompletionTokens(40)
                                .setLatencyMs(850)
                                .build()))
                        .build())
                .setCreatedAt(NOW)
                .setCuration(CurationInfo.newBuilder()
                        .setChecksPassed(List.of("validation", "heuristics"))
                        .setExactHash("ab12")
                        .setDedupKeys(List.of("b0:ff"))
                        .setCuratedAt(NOW)
                        .build())
                .build();
    }

    public static Rejection rejection() {
        return Rejection.newBuilder()
                .setSampleId("s-2")
                .setRequestId("r-1")
                .setDataset("sentiment")
                .setReason(RejectionReason.NEAR_DUPLICATE)
                .setStage("near-dedup")
                .setDetail("jaccard 0.91 >= 0.8")
                .setDupOf("s-1")
                .setSample(sample("s-2"))
                .setRejectedAt(NOW)
                .build();
    }

    public static ScoredSample scoredSample() {
        return ScoredSample.newBuilder()
                .setSample(sample("s-1"))
                .setFaithfulness(FaithfulnessScore.newBuilder()
                        .setStatus("judged")
                        .setScore(4.5)
                        .setRationale("matches label")
                        .setJudgeModel("sim-judge")
                        .build())
                .setConditionAdherence(1.0)
                .setLabelConsistency(0.8)
                .setNovelty(0.35)
                .setQuality(QualityVerdict.newBuilder()
                        .setDecision("pass")
                        .setLabel("positive")
                        .setOriginalLabel("positive")
                        .setWeight(0.9)
                        .setWeightScheme("quality")
                        .build())
                .setScoredAt(NOW)
                .build();
    }

    public static DatasetSample datasetSample() {
        return DatasetSample.newBuilder()
                .setSampleId("s-1")
                .setRequestId("r-1")
                .setDataset("sentiment")
                .setFields(Map.of("text", "Great phone.", "label", "positive"))
                .setLabel("positive")
                .setOriginalLabel("negative")
                .setLabelSource("neighbours")
                .setWeight(0.75)
                .setWeightScheme("quality")
                .setScored(scoredSample())
                .setAcceptedAt(NOW)
                .build();
    }

    public static ReviewRequest reviewRequest() {
        return ReviewRequest.newBuilder()
                .setSampleId("s-1")
                .setRequestId("r-1")
                .setDataset("sentiment")
                .setReasons(List.of("judge_score"))
                .setCandidate(datasetSample())
                .setLabels(List.of("positive", "negative"))
                .setRequestedAt(NOW)
                .setDeadline(NOW.plusSeconds(60))
                .build();
    }

    public static ReviewDecision reviewDecision() {
        return ReviewDecision.newBuilder()
                .setSampleId("s-1")
                .setAction("relabel")
                .setLabel("negative")
                .setReviewer("ana")
                .setDecidedAt(NOW)
                .build();
    }

    public static PlanStatus planStatus() {
        return PlanStatus.newBuilder()
                .setRequestId("r-1")
                .setDataset("sentiment")
                .setPlanned(12)
                .setStopped(true)
                .setUpdatedAt(NOW)
                .build();
    }

    public static DatasetReport report() {
        DiversityMetrics metrics = DiversityMetrics.newBuilder()
                .setSamples(10)
                .setDistinct1(0.5)
                .setDistinct2(0.8)
                .setCompressionRatio(2.1)
                .setVendiScore(6.2)
                .build();
        return DatasetReport.newBuilder()
                .setDataset("sentiment")
                .setGeneratedAt(NOW)
                .setCumulative(metrics)
                .setRecent(metrics)
                .setCoverage(List.of(AttributeCoverage.newBuilder()
                        .setAttribute("topic")
                        .setCounts(Map.of("books", 6L, "phones", 4L))
                        .setEntropy(0.971)
                        .build()))
                .setFaithfulness(new ScoreDistribution(10L, 4.1, 2.0, 3.0, 4.0, 5.0, 5.0, 5.0))
                .setRequested(12)
                .setCurated(10)
                .setRejected(2)
                .setRejectedByReason(Map.of("NEAR_DUPLICATE", 2L))
                .setEstimatedCostUsd(0.01)
                .build();
    }

    public static RequestStatus status() {
        return RequestStatus.newBuilder()
                .setRequestId("r-1")
                .setDataset("sentiment")
                .setRequested(12)
                .setGenerated(12)
                .setCurated(10)
                .setRejected(1)
                .setRejectedByReason(Map.of("LENGTH", 1L))
                .setFailed(1)
                .setJudged(10)
                .setComplete(true)
                .setUpdatedAt(NOW)
                .build();
    }

    public static SteeringUpdate steering() {
        return SteeringUpdate.newBuilder()
                .setDataset("sentiment")
                .setVersion(4)
                .setGeneratedAt(NOW)
                .setAttributeWeights(Map.of("topic", Map.of("books", 0.2, "phones", 0.8)))
                .setExemplars(List.of(example()))
                .setReason("phones under-covered")
                .build();
    }

    public static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setApp("synth-curator")
                .setStage("deserialization")
                .setReason("deserialization_error")
                .setErrorClass("org.apache.kafka.common.errors.SerializationException")
                .setMessage("Unknown magic byte")
                .setOriginTopic("synth.samples.raw")
                .setOriginPartition(3)
                .setOriginOffset(1234L)
                .setOriginalKey(ByteBuffer.wrap("s-9".getBytes(StandardCharsets.UTF_8)))
                .setOriginalValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setRequestId("r-1")
                .setFailedAt(NOW)
                .build();
    }

    /** One instance of each top-level record. */
    public static List<SpecificRecord> allTopLevel() {
        return List.of(
                request("r-1"),
                condition(),
                sample("s-1"),
                rejection(),
                scoredSample(),
                report(),
                status(),
                steering(),
                deadLetter(),
                datasetSample(),
                reviewRequest(),
                reviewDecision(),
                planStatus());
    }
}
