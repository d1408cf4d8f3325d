package io.synthstream.evaluator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.RejectionReason;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.ReviewRequest;
import io.synthstream.evaluator.avro.LedgerDelta;
import io.synthstream.schemas.TestRecords;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LedgerTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    private static RequestStatus ledger(LedgerDelta... deltas) {
        RequestStatus status = Ledger.open(deltas[0], NOW);
        for (LedgerDelta d : deltas) {
            Ledger.apply(status, d);
        }
        Ledger.seal(status, NOW);
        return status;
    }

    @Test
    void shouldCompleteExactlyWhenEveryPlannedSampleIsAccountedFor() {
        var sample = TestRecords.sample("s-1");
        var rejection = TestRecords.rejection();
        rejection.setRequestId(sample.getRequestId());
        DeadLetter failed = TestRecords.deadLetter();
        failed.setRequestId(sample.getRequestId());
        failed.setSamples(1);
        var spec = TestRecords.request(sample.getRequestId());
        spec.setCount(3);

        var plan = io.synthstream.avro.PlanStatus.newBuilder()
                .setRequestId(sample.getRequestId())
                .setDataset("sentiment")
                .setPlanned(3)
                .setStopped(true)
                .setUpdatedAt(NOW)
                .build();
        RequestStatus two = ledger(
                LedgerDeltas.planned(plan),
                LedgerDeltas.curated(sample),
                LedgerDeltas.gated(
                        sample.getRequestId(), "sentiment", "s-1", QualityGate.PASS, null, TestRecords.datasetSample()),
                LedgerDeltas.rejected(rejection));
        assertThat(Ledger.needsSpec(two)).isTrue();
        Ledger.applySpec(two, spec);
        Ledger.seal(two, NOW);
        assertThat(two.getComplete()).isFalse();
        assertThat(two.getInFlight()).isEqualTo(1);

        Ledger.apply(two, LedgerDeltas.failed(failed));
        Ledger.seal(two, NOW);
        assertThat(two.getComplete()).isTrue();
        assertThat(Ledger.accounted(two)).isEqualTo(3);
        assertThat(two.getRejectedByReason())
                .containsExactlyEntriesOf(Map.of(rejection.getReason().name(), 1L));
        assertThat(Ledger.overCounted(two)).isFalse();

        Ledger.apply(two, LedgerDeltas.rejected(rejection));
        Ledger.seal(two, NOW);
        assertThat(Ledger.overCounted(two)).isTrue();
        assertThat(two.getComplete()).as("complete stays true once true").isTrue();
    }

    @Test
    void anAuditTableCountsEachSamplesLatestDecisionByAPerson() {
        ReviewRequest passed = ReviewRequest.newBuilder()
                .setSampleId("s-1")
                .setRequestId("r-1")
                .setDataset("sentiment")
                .setCandidate(TestRecords.datasetSample())
                .setRequestedAt(NOW)
                .setDeadline(NOW)
                .setTimeoutAction("accept")
                .setAudit(QualityGate.PASS)
                .build();
        LedgerDelta sent = LedgerDeltas.gated("r-1", "sentiment", "s-1", QualityGate.REVIEW, null, null);
        sent.setAudit(QualityGate.PASS);
        LedgerDelta timedOut = LedgerDeltas.decided(
                passed, ReviewDecisions.timeout(passed, NOW), TestRecords.datasetSample(), null, null);
        RequestStatus status = ledger(sent, timedOut);
        assertThat(status.getAudit().getSent()).isEqualTo(1);
        assertThat(status.getAudit().getTimedOut()).isEqualTo(1);

        // A person overrides the timeout: out of the timeouts, into pass/rejected.
        ReviewDecision reject = ReviewDecision.newBuilder()
                .setSampleId("s-1")
                .setAction("reject")
                .setReason("wrong")
                .setReviewer("ana")
                .setDecidedAt(NOW)
                .build();
        Ledger.apply(status, LedgerDeltas.decided(passed, reject, null, "review", Ledger.WAS_ACCEPTED + "/generated"));
        assertThat(status.getAudit().getTimedOut()).isZero();
        assertThat(status.getAudit().getPassRejected()).isEqualTo(1);

        // A second person's decision moves it again: out of pass/rejected, into pass/accepted.
        ReviewDecision accept = ReviewDecision.newBuilder(reject)
                .setAction("accept")
                .setReason(null)
                .build();
        LedgerDelta override =
                LedgerDeltas.decided(passed, accept, TestRecords.datasetSample(), null, Ledger.WAS_REJECTED + "review");
        override.setPreviousByPerson(true);
        Ledger.apply(status, override);
        assertThat(status.getAudit().getPassRejected()).isZero();
        assertThat(status.getAudit().getPassAccepted()).isEqualTo(1);
        assertThat(status.getAudit().getSent()).isEqualTo(1);
    }

    @Test
    void shouldCountOnlyDeadLettersThatAccountForSamplesOfARequest() {
        DeadLetter noted = TestRecords.deadLetter();
        noted.setSamples(0);
        DeadLetter orphan = TestRecords.deadLetter();
        orphan.setRequestId(null);
        orphan.setSamples(1);
        DeadLetter lost = TestRecords.deadLetter();
        lost.setRequestId("r-1");
        lost.setSamples(2);

        assertThat(LedgerDeltas.countsAsFailed(noted)).isFalse();
        assertThat(LedgerDeltas.countsAsFailed(orphan)).isFalse();
        assertThat(LedgerDeltas.countsAsFailed(lost)).isTrue();
        assertThat(LedgerDeltas.failed(lost).getFailed()).isEqualTo(2);
    }

    @Test
    void shouldCountARejectionWithoutAReasonAsOther() {
        LedgerDelta delta =
                LedgerDelta.newBuilder().setRequestId("r-1").setRejected(1).build();

        assertThat(ledger(delta).getRejectedByReason()).containsExactlyEntriesOf(Map.of("OTHER", 1L));
        assertThat(RejectionReason.valueOf("OTHER")).isNotNull();
    }

    @Test
    void shouldAddTokensOfGenerationAndJudging() {
        var sample = TestRecords.sample("s-1");
        RequestStatus status =
                ledger(LedgerDeltas.generated(sample), LedgerDeltas.judged(sample, spend(100, 20, 0.5), true));

        assertThat(status.getGenerated()).isEqualTo(1);
        assertThat(status.getJudged()).isEqualTo(1);
        assertThat(status.getPromptTokens()).isEqualTo(sample.getTrace().getPromptTokens() + 100);
        assertThat(status.getCompletionTokens()).isEqualTo(sample.getTrace().getCompletionTokens() + 20);
        assertThat(status.getUpdatedAt()).isEqualTo(NOW);
    }

    @Test
    void everyPaidReplyCountsApartForGenerationAndTheJudgeDeadLettersAndUnreadableVerdictsIncluded() {
        var sample = TestRecords.sample("s-1");
        sample.getTrace().setSpend(spend(300, 60, 0.25));
        var unreadable = TestRecords.sample("s-2");
        io.synthstream.avro.DeadLetter truncated = io.synthstream.avro.DeadLetter.newBuilder()
                .setApp("gen")
                .setStage("generate")
                .setReason("output_truncated")
                .setMessage("cut")
                .setRequestId("r-1")
                .setSampleId("s-3")
                .setSamples(1)
                .setSpend(spend(200, 512, 0.5))
                .setFailedAt(NOW)
                .build();

        RequestStatus status = ledger(
                LedgerDeltas.generated(sample),
                LedgerDeltas.failed(truncated),
                LedgerDeltas.judged(sample, spend(100, 20, 0.125), true),
                LedgerDeltas.judged(unreadable, spend(90, 30, 0.0625), false));

        assertThat(status.getGenerationSpend().getCalls()).isEqualTo(2);
        assertThat(status.getGenerationSpend().getPromptTokens()).isEqualTo(500);
        assertThat(status.getGenerationSpend().getCompletionTokens()).isEqualTo(572);
        assertThat(status.getGenerationSpend().getCostUsd()).isEqualTo(0.75);
        assertThat(status.getJudgeSpend().getCalls()).isEqualTo(2);
        assertThat(status.getJudgeSpend().getCostUsd()).isEqualTo(0.1875);
        assertThat(status.getJudged())
                .as("the unreadable verdict was paid, not judged")
                .isEqualTo(1);
        assertThat(status.getFailed()).isEqualTo(1);
        assertThat(status.getPromptTokens()).isEqualTo(sample.getTrace().getPromptTokens() + 200 + 100 + 90);
    }

    @Test
    void attributeProposalsCostWhatTheLatestPlanStatusSaysWhateverTheOrderTheyArrive() {
        io.synthstream.avro.Spend one = spend(100, 10, 0.01);
        io.synthstream.avro.Spend three = io.synthstream.avro.Spend.newBuilder(spend(300, 30, 0.03))
                .setCalls(3)
                .build();

        RequestStatus status = ledger(
                LedgerDeltas.planned(plan(5, one)),
                LedgerDeltas.planned(plan(20, three)),
                LedgerDeltas.planned(plan(10, one)));

        assertThat(status.getDesignSpend()).isEqualTo(three);
        assertThat(status.getPromptTokens()).isEqualTo(300);
        assertThat(status.getCompletionTokens()).isEqualTo(30);
    }

    private static io.synthstream.avro.PlanStatus plan(long planned, io.synthstream.avro.Spend design) {
        return io.synthstream.avro.PlanStatus.newBuilder()
                .setRequestId("r-1")
                .setDataset("d")
                .setPlanned(planned)
                .setDesignSpend(design)
                .setUpdatedAt(NOW)
                .build();
    }

    private static io.synthstream.avro.Spend spend(long prompt, long completion, double cost) {
        return io.synthstream.avro.Spend.newBuilder()
                .setCalls(1)
                .setPromptTokens(prompt)
                .setCompletionTokens(completion)
                .setCostUsd(cost)
                .build();
    }

    @Test
    void anEvolInstructRequestRequestsEveryRoundOfEveryInstruction() {
        var spec = TestRecords.request("r-evol");
        spec.setCount(25);
        RequestStatus plain = TestRecords.status();
        Ledger.applySpec(plain, spec);
        assertThat(plain.getRequested()).isEqualTo(25);
        spec.setEvolution(
                io.synthstream.avro.Evolution.newBuilder().setRounds(3).build());
        Ledger.applySpec(plain, spec);
        assertThat(plain.getRequested()).as("the instruction and its 3 rounds").isEqualTo(100);
    }
}
