package io.synthstream.generator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Budget;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.Spend;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BudgetsTest {
    private static final Budget ONE_DOLLAR =
            Budget.newBuilder().setMaxCostUsd(1.0).build();

    private static RequestStatus ledger(long generated, long failed, Spend generation, Spend judge) {
        return ledger(generated, failed, 0, generation, judge);
    }

    private static RequestStatus ledger(long generated, long failed, long rejected, Spend generation, Spend judge) {
        return RequestStatus.newBuilder()
                .setRejected(rejected)
                .setRequestId("r")
                .setDataset("d")
                .setRequested(1000)
                .setGenerated(generated)
                .setFailed(failed)
                .setGenerationSpend(generation)
                .setJudgeSpend(judge)
                .setUpdatedAt(Instant.EPOCH)
                .build();
    }

    private static Spend spend(long calls, long tokens, double cost) {
        return Spend.newBuilder()
                .setCalls(calls)
                .setPromptTokens(tokens)
                .setCostUsd(cost)
                .build();
    }

    @Test
    void withoutABudgetNothingLimitsPlanning() {
        assertThat(Budgets.allowance(null, 10, null).samples()).isEqualTo(Long.MAX_VALUE);
        assertThat(Budgets.allowance(new Budget(), 10, null).exhausted()).isFalse();
    }

    @Test
    void beforeAnySampleIsPricedOnlyAProbeIsPlanned() {
        assertThat(Budgets.allowance(ONE_DOLLAR, 0, null).samples()).isEqualTo(Budgets.PROBE);
        assertThat(Budgets.allowance(ONE_DOLLAR, 3, ledger(0, 0, null, null)).samples())
                .isEqualTo(1);
        Budgets.Allowance waiting = Budgets.allowance(ONE_DOLLAR, Budgets.PROBE, null);
        assertThat(waiting.samples()).isZero();
        assertThat(waiting.exhausted())
                .as("it waits for the ledger, it does not stop")
                .isFalse();
    }

    @Test
    void whatIsSpentAndWhatIsInFlightAreSubtractedAtTheMeanCostOfASample() {
        // 100 samples counted for $0.50 of generation: $0.005 each; settled: 1 failed, 10 rejected by
        // curation and 89 judged for $0.25: the judge costs $0.0025 a generated sample.
        RequestStatus status = ledger(99, 1, 10, spend(110, 50_000, 0.50), spend(89, 20_000, 0.25));
        // committed = 0.75 + (120 planned - 100 counted) x 0.0075 = 0.90; room = 0.10 / 0.0075 = 13.3
        assertThat(Budgets.allowance(ONE_DOLLAR, 120, status).samples()).isEqualTo(13);
        // tokens: 500 + 200 a sample, committed 70000 + 20 x 700 = 84000; room = 16000 / 700 = 22.9
        Budget tokens = Budget.newBuilder().setMaxTokens(100_000L).build();
        assertThat(Budgets.allowance(tokens, 120, status).samples()).isEqualTo(22);
        Budget both =
                Budget.newBuilder().setMaxCostUsd(1.0).setMaxTokens(100_000L).build();
        assertThat(Budgets.allowance(both, 120, status).samples())
                .as("the tighter limit")
                .isEqualTo(13);
        // two samples counted and not settled yet: their judge cost is still to come
        RequestStatus unsettled = ledger(101, 1, 10, spend(112, 51_000, 0.51), spend(89, 20_000, 0.25));
        // committed = 0.76 + 18 x 0.0075 + 2 x 0.0025 = 0.90
        assertThat(Budgets.allowance(ONE_DOLLAR, 120, unsettled).samples()).isEqualTo(13);
    }

    @Test
    void samplesInFlightGrowNoFasterThanThoseCounted() {
        RequestStatus generatedOnly = ledger(6, 0, spend(6, 3000, 0.06), null);

        assertThat(Budgets.allowance(ONE_DOLLAR, 8, generatedOnly).samples()).isEqualTo(4);
        assertThat(Budgets.allowance(ONE_DOLLAR, 12, generatedOnly).samples()).isZero();
        assertThat(Budgets.allowance(ONE_DOLLAR, 12, generatedOnly).exhausted()).isFalse();
    }

    @Test
    void planningStopsWhenSpentPlusInFlightReachesTheLimit() {
        RequestStatus status = ledger(10, 0, spend(10, 5000, 0.90), null);
        // $0.09 a sample, 1 in flight: committed 0.99, room 0.01 < one sample: planning pauses
        Budgets.Allowance paused = Budgets.allowance(ONE_DOLLAR, 11, status);
        assertThat(paused.samples()).isZero();
        assertThat(paused.exhausted()).as("the sample in flight may cost less").isFalse();
        assertThat(Budgets.allowance(ONE_DOLLAR, 10, status).samples()).isEqualTo(1);
        // that sample cost $0.095: $1.00 - $0.995 leaves no room, and nothing is in flight
        RequestStatus spent = ledger(11, 0, spend(11, 5500, 0.995), null);
        assertThat(Budgets.allowance(ONE_DOLLAR, 11, spent).exhausted()).isTrue();
    }

    private static RequestStatus other(String id, long planned, long generated, double generationCost) {
        RequestStatus status = ledger(generated, 0, spend(generated, generated * 100, generationCost), null);
        status.setRequestId(id);
        status.setPlanned(planned);
        return status;
    }

    @Test
    void aDatasetBudgetCountsWhatEveryRequestOfTheDatasetSpentAndHasInFlight() {
        // This request: 100 samples counted at $0.002 each, 20 in flight. Another request of the
        // dataset: $0.50 spent on 100 samples ($0.005 each), 100 more in flight.
        RequestStatus mine = ledger(100, 0, spend(100, 10_000, 0.2), null);
        RequestStatus theirs = other("r-2", 200, 100, 0.5);
        Budget dataset = Budget.newBuilder().setMaxCostUsd(1.5).build();

        Budgets.Allowance allowance = Budgets.allowance(null, dataset, 120, mine, java.util.List.of(theirs));

        // committed: 0.2 + 20 x 0.002 + 0.5 + 100 x 0.005 = 1.24; room (1.5 - 1.24) / 0.002 = 130,
        // split between the two requests still planning
        assertThat(allowance.samples()).isEqualTo(65);
        theirs.setPlanningStopped(true);
        assertThat(Budgets.allowance(null, dataset, 120, mine, java.util.List.of(theirs))
                        .samples())
                .as("the other request plans no more: the room is this one's, up to its slow start")
                .isEqualTo(80); // at most 100 in flight, 20 are
        theirs.setPlanningStopped(false);
        assertThat(Budgets.allowance(
                                null,
                                Budget.newBuilder().setMaxCostUsd(1.26).build(),
                                120,
                                mine,
                                java.util.List.of(theirs))
                        .samples())
                .as("(1.26 - 1.24) / 0.002 = 10, half of it")
                .isEqualTo(5);
        assertThat(Budgets.allowance(null, dataset, 120, mine, java.util.List.of())
                        .samples())
                .as("alone, the request has room for its slow start")
                .isEqualTo(80);
    }

    @Test
    void theSmallerOfTheRequestsAndTheDatasetsBudgetsHolds() {
        RequestStatus mine = ledger(100, 0, spend(100, 10_000, 0.2), null);
        RequestStatus theirs = other("r-2", 100, 100, 0.9);

        assertThat(Budgets.allowance(
                                Budget.newBuilder().setMaxTokens(12_500L).build(),
                                Budget.newBuilder().setMaxCostUsd(10.0).build(),
                                100,
                                mine,
                                java.util.List.of(theirs))
                        .samples())
                .as("the request's own budget: (12500 - 10000) / 100 tokens")
                .isEqualTo(25);
        Budgets.Allowance dataset = Budgets.allowance(
                Budget.newBuilder().setMaxCostUsd(10.0).build(),
                Budget.newBuilder().setMaxCostUsd(1.1).build(),
                100,
                mine,
                java.util.List.of(theirs));
        assertThat(dataset.samples())
                .as("the dataset's: 0.2 + 0.9 spent of 1.1")
                .isZero();
        assertThat(dataset.exhausted())
                .as("nothing of the dataset is in flight")
                .isTrue();
    }

    @Test
    void aDatasetOverItsBudgetPausesANewRequestWhileOthersAreInFlightAndStopsItOnceNoneIs() {
        Budget dataset = Budget.newBuilder().setMaxCostUsd(1.0).build();
        Budgets.Allowance paused =
                Budgets.allowance(null, dataset, 0, null, java.util.List.of(other("r-2", 300, 250, 1.2)));
        assertThat(paused.samples())
                .as("no probe: the dataset has nothing left")
                .isZero();
        assertThat(paused.exhausted()).isFalse();

        Budgets.Allowance stopped =
                Budgets.allowance(null, dataset, 0, null, java.util.List.of(other("r-2", 250, 250, 1.2)));
        assertThat(stopped.exhausted()).isTrue();

        assertThat(Budgets.allowance(null, dataset, 0, null, java.util.List.of(other("r-2", 250, 250, 0.5)))
                        .samples())
                .as("room left: this request probes")
                .isEqualTo(Budgets.PROBE);
    }
}
