package io.synthstream.evaluator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.ReviewDecision;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReviewDecisionsTest {
    private static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

    @Test
    void plainJsonBecomesADecisionWithItsTimeAndReviewerFilledIn() {
        ReviewDecisions.FromJson parsed = ReviewDecisions.fromJson(
                "{\"sample_id\": \"s-1\", \"action\": \"relabel\", \"label\": \"negative\"}"
                        .getBytes(StandardCharsets.UTF_8),
                NOW,
                "dashboard");
        assertThat(parsed.problems()).isEmpty();
        ReviewDecision decision = parsed.decision();
        assertThat(decision.getLabel()).isEqualTo("negative");
        assertThat(decision.getReviewer()).isEqualTo("dashboard");
        assertThat(decision.getDecidedAt()).isEqualTo(NOW);

        assertThat(ReviewDecisions.fromJson(
                                ("{\"sample_id\": \"s-1\", \"action\": \"accept\", \"reviewer\": \"ana\","
                                                + " \"decided_at\": \"2026-12-01T08:00:00Z\"}")
                                        .getBytes(StandardCharsets.UTF_8),
                                NOW,
                                null)
                        .decision()
                        .getDecidedAt())
                .isEqualTo(Instant.parse("2026-12-01T08:00:00Z"));
    }

    @Test
    void whatIsNotADecisionIsRefusedWithTheReason() {
        assertThat(ReviewDecisions.fromJson("[1]".getBytes(StandardCharsets.UTF_8), NOW, null)
                        .problems())
                .containsExactly("a decision is a JSON object");
        assertThat(ReviewDecisions.fromJson(new byte[ReviewDecisions.MAX_JSON_BYTES + 1], NOW, null)
                        .problems())
                .singleElement()
                .asString()
                .contains("above the limit");
        assertThat(ReviewDecisions.fromJson(
                                "{\"sample_id\": \"s-1\", \"action\": \"accept\"}".getBytes(StandardCharsets.UTF_8),
                                NOW,
                                null)
                        .problems())
                .singleElement()
                .asString()
                .contains("reviewer");
        assertThat(ReviewDecisions.fromJson(null, NOW, null).problems()).containsExactly("the record has no value");
    }

    @Test
    void reasonsAreCountedAsWrittenLooselyAndBoundedInNumber() {
        assertThat(ReviewDecisions.reasonKey("  Off   Topic \n")).isEqualTo("off topic");
        assertThat(ReviewDecisions.reasonKey(null)).isEqualTo(ReviewDecisions.REVIEW);
        assertThat(ReviewDecisions.reasonKey("x".repeat(100))).hasSize(60);
        Map<String, Long> counts = Map.of();
        for (int i = 0; i < ReviewDecisions.MAX_REASONS + 5; i++) {
            counts = ReviewDecisions.countReason(counts, "reason " + i, 1);
        }
        counts = ReviewDecisions.countReason(counts, "reason 0", 1);
        assertThat(counts).hasSize(ReviewDecisions.MAX_REASONS + 1);
        assertThat(counts).containsEntry("reason 0", 2L).containsEntry(ReviewDecisions.OTHER_REASON, 5L);
        assertThat(ReviewDecisions.countReason(Map.of("a", 1L), "a", -1)).isEmpty();
    }
}
