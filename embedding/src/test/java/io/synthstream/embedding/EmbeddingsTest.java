package io.synthstream.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EmbeddingsTest {

    @Test
    void thePoolIsSaturatedWithMaxQueuedTextsPerThreadAndFreeAgainOnceTheyAreDone() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Embedder blocked = new Embedder() {
            @Override
            public String name() {
                return "blocked";
            }

            @Override
            public float[] embed(String text) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new float[] {1f};
            }
        };
        try (Embeddings embeddings = new Embeddings(blocked, 2)) {
            List<CompletableFuture<float[]>> futures = new ArrayList<>();
            for (int i = 0; i < 2 * Embeddings.MAX_QUEUED_PER_THREAD - 1; i++) {
                futures.add(embeddings.submit("t" + i));
            }
            assertThat(embeddings.saturated()).isFalse();
            futures.add(embeddings.submit("last"));
            assertThat(embeddings.saturated()).isTrue();
            release.countDown();
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get();
            assertThat(embeddings.queued()).isZero();
            assertThat(embeddings.saturated()).isFalse();
        }
    }

    @Test
    void theEmbedderIsMadeOnTheFirstCallOnlyAndAFailureToMakeItFailsThatCall() throws Exception {
        AtomicInteger made = new AtomicInteger();
        try (Embeddings embeddings = new Embeddings(
                () -> {
                    if (made.incrementAndGet() == 1) {
                        throw new IllegalStateException("model missing");
                    }
                    return new Embedder() {
                        @Override
                        public String name() {
                            return "m";
                        }

                        @Override
                        public float[] embed(String text) {
                            return new float[] {1f, 0f};
                        }
                    };
                },
                "m",
                2,
                1)) {
            assertThat(made).hasValue(0);
            assertThat(embeddings.submit("a").handle((v, e) -> e).get()).hasMessageContaining("model missing");
            assertThat(embeddings.submit("b").get()).containsExactly(1f, 0f);
            assertThat(embeddings.submit("c").get()).containsExactly(1f, 0f);
            assertThat(made).hasValue(2);
            assertThat(embeddings.expectedDimension(5)).isEqualTo(2);
        }
    }
}
