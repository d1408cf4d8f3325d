package io.synthstream.curator.logic;

import io.synthstream.avro.RejectionReason;
import io.synthstream.common.text.TextNormalizer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Quality heuristics in the spirit of the Gopher and RefinedWeb rules, adapted to generated
 * samples, applied to a sample's dedup text in this order: length, repetition, symbols, refusal.
 * The first failing check decides; its {@link Verdict} says what was measured against which
 * threshold.
 */
public final class HeuristicFilters {
    /** Stage name on rejections from these checks. */
    public static final String STAGE = "heuristics";

    /** Names of the checks, in order, as listed in {@code CurationInfo.checks_passed}. */
    public static final List<String> CHECKS = List.of("length", "repetition", "symbols", "refusal");

    /** Texts shorter than this many words skip the top-bigram check: it is meaningless on a sentence. */
    public static final int NGRAM_MIN_WORDS = 20;

    /** Sentence punctuation that does not count as a symbol. */
    private static final String SENTENCE_PUNCTUATION = ".,;:!?'\"()-";

    private HeuristicFilters() {}

    /** The first failing check, or empty when the text passes them all. */
    public static Optional<Verdict> check(String text, CurationThresholds t) {
        return check(text, TextNormalizer.words(TextNormalizer.normalize(text)), t);
    }

    /** As {@link #check(String, CurationThresholds)}, with the text's normalised words already at hand. */
    public static Optional<Verdict> check(String text, List<String> words, CurationThresholds t) {
        int chars = text.strip().length();
        if (chars < t.minChars() || chars > t.maxChars()) {
            return reject(RejectionReason.LENGTH, "%d characters, allowed %d..%d", chars, t.minChars(), t.maxChars());
        }
        if (words.size() < t.minWords() || words.size() > t.maxWords()) {
            return reject(RejectionReason.LENGTH, "%d words, allowed %d..%d", words.size(), t.minWords(), t.maxWords());
        }
        double duplicateLines = duplicateLineRatio(text);
        if (duplicateLines > t.maxDuplicateLineRatio()) {
            return reject(
                    RejectionReason.REPETITION,
                    "duplicate-line ratio %.2f > %.2f",
                    duplicateLines,
                    t.maxDuplicateLineRatio());
        }
        if (words.size() >= NGRAM_MIN_WORDS) {
            double topBigram = topBigramShare(words);
            if (topBigram > t.maxTopNgramShare()) {
                return reject(
                        RejectionReason.REPETITION,
                        "most frequent bigram covers %.2f of the characters > %.2f",
                        topBigram,
                        t.maxTopNgramShare());
            }
        }
        double symbols = symbolRatio(text);
        if (symbols > t.maxSymbolRatio()) {
            return reject(RejectionReason.SYMBOL_RATIO, "symbol ratio %.2f > %.2f", symbols, t.maxSymbolRatio());
        }
        String straightened = text.replace('\u2018', '\'').replace('\u2019', '\'');
        for (Pattern pattern : t.refusalPatterns()) {
            Matcher matcher = pattern.matcher(straightened);
            if (matcher.find()) {
                return reject(
                        RejectionReason.REFUSAL,
                        "matches refusal/boilerplate pattern '%s': \"%s\"",
                        pattern,
                        matcher.group());
            }
        }
        return Optional.empty();
    }

    /** Share of non-empty lines that repeat an earlier line (after trimming and lower-casing). */
    static double duplicateLineRatio(String text) {
        Set<String> seen = new HashSet<>();
        int lines = 0;
        int duplicates = 0;
        for (String line : text.split("\\R")) {
            String key = line.strip().toLowerCase(Locale.ROOT);
            if (key.isEmpty()) {
                continue;
            }
            lines++;
            if (!seen.add(key)) {
                duplicates++;
            }
        }
        return lines == 0 ? 0.0 : (double) duplicates / lines;
    }

    /**
     * Characters covered by all occurrences of the most frequent word bigram, over the characters
     * of all words (Gopher's "top 2-gram character fraction").
     */
    static double topBigramShare(List<String> words) {
        Map<String, Integer> counts = new HashMap<>();
        int best = 0;
        String top = null;
        for (int i = 0; i + 1 < words.size(); i++) {
            String bigram = words.get(i) + " " + words.get(i + 1);
            int count = counts.merge(bigram, 1, Integer::sum);
            if (count > best) {
                best = count;
                top = bigram;
            }
        }
        if (top == null || best < 2) {
            return 0.0;
        }
        int totalChars = words.stream().mapToInt(String::length).sum();
        int bigramChars = top.length() - 1; // without the joining space
        return totalChars == 0 ? 0.0 : (double) best * bigramChars / totalChars;
    }

    /** Share of characters that are not letters, digits, whitespace or sentence punctuation. */
    static double symbolRatio(String text) {
        int total = 0;
        int symbols = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp)) {
                continue;
            }
            total++;
            if (!Character.isLetterOrDigit(cp) && SENTENCE_PUNCTUATION.indexOf(cp) < 0) {
                symbols++;
            }
        }
        return total == 0 ? 0.0 : (double) symbols / total;
    }

    private static Optional<Verdict> reject(RejectionReason reason, String format, Object... args) {
        return Optional.of(new Verdict(reason, STAGE, String.format(Locale.ROOT, format, args)));
    }
}
