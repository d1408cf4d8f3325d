package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.common.topics.Topics;
import io.synthstream.evaluator.logic.Ledger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decisions as a plain Kafka client sends them (JSON on {@code synth.review.decisions.json}, as
 * kcat would), across a restart of the apps: a decision sent twice counts as its own override and
 * changes nothing else; the review state survives the restart, so decisions after it apply to the
 * samples still waiting, and an override after it moves the earlier decision's counts.
 */
class ReviewRestartIT {
    @TempDir
    java.nio.file.Path dir;

    @Test
    void decisionsFromAPlainClientApplyOnceAcrossARestart() throws Exception {
        List<ReviewRequest> pending;
        try (LocalPlatform platform = LocalPlatform.start(dir, LocalPlatform.Ports.FREE, 3, ReviewChecks.ENV)) {
            ClusterOptions cluster = platform.cluster();
            ReviewChecks.reviewedRequest(cluster, "review-restart-1");
            pending = ReviewCommand.queue(cluster, null, "review-restart-1", Instant.now())
                    .pending();
            send(cluster, pending.get(0).getSampleId(), "{\"action\": \"accept\", \"reviewer\": \"kc\"}");
            send(cluster, pending.get(0).getSampleId(), "{\"action\": \"accept\", \"reviewer\": \"kc\"}");
            send(
                    cluster,
                    pending.get(1).getSampleId(),
                    "{\"action\": \"reject\", \"reason\": \"Off topic\", \"reviewer\": \"kc\"}");
            PipelineReads.first(cluster, Topics.REQUEST_STATUS, "review-restart-1", s -> s.getReviewedByPeople() == 3);
        }
        try (LocalPlatform platform = LocalPlatform.start(dir, LocalPlatform.Ports.FREE, 3, ReviewChecks.ENV)) {
            ClusterOptions cluster = platform.cluster();
            assertThat(ReviewCommand.queue(cluster, null, "review-restart-1", Instant.now())
                            .pending())
                    .as("after the restart the same samples wait")
                    .hasSize(pending.size() - 2);
            // An override after the restart: the rejected sample is accepted after all.
            send(cluster, pending.get(1).getSampleId(), "{\"action\": \"accept\", \"reviewer\": \"kc\"}");
            for (ReviewRequest r : pending.subList(2, pending.size())) {
                send(
                        cluster,
                        r.getSampleId(),
                        "{\"action\": \"reject\", \"reason\": \"too short\", \"reviewer\": \"kc\"}");
            }
            RequestStatus done = PipelineReads.completed(cluster, "review-restart-1", Duration.ofMinutes(2));
            assertThat(done.getInReview()).isZero();
            assertThat(done.getReviewedByPeople())
                    .as("each decision once, the duplicate and the override as overrides")
                    .isEqualTo(pending.size() + 2);
            assertThat(Ledger.accounted(done)).isEqualTo(done.getPlanned());
            assertThat(done.getReviewReasons())
                    .as("every rejecting decision counts, the overridden one too; written loosely, counted as one")
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of("too short", (long) pending.size() - 2, "off topic", 1L));

            Map<String, DatasetSample> dataset = PipelineReads.dataset(cluster, "review-restart-1");
            assertThat(dataset).hasSize((int) done.getAccepted());
            assertThat(dataset)
                    .containsKeys(pending.get(0).getSampleId(), pending.get(1).getSampleId());
            pending.subList(2, pending.size()).forEach(r -> assertThat(dataset).doesNotContainKey(r.getSampleId()));
        }
    }

    /** What kcat does: a key and a JSON value, no schema registry. */
    private static void send(ClusterOptions cluster, String sampleId, String decision) throws Exception {
        String json = "{\"sample_id\": \"" + sampleId + "\", " + decision.substring(1);
        try (var producer = new KafkaProducer<String, byte[]>(
                Map.of("bootstrap.servers", cluster.bootstrapServers),
                new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            Topics.REVIEW_DECISIONS_JSON.name(), sampleId, json.getBytes(StandardCharsets.UTF_8)))
                    .get();
        }
    }
}
