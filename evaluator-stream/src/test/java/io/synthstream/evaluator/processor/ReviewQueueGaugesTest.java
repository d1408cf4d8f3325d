package io.synthstream.evaluator.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class ReviewQueueGaugesTest {
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(100_000), ZoneOffset.UTC);

    @Test
    void theGaugesAddUpTheTasksPartsAndForgetATaskThatMoved() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReviewQueueGauges gauges = new ReviewQueueGauges("synth-evaluator", clock);
        gauges.update(registry, new TaskId(3, 0), Map.of("reviews", new ReviewQueueGauges.Waiting(2, 40_000)));
        gauges.update(registry, new TaskId(3, 1), Map.of("reviews", new ReviewQueueGauges.Waiting(3, 70_000)));
        var size = registry.get("synth.evaluator.review.queue")
                .tags("dataset", "reviews")
                .gauge();
        var oldest = registry.get("synth.evaluator.review.oldest.seconds")
                .tags("dataset", "reviews")
                .gauge();
        assertThat(size.value()).isEqualTo(5.0);
        assertThat(oldest.value()).isEqualTo(60.0);

        gauges.remove(new TaskId(3, 0));
        assertThat(size.value()).isEqualTo(3.0);
        assertThat(oldest.value()).isEqualTo(30.0);
        gauges.update(registry, new TaskId(3, 1), Map.of());
        assertThat(size.value()).isZero();
        assertThat(oldest.value()).isZero();
    }

    @Test
    void aDatasetNameThatNoRequestCouldHaveIsOneTag() {
        assertThat(ReviewQueueGauges.tag("product-reviews.v2")).isEqualTo("product-reviews.v2");
        assertThat(ReviewQueueGauges.tag("<script>alert(1)</script>")).isEqualTo(ReviewQueueGauges.OTHER);
        assertThat(ReviewQueueGauges.tag("a\nb")).isEqualTo(ReviewQueueGauges.OTHER);
        assertThat(ReviewQueueGauges.tag(null)).isEqualTo(ReviewQueueGauges.OTHER);
    }
}
