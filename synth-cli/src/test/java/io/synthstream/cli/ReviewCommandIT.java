package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code synth review} against the running platform: a reviewer works through the queue in the
 * terminal (accept, reject with a reason, relabel by number, edit a field, with a wrong label and a
 * wrong field refused on the spot), and the evaluator applies each decision: the dataset and the
 * ledger show them.
 */
class ReviewCommandIT {
    @TempDir
    Path dir;

    @Test
    void aReviewerWorksThroughTheQueueInTheTerminalAndTheDecisionsApply() throws Exception {
        try (LocalPlatform platform = LocalPlatform.start(dir, LocalPlatform.Ports.FREE, 3, ReviewChecks.ENV)) {
            ClusterOptions cluster = platform.cluster();
            RequestStatus waiting = ReviewChecks.reviewedRequest(cluster, "review-cli-1");
            String dataset = waiting.getDataset();

            ReviewCommand.Queue queue = ReviewCommand.queue(cluster, dataset, "review-cli-1", Instant.now());
            assertThat((long) queue.pending().size()).isEqualTo(waiting.getInReview());
            List<ReviewRequest> pending = queue.pending();
            String list = ReviewChecks.run(new ReviewCommand(), "", cluster, "--request", "review-cli-1", "--list");
            assertThat(list).contains(waiting.getInReview() + " sample(s) waiting for review");
            pending.forEach(r -> assertThat(list).contains(r.getSampleId()));

            List<String> answers = new ArrayList<>(List.of(
                    "a", // 1: accept
                    "maybe", // not an action: asked again
                    "r",
                    "off topic", // 2: reject with a reason
                    "l",
                    "sarcastic", // not a label of the task: refused, asked again
                    "l",
                    "2", // 3: relabel to the second label (negative)
                    "e",
                    "title",
                    "x", // not a field of the sample: refused
                    "e",
                    "text",
                    "A corrected review of the camera.", // 4: edit
                    "s")); // 5: skipped
            for (int i = 5; i < pending.size(); i++) {
                answers.add("a");
            }
            String session = ReviewChecks.run(
                    new ReviewCommand(),
                    String.join("\n", answers) + "\n",
                    cluster,
                    dataset,
                    "--request",
                    "review-cli-1",
                    "--reviewer",
                    "tess");
            assertThat(session)
                    .contains("'maybe' is not an action")
                    .contains("refused, nothing sent: label 'sarcastic' is not one of the task's labels")
                    .contains("refused, nothing sent: field 'title' is not an output field")
                    .contains((pending.size() - 1) + " decided, 1 skipped, 1 left in the queue");

            // The skipped one is still waiting; decide it as well, and the request completes.
            assertThat(ReviewCommand.queue(cluster, null, "review-cli-1", Instant.now())
                            .pending())
                    .extracting(ReviewRequest::getSampleId)
                    .containsExactly(pending.get(4).getSampleId());
            ReviewChecks.run(new ReviewCommand(), "a\n", cluster, "--request", "review-cli-1", "--reviewer", "tess");
            ReviewChecks.decisionsApplied(
                    cluster, "review-cli-1", pending, "A corrected review of the camera.", "tess");
            // What the reviewer accepted, relabelled and edited now shapes the dataset's later prompts.
            ReviewChecks.correctionsReachLaterPrompts(
                    cluster,
                    dataset,
                    List.of(
                            pending.get(0).getSampleId(),
                            pending.get(2).getSampleId(),
                            pending.get(3).getSampleId()),
                    pending.get(3).getSampleId(),
                    "A corrected review of the camera.");
            assertThat(ReviewCommand.queue(cluster, null, "review-cli-1", Instant.now())
                            .pending())
                    .isEmpty();
        }
    }
}
