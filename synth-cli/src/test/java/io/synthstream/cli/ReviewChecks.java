package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.QualitySettings;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.common.topics.Topics;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** The review tests' request, and what a reviewer's decisions must have done to its dataset. */
final class ReviewChecks {
    /**
     * Half the simulator's samples are low quality: the judge sends them to review. Steering updates
     * (with the exemplar pool) may follow every second; a person's decision makes the next one due
     * whatever {@code evaluator.steering.min.samples} says (the default, 20, applies).
     */
    static final Map<String, String> ENV = Map.of(
            "SYNTH_LLM_SIM_LATENCY_MEDIAN_MS", "20",
            "SYNTH_LLM_SIM_MISLABEL_RATE", "0",
            "SYNTH_LLM_SIM_LOW_QUALITY_RATE", "0.5",
            "SYNTH_EVALUATOR_REVIEW_CHECK_MS", "300",
            "SYNTH_EVALUATOR_STEERING_INTERVAL_MS", "1000");

    private ReviewChecks() {}

    /**
     * Runs a {@code synth} command ({@code synth review} reading {@code input} as the reviewer's
     * answers) against the cluster; its output, after checking it exited with 0.
     */
    static String run(Object command, String input, ClusterOptions cluster, String... args) {
        if (command instanceof ReviewCommand review) {
            review.input = new BufferedReader(new StringReader(input));
        }
        StringWriter out = new StringWriter();
        List<String> all = new ArrayList<>(List.of("-b", cluster.bootstrapServers, "-r", cluster.schemaRegistryUrl));
        all.addAll(List.of(args));
        int code = new CommandLine(command)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(out, true))
                .execute(all.toArray(String[]::new));
        assertThat(code).as(out.toString()).isZero();
        return out.toString();
    }

    /** Publishes a 16-sample sentiment request whose failed checks go to review, and waits for its queue. */
    static RequestStatus reviewedRequest(ClusterOptions cluster, String id) throws Exception {
        GenerationRequest request = SpecFiles.load(Path.of("../examples/sentiment.json"));
        request.setRequestId(id);
        request.setCount(16);
        request.setQuality(QualitySettings.newBuilder()
                .setMinJudgeScore(3.0)
                .setAction("review")
                .setReviewTimeoutMs(Duration.ofDays(1).toMillis())
                .build());
        SubmitCommand.publish(cluster, request);
        return PipelineReads.first(
                cluster,
                Topics.REQUEST_STATUS,
                id,
                s -> s.getInFlight() == 0 && s.getPlanningStopped() && s.getInReview() >= 4);
    }

    /**
     * Once every review of {@code id} is decided: the request completes; {@code pending.get(0)} was
     * accepted, {@code 1} rejected, {@code 2} relabelled to {@code negative} and {@code 3} had its
     * text replaced by {@code text}, all by {@code reviewer}.
     */
    /**
     * After people decided on {@code decided}: the dataset's next steering update shows the sample
     * {@code edited} with the {@code text} a person gave it, and a later request of the dataset drawing demonstrations from that pool generates
     * samples whose prompts showed them (their traces say so).
     */
    static void correctionsReachLaterPrompts(
            ClusterOptions cluster, String dataset, List<String> decided, String edited, String text) throws Exception {
        // Only a person's edit can put this text in the pool.
        SteeringUpdate update = PipelineReads.first(
                cluster,
                Topics.STEERING,
                dataset,
                u -> u.getExemplars().stream()
                        .anyMatch(e -> edited.equals(e.getId())
                                && text.equals(e.getFields().get("text"))));
        assertThat(update.getExemplars()).isNotEmpty();
        GenerationRequest later = SpecFiles.load(Path.of("../examples/sentiment.json"));
        later.setRequestId(dataset + "-later");
        later.setDataset(dataset);
        later.setCount(12);
        later.setDemonstrationStrategy("exemplar");
        later.setQuality(QualitySettings.newBuilder().build());
        SubmitCommand.publish(cluster, later);
        PipelineReads.completed(cluster, later.getRequestId(), Duration.ofMinutes(2));
        long shown = PipelineReads.readAll(cluster, Topics.SAMPLES_RAW).stream()
                .map(r -> r.value())
                .filter(s -> s != null && s.getRequestId().equals(later.getRequestId()))
                .filter(s -> s.getTrace().getDemonstrationIds().stream().anyMatch(decided::contains))
                .count();
        assertThat(shown).as("later prompts that showed a person's decision").isPositive();
    }

    static void decisionsApplied(
            ClusterOptions cluster, String id, List<ReviewRequest> pending, String text, String reviewer) {
        RequestStatus done = PipelineReads.completed(cluster, id, Duration.ofMinutes(2));
        assertThat(done.getInReview()).isZero();
        assertThat(done.getReviewed()).isEqualTo(pending.size());
        Map<String, DatasetSample> dataset = PipelineReads.dataset(cluster, id);
        assertThat(dataset).containsKey(pending.get(0).getSampleId());
        assertThat(dataset.get(pending.get(0).getSampleId()).getReviewer()).isEqualTo(reviewer);
        assertThat(dataset).doesNotContainKey(pending.get(1).getSampleId());
        DatasetSample relabeled = dataset.get(pending.get(2).getSampleId());
        assertThat(relabeled.getLabel()).isEqualTo("negative");
        assertThat(relabeled.getReviewer()).isEqualTo(reviewer);
        assertThat(dataset.get(pending.get(3).getSampleId()).getFields()).containsEntry("text", text);
    }
}
