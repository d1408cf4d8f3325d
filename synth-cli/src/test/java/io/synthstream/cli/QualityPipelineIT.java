package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.PlanStatus;
import io.synthstream.avro.QualitySettings;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.avro.ScoredSample;
import io.synthstream.common.llm.SimulatedContent;
import io.synthstream.common.topics.Topics;
import io.synthstream.evaluator.logic.Ledger;
import io.synthstream.evaluator.logic.QualityGate;
import io.synthstream.local.EmbeddedPlatform;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acting on quality on the embedded platform, from outside: a request for N accepted samples
 * through planted mislabelled and low-quality samples, with the three apps killed (kill -9, in a
 * child JVM; the broker stays up) while the generator tops up; and the review state driven by a
 * plain Kafka producer.
 */
class QualityPipelineIT {
    private static final double MISLABEL = 0.10;
    private static final double LOW_QUALITY = 0.15;
    private static final SimulatedContent.Rates PLANTED = new SimulatedContent.Rates(0, 0, 0, 0, MISLABEL, LOW_QUALITY);

    @TempDir
    Path dir;

    @Test
    void aPlatformKilledMidTopUpEndsWithExactlyNAcceptedThroughPlantedFaults() throws Exception {
        int count = 120;
        int inFlight = 8;
        Map<String, String> env = new HashMap<>(Map.of(
                "SYNTH_LLM_SIM_LATENCY_MEDIAN_MS", "150",
                "SYNTH_LLM_MAX_IN_FLIGHT", String.valueOf(inFlight),
                "SYNTH_GENERATOR_PLAN_BATCH_SIZE", "10",
                "SYNTH_LLM_SIM_MISLABEL_RATE", String.valueOf(MISLABEL),
                "SYNTH_LLM_SIM_LOW_QUALITY_RATE", String.valueOf(LOW_QUALITY)));
        GenerationRequest request = SpecFiles.load(Path.of("../examples/sentiment.json"));
        request.setRequestId("kill-1");
        request.setCount(count);
        Path data = dir.resolve("apps");
        Path ready = dir.resolve("ready");
        Path log = dir.resolve("apps.log");

        try (EmbeddedPlatform broker = EmbeddedPlatform.ephemeral()) {
            ClusterOptions cluster = ClusterOptions.of(broker.bootstrapServers(), broker.registryUrl());
            Process child = PlatformProcess.start(data, ready, log, env, cluster);
            PlanStatus topUp;
            try {
                PlatformProcess.await(child, ready, log, Duration.ofMinutes(2));
                SubmitCommand.publish(cluster, request);
                // Kill -9 the apps as soon as the generator has planned past the count: it is topping up.
                topUp = PipelineReads.first(
                        cluster, Topics.PLAN, "kill-1", p -> p.getPlanned() > count && !p.getStopped());
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
            try (LocalPlatform restarted = LocalPlatform.apps(
                    broker.bootstrapServers(), broker.registryUrl(), data, LocalPlatform.Ports.FREE, 3, env)) {
                assertThat(restarted.apps()).hasSize(3);
                finishAfterTheKill(cluster, request, count, inFlight, topUp);
            }
        }
    }

    private void finishAfterTheKill(
            ClusterOptions cluster, GenerationRequest request, int count, int inFlight, PlanStatus topUp)
            throws Exception {
        RequestStatus done = PipelineReads.first(cluster, Topics.REQUEST_STATUS, "kill-1", RequestStatus::getComplete);
        assertThat(done.getAccepted()).isEqualTo(count);
        assertThat(done.getPlanningStopped()).isTrue();
        assertThat(Ledger.accounted(done)).as("the ledger balances").isEqualTo(done.getPlanned());
        assertThat(done.getPlanned()).isGreaterThan(topUp.getPlanned() - 1);

        // Exactly N on synth.dataset, each once: no duplicate across the kill.
        Map<String, Integer> records = new HashMap<>();
        Map<String, DatasetSample> dataset = new LinkedHashMap<>();
        for (var r : PipelineReads.readAll(cluster, Topics.DATASET)) {
            if (r.value() != null && r.value().getRequestId().equals("kill-1")) {
                records.merge(r.key(), 1, Integer::sum);
                dataset.put(r.key(), r.value());
            }
        }
        assertThat(dataset).hasSize(count);
        assertThat(records.values()).as("one record per accepted sample").containsOnly(1);
        double minScore = request.getQuality().getMinJudgeScore();
        for (DatasetSample s : dataset.values()) {
            assertThat(s.getScored().getFaithfulness().getScore())
                    .as("no accepted sample below the gate")
                    .isGreaterThanOrEqualTo(minScore);
            assertThat(SimulatedContent.planted(s.getSampleId() + "/0", PLANTED, true))
                    .as("no planted low-quality sample is accepted")
                    .isNotEqualTo(SimulatedContent.LOW_QUALITY);
            if (!QualityGate.GENERATED.equals(s.getLabelSource())) {
                assertThat(s.getOriginalLabel()).isNotEqualTo(s.getLabel());
                assertThat(s.getFields().get("label")).isEqualTo(s.getLabel());
            }
        }

        // The export a trainer loads: seeded splits by label and a dataset card, rows equal to the ledger.
        DatasetCard.Layout layout = ExportCommand.exportDirectory(
                cluster,
                request.getDataset(),
                List.of("kill-1"),
                dir.resolve("export"),
                ExportCommand.Format.parquet,
                false,
                true,
                Splits.parse("train=0.8,test=0.2"),
                42);
        assertThat(layout.rows()).containsEntry("train", 96L).containsEntry("test", 24L);
        assertThat(java.nio.file.Files.readString(dir.resolve("export/README.md")))
                .contains("num_examples: 96")
                .contains("Yield: planned " + done.getPlanned());

        // Relabel precision and recall against what was planted (the truth comes from the sample id alone).
        Map<String, ScoredSample> scored = new HashMap<>();
        for (var r : PipelineReads.readAll(cluster, Topics.SAMPLES_SCORED)) {
            if (r.value().getSample().getRequestId().equals("kill-1")) {
                assertThat(scored.put(r.key(), r.value()))
                        .as("scored once: %s", r.key())
                        .isNull();
            }
        }
        int planted = 0;
        int relabeled = 0;
        int right = 0;
        int lowRejected = 0;
        int low = 0;
        for (ScoredSample s : scored.values()) {
            String truth = SimulatedContent.planted(s.getSample().getSampleId() + "/0", PLANTED, true);
            boolean mislabelled = SimulatedContent.MISLABELLED.equals(truth);
            boolean relabel = !QualityGate.GENERATED.equals(s.getQuality().getLabelSource());
            planted += mislabelled ? 1 : 0;
            relabeled += relabel ? 1 : 0;
            right += mislabelled && relabel ? 1 : 0;
            if (SimulatedContent.LOW_QUALITY.equals(truth)) {
                low++;
                lowRejected += QualityGate.REJECT.equals(s.getQuality().getDecision()) ? 1 : 0;
            }
        }
        double precision = relabeled == 0 ? 0 : (double) right / relabeled;
        double recall = planted == 0 ? 0 : (double) right / planted;
        System.out.printf(
                Locale.ROOT,
                "planted faults: %d scored, %d mislabelled, %d relabelled, precision %.3f, recall %.3f;"
                        + " low quality %d, rejected by the gate %d; planned %d for %d accepted, surplus %d%n",
                scored.size(),
                planted,
                relabeled,
                precision,
                recall,
                low,
                lowRejected,
                done.getPlanned(),
                count,
                done.getSurplus());
        assertThat(planted).as("the simulator planted mislabels").isPositive();
        // The neighbours may vote on samples the judge is unsure of (word salad, rejected anyway);
        // their vote depends on what arrived before, so precision varies a little (0.94-1.00 seen).
        assertThat(precision).isGreaterThanOrEqualTo(0.8);
        assertThat(recall).isGreaterThanOrEqualTo(0.9);
        assertThat(lowRejected)
                .as("planted low-quality samples the gate rejected")
                .isEqualTo(low);
        assertThat(done.getSurplus())
                .as("over-generation is bounded by the in-flight window")
                .isLessThanOrEqualTo(inFlight);
    }

    @Test
    void reviewDecisionsFromAPlainProducerApplyOnceOverrideTimeOutAndAreRefusedAfterCompletion() throws Exception {
        Map<String, String> env = Map.of(
                "SYNTH_LLM_SIM_LATENCY_MEDIAN_MS", "20",
                "SYNTH_LLM_SIM_MISLABEL_RATE", "0",
                "SYNTH_LLM_SIM_LOW_QUALITY_RATE", "0.4",
                "SYNTH_EVALUATOR_REVIEW_CHECK_MS", "300");
        try (LocalPlatform platform = LocalPlatform.start(dir.resolve("review"), LocalPlatform.Ports.FREE, 3, env)) {
            ClusterOptions cluster = platform.cluster();
            GenerationRequest manual = reviewed("review-1", 30, Duration.ofDays(1));
            GenerationRequest unattended = reviewed("review-2", 10, Duration.ofSeconds(2));
            SubmitCommand.publish(cluster, manual);
            SubmitCommand.publish(cluster, unattended);

            // Nobody decides review-2's samples: the timeout accepts them and the request completes.
            RequestStatus timedOut =
                    PipelineReads.first(cluster, Topics.REQUEST_STATUS, "review-2", RequestStatus::getComplete);
            assertThat(timedOut.getReviewed()).isPositive();
            assertThat(timedOut.getInReview()).isZero();
            assertThat(timedOut.getReviewTime()).isNotNull();

            // review-1 waits with samples in review until every one is decided.
            RequestStatus waiting = PipelineReads.first(
                    cluster,
                    Topics.REQUEST_STATUS,
                    "review-1",
                    s -> s.getInFlight() == 0 && s.getPlanningStopped() && s.getInReview() > 0);
            assertThat(waiting.getComplete()).isFalse();
            List<ReviewRequest> queue = new ArrayList<>();
            for (var r : PipelineReads.readAll(cluster, Topics.REVIEW)) {
                if (r.value().getRequestId().equals("review-1")) {
                    queue.add(r.value());
                }
            }
            assertThat((long) queue.size()).isEqualTo(waiting.getInReview());
            assertThat(queue).hasSizeGreaterThanOrEqualTo(4);
            String accepted = queue.get(0).getSampleId();
            String rejected = queue.get(1).getSampleId();
            String relabeled = queue.get(2).getSampleId();
            String edited = queue.get(3).getSampleId();

            try (KafkaProducer<String, ReviewDecision> producer = producer(cluster)) {
                send(producer, decision(accepted, "accept").build());
                send(
                        producer,
                        decision(rejected, "reject").setReason("off topic").build());
                send(
                        producer,
                        decision(relabeled, "relabel").setLabel("negative").build());
                send(
                        producer,
                        decision(edited, "edit")
                                .setFields(Map.of("text", "The camera was wonderful. It was wonderful."))
                                .build());
                // Refused: unknown sample, a label outside the set, an edit of a field the sample lacks.
                send(producer, decision("no-such-sample", "accept").build());
                send(producer, decision(accepted, "relabel").setLabel("furious").build());
                send(
                        producer,
                        decision(accepted, "edit")
                                .setFields(Map.of("sql", "drop table"))
                                .build());
                // An override before completion: the accepted sample is rejected after all.
                send(
                        producer,
                        decision(accepted, "reject").setReason("second look").build());
                for (ReviewRequest r : queue.subList(4, queue.size())) {
                    send(producer, decision(r.getSampleId(), "accept").build());
                }
            }
            RequestStatus done =
                    PipelineReads.first(cluster, Topics.REQUEST_STATUS, "review-1", RequestStatus::getComplete);
            assertThat(done.getInReview()).isZero();
            assertThat(done.getReviewed())
                    .as("every decision applied once, the override too")
                    .isEqualTo(queue.size() + 1);
            assertThat(Ledger.accounted(done)).isEqualTo(done.getPlanned());
            assertThat(done.getRejectedQualityByReason())
                    .as("reviewer reasons count under one key")
                    .containsKey("review");

            Map<String, DatasetSample> dataset = PipelineReads.dataset(cluster, "review-1");
            assertThat(dataset).hasSize((int) done.getAccepted());
            assertThat(dataset).as("the override retracted it").doesNotContainKeys(accepted, rejected);
            assertThat(dataset.get(relabeled).getLabel()).isEqualTo("negative");
            assertThat(dataset.get(relabeled).getLabelSource()).isEqualTo(QualityGate.HUMAN);
            assertThat(dataset.get(edited).getFields())
                    .containsEntry("text", "The camera was wonderful. It was wonderful.");
            assertThat(dataset.get(edited).getReviewer()).isEqualTo("it-reviewer");

            // After completion a decision is refused with a reason, and nothing moves.
            try (KafkaProducer<String, ReviewDecision> producer = producer(cluster)) {
                send(producer, decision(relabeled, "accept").build());
            }
            List<String> refusals = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (refusals.size() < 4 && System.nanoTime() < deadline) {
                refusals.clear();
                for (var r : PipelineReads.readAll(cluster, Topics.DLQ)) {
                    DeadLetter d = r.value();
                    if ("invalid_decision".equals(d.getReason())) {
                        refusals.add(d.getMessage());
                    }
                }
                Thread.sleep(300);
            }
            assertThat(refusals).hasSize(4);
            assertThat(String.join("\n", refusals))
                    .contains("no sample no-such-sample")
                    .contains("furious")
                    .contains("sql")
                    .containsIgnoringCase("complete");
            RequestStatus after = PipelineReads.latest(cluster, "review-1");
            assertThat(after.getAccepted()).isEqualTo(done.getAccepted());
            assertThat(after.getReviewed()).isEqualTo(done.getReviewed());
        }
    }

    private static GenerationRequest reviewed(String id, int count, Duration timeout) throws Exception {
        GenerationRequest request = SpecFiles.load(Path.of("../examples/sentiment.json"));
        request.setRequestId(id);
        request.setCount(count);
        request.setQuality(QualitySettings.newBuilder()
                .setMinJudgeScore(3.0)
                .setAction("review")
                .setReviewTimeoutMs(timeout.toMillis())
                .setReviewTimeoutAction("accept")
                .build());
        return request;
    }

    private static ReviewDecision.Builder decision(String sampleId, String action) {
        return ReviewDecision.newBuilder()
                .setSampleId(sampleId)
                .setAction(action)
                .setReviewer("it-reviewer")
                .setDecidedAt(Instant.now());
    }

    private static KafkaProducer<String, ReviewDecision> producer(ClusterOptions cluster) {
        return new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers),
                Topics.REVIEW_DECISIONS.keySerde().serializer(),
                cluster.serdes().value(Topics.REVIEW_DECISIONS).serializer());
    }

    private static void send(KafkaProducer<String, ReviewDecision> producer, ReviewDecision decision) throws Exception {
        producer.send(new ProducerRecord<>(Topics.REVIEW_DECISIONS.name(), decision.getSampleId(), decision))
                .get(20, TimeUnit.SECONDS);
    }
}
