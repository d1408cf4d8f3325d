package io.synthstream.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextNormalizerTest {
    @Test
    void shouldFoldCaseWhitespaceAndPunctuation() {
        assertThat(TextNormalizer.normalize("  Hello,   WORLD!\n\tIt's  fine. "))
                .isEqualTo("hello world it s fine");
    }

    @Test
    void shouldApplyNfkcSoCompatibilityFormsCompareEqual() {
        assertThat(TextNormalizer.normalize("ＡＢＣ ﬁne ①")).isEqualTo("abc fine 1");
    }

    @Test
    void shouldGiveVariantsTheSameExactHashAndDifferentTextsDifferentOnes() {
        String hash = TextNormalizer.exactHash("The cat sat on the mat.");

        assertThat(TextNormalizer.exactHash("the  CAT sat on the mat")).isEqualTo(hash);
        assertThat(TextNormalizer.exactHash("The cat sat on the hat.")).isNotEqualTo(hash);
        assertThat(hash).hasSize(32).matches("[0-9a-f]+");
    }

    @Test
    void shouldSplitNormalisedTextIntoWords() {
        assertThat(TextNormalizer.words("a bb ccc")).containsExactly("a", "bb", "ccc");
        assertThat(TextNormalizer.words("")).isEmpty();
    }
}
