package io.synthstream.common.topics;

import io.synthstream.avro.ConditionTuple;
import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.IndirectEvaluation;
import io.synthstream.avro.PlanStatus;
import io.synthstream.avro.Rejection;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.avro.Sample;
import io.synthstream.avro.ScoredSample;
import io.synthstream.avro.SeedRecord;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.avro.StoredResponse;
import io.synthstream.avro.TestRecord;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;

/** The topic catalogue (README, "Topics"): every topic SynthStream reads or writes, declared once. */
public final class Topics {
    private Topics() {}

    public static final TopicSpec<String, GenerationRequest> REQUESTS = new TopicSpec<>(
            "synth.requests", Serdes.String(), GenerationRequest.class, false, "Generation requests (Avro).");
    public static final TopicSpec<String, SeedRecord> SEEDS = new TopicSpec<>(
            "synth.seeds",
            Serdes.String(),
            SeedRecord.class,
            false,
            "Seed records of seeded requests (and stop records), keyed by request id.");
    public static final TopicSpec<String, String> REQUESTS_JSON = new TopicSpec<>(
            "synth.requests.json",
            Serdes.String(),
            String.class,
            false,
            "Generation requests as plain JSON, for any Kafka client.");
    public static final TopicSpec<String, GenerationRequest> SPECS = new TopicSpec<>(
            "synth.specs",
            Serdes.String(),
            GenerationRequest.class,
            true,
            "Accepted request specs, looked up by the curator and evaluator.");
    public static final TopicSpec<String, ConditionTuple> CONDITIONS = new TopicSpec<>(
            "synth.conditions", Serdes.String(), ConditionTuple.class, false, "Planned condition tuples.");
    public static final TopicSpec<String, Sample> SAMPLES_RAW =
            new TopicSpec<>("synth.samples.raw", Serdes.String(), Sample.class, false, "Generated samples.");
    public static final TopicSpec<String, Sample> SAMPLES_CURATED = new TopicSpec<>(
            "synth.samples.curated", Serdes.String(), Sample.class, false, "Samples kept by the curator.");
    public static final TopicSpec<String, Rejection> SAMPLES_REJECTED = new TopicSpec<>(
            "synth.samples.rejected",
            Serdes.String(),
            Rejection.class,
            false,
            "Samples dropped by the curator, with the reason.");
    public static final TopicSpec<String, ScoredSample> SAMPLES_SCORED = new TopicSpec<>(
            "synth.samples.scored",
            Serdes.String(),
            ScoredSample.class,
            false,
            "Every curated sample with its scores and the quality gate's decision.");
    public static final TopicSpec<String, DatasetSample> DATASET = new TopicSpec<>(
            "synth.dataset",
            Serdes.String(),
            DatasetSample.class,
            false,
            "Accepted samples in final form: the dataset downstream consumers read.");
    public static final TopicSpec<String, ReviewRequest> REVIEW = new TopicSpec<>(
            "synth.review", Serdes.String(), ReviewRequest.class, false, "Samples waiting for a review decision.");
    public static final TopicSpec<String, ReviewDecision> REVIEW_DECISIONS = new TopicSpec<>(
            "synth.review.decisions",
            Serdes.String(),
            ReviewDecision.class,
            false,
            "Review decisions, keyed by sample id.");
    public static final TopicSpec<String, String> REVIEW_DECISIONS_JSON = new TopicSpec<>(
            "synth.review.decisions.json",
            Serdes.String(),
            String.class,
            false,
            "Review decisions as plain JSON, for any Kafka client (kcat).");

    /**
     * The topics that clients outside the platform produce to: their value schemas are registered
     * when an app that reads them starts, and by {@code synth topics create -r URL}, so that a client
     * in any language can fetch {@code <topic>-value} and encode against it.
     */
    public static final List<TopicSpec<?, ?>> CLIENT_INPUTS = List.of(REQUESTS, SEEDS, REVIEW_DECISIONS);

