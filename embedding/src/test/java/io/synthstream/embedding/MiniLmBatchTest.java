package io.synthstream.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link MiniLmEmbedder#embedAll}, the batched path {@code EmbeddingBatchHarness} measures: a text
 * alone in a batch gets its own vector; next to another text it does not quite, because the
 * quantized model scales its activations per batch. That, and a third of the throughput on this
 * hardware, is why the pool embeds one text per run.
 */
class MiniLmBatchTest {
    private static final String TEXT = "The paint started peeling off the wall after a month.";
    private static MiniLmEmbedder model;

    @BeforeAll
    static void load() {
        model = MiniLmEmbedder.load(Path.of("target", "native-cache"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void aBatchOfOneOrOfCopiesGivesTheVectorOfTheTextAlone() {
        float[] alone = model.embed(TEXT);
        assertThat(cosine(model.embedAll(List.of(TEXT)).get(0), alone)).isCloseTo(1.0, within(1e-6));
        assertThat(cosine(model.embedAll(List.of(TEXT, TEXT)).get(1), alone)).isCloseTo(1.0, within(1e-6));
    }

    @Test
    void aTextNextToAnotherGetsAVectorThatDependsOnItsNeighbour() {
        float[] alone = model.embed(TEXT);
        double next = cosine(
                model.embedAll(List.of(TEXT, "The movers scratched the floor and broke a lamp on Monday."))
                        .get(0),
                alone);
        assertThat(next).isLessThan(0.999).isGreaterThan(0.95);
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }
}
