package io.synthstream.curator.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synthstream.common.text.TextNormalizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShinglerTest {
    private final Shingler five = new Shingler(5);

    private long[] shingles(String text) {
        return five.shingles(TextNormalizer.words(TextNormalizer.normalize(text)));
    }

    @Test
    void shouldMakeOneShinglePerWindowOfFiveWords() {
        assertThat(shingles("one two three four five six seven")).hasSize(3);
    }

    @Test
    void shouldMakeOneShingleForTextsShorterThanTheWindow() {
        assertThat(shingles("too short")).hasSize(1);
        assertThat(shingles("")).isEmpty();
    }

    @Test
    void shouldBeOrderSensitiveWithinAShingle() {
        assertThat(shingles("a b c d e")).isNotEqualTo(shingles("e d c b a"));
    }

    @Test
    void shouldReturnASortedSetWithoutRepeats() {
        long[] repeated = shingles("la la la la la la la la la");

        assertThat(repeated).hasSize(1);
        long[] text = shingles("the quick brown fox jumps over the lazy dog again and again");
        assertThat(text).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void shouldGiveSameShinglesForNormalisedVariants() {
        assertThat(shingles("The Quick, brown fox jumps!")).isEqualTo(shingles("the quick brown   FOX jumps"));
    }

    @Test
    void shouldRejectNonPositiveSize() {
        assertThatThrownBy(() -> new Shingler(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(new Shingler(3).shingles(List.of("a", "b", "c"))).hasSize(1);
    }
}
