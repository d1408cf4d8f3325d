package io.synthstream.curator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.CurationSettings;
import io.synthstream.avro.RejectionReason;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeuristicFiltersTest {
    private static final CurationThresholds DEFAULTS = CurationThresholds.DEFAULTS;

    private static Optional<Verdict> check(String text) {
        return HeuristicFilters.check(text, DEFAULTS);
    }

    @Test
    void shouldPassAnOrdinarySample() {
        assertThat(check("The battery easily lasts two days, and the screen is bright enough to read outdoors."))
                .isEmpty();
    }

    @Test
    void shouldRejectTooShortAndTooFewWords() {
        assertThat(check("Great!")).get().extracting(Verdict::reason).isEqualTo(RejectionReason.LENGTH);
        assertThat(check("Wonderfulness!!"))
                .get()
                .extracting(Verdict::detail)
                .asString()
                .contains("1 words");
    }

    @Test
    void shouldRejectTooLong() {
        assertThat(check("word ".repeat(5000)))
                .get()
                .extracting(Verdict::detail)
                .asString()
                .contains("characters, allowed 10..20000");
    }

    @Test
    void shouldRejectRepeatedLines() {
        String text = "Buy now and save.\nBuy now and save.\nBuy now and save.\nA real offer today.";

        assertThat(check(text))
                .get()
                .satisfies(v -> assertThat(v.reason()).isEqualTo(RejectionReason.REPETITION))
                .extracting(Verdict::detail)
                .asString()
                .contains("duplicate-line ratio 0.50 > 0.30");
    }

    @Test
    void shouldRejectADominantBigramOnlyInLongerTexts() {
        String looping = "very good ".repeat(12) + "product overall and I would recommend it to my friends";
        String shortLoop = "very good very good product";

        assertThat(check(looping)).get().extracting(Verdict::reason).isEqualTo(RejectionReason.REPETITION);
        assertThat(check(shortLoop)).isEmpty();
        assertThat(HeuristicFilters.topBigramShare(List.of("a", "b", "a", "b"))).isEqualTo(1.0);
        assertThat(HeuristicFilters.topBigramShare(List.of("a", "b", "c"))).isZero();
    }

    @Test
    void shouldRejectSymbolSoupButNotNumbersOrPunctuation() {
        assertThat(check("$$$ ### @@@ >>> *** ~~~ %%% ^^^ &&& +++ === wow"))
                .get()
                .extracting(Verdict::reason)
                .isEqualTo(RejectionReason.SYMBOL_RATIO);
        assertThat(check("The answer is 42 (forty-two); it's correct, isn't it?"))
                .isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "As an AI language model, I do not have personal opinions about phones.",
                "I'm sorry, but I cannot write a review that contains made-up claims.",
                "I cannot help with creating fake product reviews for this store.",
                "I am unable to produce that kind of content for you today.",
                "Sure, here is a positive review of the headphones you asked for.",
                "I’m sorry, but that request goes against my guidelines entirely."
            })
    void shouldRejectRefusalsAndBoilerplate(String text) {
        assertThat(check(text)).get().extracting(Verdict::reason).isEqualTo(RejectionReason.REFUSAL);
    }

    @Test
    void shouldUseRequestOverrides() {
        CurationSettings settings = CurationSettings.newBuilder()
                .setMinChars(100)
                .setRefusalPatterns(List.of("\\bbanana\\b"))
                .build();
        CurationThresholds thresholds = CurationThresholds.resolve(settings);

        assertThat(HeuristicFilters.check("A short but otherwise fine sentence here.", thresholds))
                .get()
                .extracting(Verdict::reason)
                .isEqualTo(RejectionReason.LENGTH);
        String longEnough =
                "This review is long enough to pass the raised minimum length of one hundred characters, and it mentions a banana once.";
        assertThat(HeuristicFilters.check(longEnough, thresholds))
                .get()
                .extracting(Verdict::reason)
                .isEqualTo(RejectionReason.REFUSAL);
        assertThat(HeuristicFilters.check(
                        "As an AI I think this phone is very fine indeed, truly one of the best I have used in a long, long while.",
                        thresholds))
                .as("built-in refusal patterns are replaced, not extended")
                .isEmpty();
    }

    private static java.util.Optional<RejectionReason> reason(String text, CurationSettings settings) {
        return HeuristicFilters.check(text, CurationThresholds.resolve(settings))
                .map(Verdict::reason);
    }

    @Test
    void eachThresholdOfARequestMovesTheDecision() {
        CurationSettings none = CurationSettings.newBuilder().build();
        String sentence = "The battery lasts two full days and the screen stays bright outdoors.";
        // min_words / max_words
        assertThat(reason(sentence, none)).isEmpty();
        assertThat(reason(
                        sentence, CurationSettings.newBuilder().setMinWords(20).build()))
                .contains(RejectionReason.LENGTH);
        assertThat(reason(sentence, CurationSettings.newBuilder().setMaxWords(5).build()))
                .contains(RejectionReason.LENGTH);
        // max_duplicate_line_ratio
        String lines = "Great phone.\nGreat phone.\nThe camera is sharp and quick.\nBattery is fine all day long.";
        assertThat(reason(lines, none)).isEmpty();
        assertThat(reason(
                        lines,
                        CurationSettings.newBuilder()
                                .setMaxDuplicateLineRatio(0.1)
                                .build()))
                .contains(RejectionReason.REPETITION);
        // max_top_ngram_share
        String repetitive = "very good very good very good phone with a very good screen and a very good battery that"
                + " lasts very long and a very good camera too"; // 20 words at least: the bigram check applies
        assertThat(reason(
                        repetitive,
                        CurationSettings.newBuilder().setMaxTopNgramShare(0.9).build()))
                .isEmpty();
        assertThat(reason(
                        repetitive,
                        CurationSettings.newBuilder().setMaxTopNgramShare(0.05).build()))
                .contains(RejectionReason.REPETITION);
        // max_symbol_ratio
        String symbols = "Price: $$$ 100 %% off!!! ### deal ***";
        assertThat(reason(
                        symbols,
                        CurationSettings.newBuilder().setMaxSymbolRatio(0.9).build()))
                .isEmpty();
        assertThat(reason(
                        symbols,
                        CurationSettings.newBuilder().setMaxSymbolRatio(0.05).build()))
                .contains(RejectionReason.SYMBOL_RATIO);
    }
}
