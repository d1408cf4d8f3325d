package io.synthstream.evaluator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ScoreDistribution;
import io.synthstream.schemas.TestRecords;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatasetReportsTest {
    private static ScoreDistribution times(long count, double mean, double p50, double p99, double max) {
        return ScoreDistribution.newBuilder()
                .setCount(count)
                .setMean(mean)
                .setMin(1)
                .setP10(p50 / 2)
                .setP50(p50)
                .setP90(p99 / 2)
                .setP99(p99)
                .setMax(max)
                .build();
    }

    private static RequestStatus ledger(String id, ScoreDistribution reviewTime) {
        RequestStatus s = RequestStatus.newBuilder(TestRecords.status())
                .setRequestId(id)
                .setPlanned(120)
                .setAccepted(100)
                .setRejectedQuality(12)
                .setRejectedQualityByReason(Map.of("judge_score", 10L, "review", 2L))
                .setRelabeled(5)
                .setRelabeledBySource(Map.of("judge", 4L, "human", 1L))
                .setReviewed(3)
                .setSurplus(1)
                .build();
        s.setReviewTime(reviewTime);
        return s;
    }

    @Test
    void shouldSumTheQualityHalfOfTheLedgersAndBoundTheReviewQuantiles() {
        DatasetReports.Quality q = DatasetReports.Totals.of(List.of(
                        ledger("r-1", times(10, 1000, 800, 3000, 3500)),
                        ledger("r-2", times(30, 2000, 1500, 2500, 5000)),
                        ledger("r-3", null)))
                .quality();

        assertThat(q.planned()).isEqualTo(360);
        assertThat(q.accepted()).isEqualTo(300);
        assertThat(q.rejected()).isEqualTo(36);
        assertThat(q.rejectedByReason()).containsEntry("judge_score", 30L).containsEntry("review", 6L);
        assertThat(q.relabeledBySource()).containsEntry("judge", 12L).containsEntry("human", 3L);
        assertThat(q.reviewed()).isEqualTo(9);
        assertThat(q.surplus()).isEqualTo(3);
        ScoreDistribution t = q.reviewTime();
        assertThat(t.getCount()).isEqualTo(40);
        assertThat(t.getMean()).isEqualTo(1750.0);
        assertThat(t.getP50())
                .as("the largest request p50 bounds the dataset's")
                .isEqualTo(1500.0);
        assertThat(t.getP99()).isEqualTo(3000.0);
        assertThat(t.getMax()).isEqualTo(5000.0);

        assertThat(DatasetReports.Totals.of(List.of(ledger("r-1", null)))
                        .quality()
                        .reviewTime())
                .isNull();
    }
}
