package io.synthstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thousand planned samples through generator → curator → evaluator on three brokers in child
 * JVMs, through one broker's controlled shutdown, another's SIGKILL and a kill -9 of one generator
 * instance: every planned sample has exactly one fate, on the topics and in the ledger.
 */
class BrokerFailureSoakIT {
    @TempDir
    Path dir;

    @Test
    void everySampleHasExactlyOneFateThroughBrokerAndInstanceFailures() throws Exception {
        BrokerFailureSoak.Summary summary =
                BrokerFailureSoak.run(BrokerFailureSoak.Options.of(1000, 3, false), dir, System.out);
        System.out.println(summary.line());
        assertThat(summary.faults()).as("all three faults happened mid-stream").hasSize(3);
        assertThat(summary.complete()).as(summary.line()).isTrue();
        assertThat(summary.lost()).as(summary.line()).isZero();
        assertThat(summary.duplicated()).as(summary.line()).isZero();
        assertThat(summary.unplanned()).as(summary.line()).isZero();
        assertThat(summary.ledgerDisagreements()).as(summary.line()).isEmpty();
        assertThat(summary.planned()).isEqualTo(1000);
        assertThat(summary.outcomes().get("rejected") + summary.outcomes().get("failed"))
                .as("the simulator's planted faults reached the curator and the DLQ")
                .isPositive();
        assertThat(summary.clean()).isTrue();
    }

    @Test
    void theLongestStallCountsFromTheFaultToTheNextAdvanceAndToTheWindowsEnd() {
        var advances = java.util.List.of(new long[] {5, 1}, new long[] {12, 2}, new long[] {30, 3}, new long[] {31, 4});
        assertThat(BrokerFailureSoak.longestStall(advances, 10, 40)).isEqualTo(18); // 12 -> 30
        assertThat(BrokerFailureSoak.longestStall(advances, 10, 100)).isEqualTo(69); // 31 -> the window's end
        assertThat(BrokerFailureSoak.longestStall(advances, 29, 31)).isEqualTo(1);
    }
}