    public static final TopicSpec<String, PlanStatus> PLAN = new TopicSpec<>(
            "synth.plan", Serdes.String(), PlanStatus.class, true, "How far the generator planned each request.");
    public static final TopicSpec<String, DatasetReport> REPORTS = new TopicSpec<>(
            "synth.reports", Serdes.String(), DatasetReport.class, true, "Dataset reports, by dataset.");
    /**
     * Real test records registered for datasets by {@code synth decontaminate}, keyed {@code
     * <dataset>|<record id>}: the curator rejects samples that repeat too much of one (read as a
     * global store by every curator instance).
     */
    public static final TopicSpec<String, TestRecord> TEST_RECORDS = new TopicSpec<>(
            "synth.test-records",
            Serdes.String(),
            TestRecord.class,
            true,
            "Real test records registered per dataset: the curator rejects samples that repeat them (CONTAMINATED).");

    /**
     * Indirect evaluations by {@code synth evaluate}, by dataset: a topic of their own, since the
     * evaluator owns {@code synth.reports} and two writers on one compacted key would overwrite
     * each other.
     */
    public static final TopicSpec<String, IndirectEvaluation> EVALUATIONS = new TopicSpec<>(
            "synth.evaluations",
            Serdes.String(),
            IndirectEvaluation.class,
            true,
            "Indirect evaluations (classifiers trained on a dataset, tested on real data), by dataset.");

    public static final TopicSpec<String, RequestStatus> REQUEST_STATUS = new TopicSpec<>(
            "synth.request-status", Serdes.String(), RequestStatus.class, true, "Per-request conservation ledger.");
    public static final TopicSpec<String, SteeringUpdate> STEERING = new TopicSpec<>(
            "synth.steering",
            Serdes.String(),
            SteeringUpdate.class,
            true,
            "Evaluator feedback to the planner, by dataset.");
    /**
     * LLM replies kept the moment they arrive (docs/spend.md): {@code call|<call>|<hash>} until the
     * stream transaction that used the reply commits its tombstone, {@code cache|<hash>} for the
     * response cache. Compacted, and deleted by time after {@link #RESPONSES_MAX_RETENTION} so
     * that cache entries nobody replaces cannot pile up.
     */
    public static final TopicSpec<String, StoredResponse> LLM_RESPONSES = new TopicSpec<>(
            "synth.llm-responses",
            Serdes.String(),
            StoredResponse.class,
            true,
            "LLM replies kept outside the stream transaction: re-issued calls and the response cache take them.",
            java.util.Map.of(
                    org.apache.kafka.common.config.TopicConfig.CLEANUP_POLICY_CONFIG,
                    org.apache.kafka.common.config.TopicConfig.CLEANUP_POLICY_COMPACT + ","
                            + org.apache.kafka.common.config.TopicConfig.CLEANUP_POLICY_DELETE,
                    org.apache.kafka.common.config.TopicConfig.RETENTION_MS_CONFIG,
                    Long.toString(java.time.Duration.ofDays(30).toMillis()),
                    org.apache.kafka.common.config.TopicConfig.SEGMENT_MS_CONFIG,
                    Long.toString(java.time.Duration.ofDays(1).toMillis())));

    /** How long the responses topic keeps a record: the longest a cache retention may be. */
    public static final java.time.Duration RESPONSES_MAX_RETENTION = java.time.Duration.ofDays(30);

    public static final TopicSpec<byte[], DeadLetter> DLQ = new TopicSpec<>(
            "synth.dlq",
            Serdes.ByteArray(),
            DeadLetter.class,
            false,
            "Bad input and terminal failures, keyed by the original key bytes.");

    /** Every topic of the catalogue, in pipeline order. */
    public static final List<TopicSpec<?, ?>> ALL = List.of(
            REQUESTS,
            REQUESTS_JSON,
            SEEDS,
            SPECS,
            TEST_RECORDS,
            CONDITIONS,
            SAMPLES_RAW,
            SAMPLES_CURATED,
            SAMPLES_REJECTED,
            SAMPLES_SCORED,
            DATASET,
            REVIEW,
            REVIEW_DECISIONS,
            REVIEW_DECISIONS_JSON,
            PLAN,
            REPORTS,
            EVALUATIONS,
            REQUEST_STATUS,
            STEERING,
            LLM_RESPONSES,
            DLQ);
}
