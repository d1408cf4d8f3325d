package io.synthstream.generator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Chunking;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkerTest {
    private static final String TEXT =
            "Tides are the regular rise and fall of the sea caused mainly by the gravity of the Moon. "
                    .repeat(20)
                    .strip();

    @Test
    void charChunksOverlapStayWithinSizeAndCutAtWhitespace() {
        List<String> chunks = Chunker.chunks(
                TEXT, Chunking.newBuilder().setSize(200).setOverlap(40).build());
        assertThat(chunks).hasSizeGreaterThan(8);
        assertThat(chunks).allSatisfy(c -> assertThat(c.length()).isLessThanOrEqualTo(200));
        assertThat(chunks.subList(0, chunks.size() - 1))
                .allSatisfy(c -> assertThat(TEXT).contains(c + " "));
        // consecutive chunks share text (the overlap)
        String end = chunks.get(0).substring(chunks.get(0).length() - 20);
        assertThat(chunks.get(1)).contains(end.strip());
        assertThat(Chunker.chunks("short", Chunking.newBuilder().build())).containsExactly("short");
        assertThat(Chunker.chunks("  ", Chunking.newBuilder().build())).isEmpty();
    }

    @Test
    void tokenChunksCountTokensOfTheEncoding() {
        Chunking settings = Chunking.newBuilder()
                .setUnit("tokens")
                .setSize(32)
                .setOverlap(8)
                .build();
        List<String> chunks = Chunker.chunks(TEXT, settings);
        var encoding = Chunker.encoding("cl100k_base");
        assertThat(chunks).hasSizeGreaterThan(5);
        assertThat(chunks)
                .allSatisfy(c -> assertThat(encoding.countTokensOrdinary(c)).isLessThanOrEqualTo(33));
        assertThat(Chunker.chunks(TEXT, settings)).isEqualTo(chunks); // pure
    }

    @Test
    void badSettingsAreNamed() {
        assertThat(Chunker.problems(
                        "seeds.chunking",
                        Chunking.newBuilder()
                                .setUnit("words")
                                .setSize(8)
                                .setOverlap(8)
                                .setEncoding("x")
                                .build()))
                .anySatisfy(p -> assertThat(p).contains("seeds.chunking.unit 'words'"))
                .anySatisfy(p -> assertThat(p).contains("size must be at least 16"))
                .anySatisfy(p -> assertThat(p).contains("overlap must be >= 0 and below size"));
    }
}
