package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.AuditCounts;
import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.QualitySettings;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.common.quality.Agreement;
import io.synthstream.common.topics.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate's audit against the running platform: with {@code quality.audit_rate} the samples the
 * gate passed or rejected wait for a person too (without it, this request would complete with
 * nothing in review); a reviewer decides them blind in {@code synth review}, disagreeing with the
 * gate on one pass and one rejection; the ledger, {@code synth report} and the dataset report show
 * the agreement table and its kappa, precision and recall.
 */
class AuditIT {
    @TempDir
    Path dir;

    @Test
    void peopleDecideTheAuditedSamplesBlindAndTheReportShowsHowFarTheGateAgrees() throws Exception {
        try (LocalPlatform platform = LocalPlatform.start(dir, LocalPlatform.Ports.FREE, 3, ReviewChecks.ENV)) {
            ClusterOptions cluster = platform.cluster();
            GenerationRequest request = SpecFiles.load(Path.of("../examples/sentiment.json"));
            request.setRequestId("audit-1");
            request.setDataset("audited");
            request.setCount(16);
            // Half the simulator's samples are low quality: the gate rejects them, and passes the rest.
            request.setQuality(QualitySettings.newBuilder()
                    .setMinJudgeScore(3.0)
                    .setAction("reject")
                    .setAuditRate(1.0)
                    .setReviewTimeoutMs(Duration.ofDays(1).toMillis())
                    .build());
            SubmitCommand.publish(cluster, request);
            RequestStatus waiting = PipelineReads.first(
                    cluster,
                    Topics.REQUEST_STATUS,
                    "audit-1",
                    s -> s.getInFlight() == 0 && s.getPlanningStopped() && s.getAudit() != null);
            assertThat(waiting.getComplete()).isFalse();
            assertThat(waiting.getInReview())
                    .as("every sample the gate decided waits for a person")
                    .isEqualTo(waiting.getAudit().getSent())
                    .isPositive();

            List<ReviewRequest> pending = ReviewCommand.queue(cluster, "audited", "audit-1", Instant.now())
                    .pending();
            assertThat((long) pending.size()).isEqualTo(waiting.getInReview());
            assertThat(pending).allSatisfy(r -> assertThat(r.getReasons()).containsExactly("audit"));
            assertThat(pending).extracting(ReviewRequest::getAudit).contains("pass", "reject");

            // The reviewer agrees with the gate except on the first pass and the first rejection.
            long pa = 0, pr = 0, ra = 0, rr = 0;
            boolean pass = false, reject = false;
            List<String> answers = new ArrayList<>();
            for (ReviewRequest r : pending) {
                boolean gatePassed = r.getAudit().equals("pass");
                boolean accept = gatePassed ? pass : !reject;
                if (gatePassed) {
                    pass = true;
                } else {
                    reject = true;
                }
                if (accept) {
                    answers.add("a");
                } else {
                    answers.addAll(List.of("r", "does not read like a real review"));
                }
                pa += gatePassed && accept ? 1 : 0;
                pr += gatePassed && !accept ? 1 : 0;
                ra += !gatePassed && accept ? 1 : 0;
                rr += !gatePassed && !accept ? 1 : 0;
            }
            String session = ReviewChecks.run(
                    new ReviewCommand(),
                    String.join("\n", answers) + "\n",
                    cluster,
                    "audited",
                    "--request",
                    "audit-1",
                    "--reviewer",
                    "rui");
            assertThat(session)
                    .contains("audit: " + ReviewApi.BLIND)
                    .doesNotContain("  judge: ")
                    .contains(pending.size() + " decided, 0 skipped, 0 left in the queue");

            RequestStatus done = PipelineReads.completed(cluster, "audit-1", Duration.ofMinutes(2));
            AuditCounts expected = AuditCounts.newBuilder()
                    .setSent(pending.size())
                    .setPassAccepted(pa)
                    .setPassRejected(pr)
                    .setRejectAccepted(ra)
                    .setRejectRejected(rr)
                    .build();
            assertThat(done.getAudit()).isEqualTo(expected);
            assertThat(done.getAccepted()).isEqualTo(pa + ra);
            assertThat(Agreement.of(expected).kappa()).isLessThan(1.0);

            DatasetReport report =
                    PipelineReads.first(cluster, Topics.REPORTS, "audited", r -> expected.equals(r.getAudit()));
            assertThat(report.getReviewedByPeople()).isEqualTo(pending.size());
            String printed = ReviewChecks.run(new ReportCommand(), "", cluster, "audited");
            assertThat(printed).contains("gate audit").contains(Agreement.describe(expected));
        }
    }
}
