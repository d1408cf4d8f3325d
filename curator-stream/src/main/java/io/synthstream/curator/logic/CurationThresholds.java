package io.synthstream.curator.logic;

import io.synthstream.avro.CurationSettings;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The curator's thresholds after applying a request's {@code curation} overrides to the documented
 * defaults ({@link #DEFAULTS}); the README's filter table lists the same values.
 *
 * @param minChars fewest characters of the dedup text
 * @param maxChars most characters of the dedup text
 * @param minWords fewest words
 * @param maxWords most words
 * @param maxDuplicateLineRatio largest share of non-empty lines that repeat an earlier line (Gopher: 0.30)
 * @param maxTopNgramShare largest share of word characters covered by the most frequent word bigram
 *     (Gopher: 0.20); only checked from {@link HeuristicFilters#NGRAM_MIN_WORDS} words on
 * @param maxSymbolRatio largest share of characters that are not letters, digits, whitespace or
 *     sentence punctuation
 * @param refusalPatterns case-insensitive patterns of refusals and boilerplate
 * @param maxPromptEcho largest share of the output's word trigrams found in the prompt or a
 *     demonstration
 * @param exactDedup whether exact dedup runs
 * @param nearDedup whether near-duplicate dedup runs
 * @param nearDupThreshold Jaccard similarity (estimated from signatures) from which a candidate is a
 *     near duplicate
 * @param minhashBands LSH bands
 * @param minhashRows slots per band
 * @param semanticDedup whether embedding-based semantic dedup runs
 * @param semanticThreshold cosine of the sentence embeddings from which a candidate is a semantic
 *     duplicate
 * @param maxTestOverlap largest share of a sample's word 8-grams found in one registered real test
 *     record ({@link Contamination})
 */
public record CurationThresholds(
        int minChars,
        int maxChars,
        int minWords,
        int maxWords,
        double maxDuplicateLineRatio,
        double maxTopNgramShare,
        double maxSymbolRatio,
        List<Pattern> refusalPatterns,
        double maxPromptEcho,
        boolean exactDedup,
        boolean nearDedup,
        double nearDupThreshold,
        int minhashBands,
        int minhashRows,
        boolean semanticDedup,
        double semanticThreshold,
        double maxTestOverlap) {

    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.MULTILINE;

    /** Built-in refusal and boilerplate patterns (matched after curly apostrophes become straight). */
    public static final List<String> DEFAULT_REFUSAL_PATTERNS = List.of(
            "\\bas an ai\\b",
            "\\bi(?:'m| am) (?:sorry|afraid),? but\\b",
            "\\bi (?:cannot|can't|can not|won't|will not) (?:help|assist|provide|comply|fulfil|fulfill|create|generate|write)\\b",
            "\\bi(?:'m| am) (?:not able|unable) to\\b",
            "\\b(?:against|violates?) (?:my|the|openai's) (?:guidelines|policies|policy|programming)\\b",
            "^\\s*(?:sure|certainly|of course)[,!.]?\\s+here(?:'s| is| are)\\b");

    public static final CurationThresholds DEFAULTS = new CurationThresholds(
            10,
            20_000,
            3,
            4_000,
            0.30,
            0.20,
            0.15,
            compile(DEFAULT_REFUSAL_PATTERNS),
            0.50,
            true,
            true,
            0.70,
            MinHasher.DEFAULT_BANDS,
            MinHasher.DEFAULT_ROWS,
            false,
            0.80,
            0.50);

    public CurationThresholds {
        refusalPatterns = List.copyOf(refusalPatterns);
        if (minChars > maxChars || minWords > maxWords) {
            throw new IllegalArgumentException("curation: a minimum is larger than its maximum (chars " + minChars
                    + ".." + maxChars + ", words " + minWords + ".." + maxWords + ")");
        }
        requireShare("max_duplicate_line_ratio", maxDuplicateLineRatio);
        requireShare("max_top_ngram_share", maxTopNgramShare);
        requireShare("max_symbol_ratio", maxSymbolRatio);
        requireShare("max_prompt_echo", maxPromptEcho);
        requireShare("near_dup_threshold", nearDupThreshold);
        requireShare("max_test_overlap", maxTestOverlap);
        if (!(semanticThreshold >= 0.5 && semanticThreshold <= 1.0)) {
            throw new IllegalArgumentException(
                    "curation.semantic_threshold must be a cosine between 0.5 and 1, got " + semanticThreshold);
        }
        if (minhashBands < 1 || minhashRows < 1 || minhashBands * minhashRows > 1024) {
            throw new IllegalArgumentException("curation: minhash_bands x minhash_rows must be between 1 and 1024, got "
                    + minhashBands + " x " + minhashRows);
        }
    }

    /**
     * The defaults with a request's overrides applied; null settings keep every default.
     *
     * @throws IllegalArgumentException naming the setting for an out-of-range value or a refusal
     *     pattern that is not a valid regular expression
     */
    public static CurationThresholds resolve(CurationSettings settings) {
        if (settings == null) {
            return DEFAULTS;
        }
        CurationThresholds d = DEFAULTS;
        return new CurationThresholds(
                or(settings.getMinChars(), d.minChars),
                or(settings.getMaxChars(), d.maxChars),
                or(settings.getMinWords(), d.minWords),
                or(settings.getMaxWords(), d.maxWords),
                or(settings.getMaxDuplicateLineRatio(), d.maxDuplicateLineRatio),
                or(settings.getMaxTopNgramShare(), d.maxTopNgramShare),
                or(settings.getMaxSymbolRatio(), d.maxSymbolRatio),
                Optional.ofNullable(settings.getRefusalPatterns())
                        .map(CurationThresholds::compile)
                        .orElse(d.refusalPatterns),
                or(settings.getMaxPromptEcho(), d.maxPromptEcho),
                settings.getExactDedup(),
                settings.getNearDedup(),
                or(settings.getNearDupThreshold(), d.nearDupThreshold),
                or(settings.getMinhashBands(), d.minhashBands),
                or(settings.getMinhashRows(), d.minhashRows),
                settings.getSemanticDedup(),
                or(settings.getSemanticThreshold(), d.semanticThreshold),
                or(settings.getMaxTestOverlap(), d.maxTestOverlap));
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }

    private static List<Pattern> compile(List<String> patterns) {
        Function<String, Pattern> compiler = regex -> {
            try {
                return Pattern.compile(regex, FLAGS);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(
                        "curation.refusal_patterns: invalid regular expression '" + regex + "': " + e.getDescription(),
                        e);
            }
        };
        return patterns.stream().map(compiler).toList();
    }

    private static void requireShare(String name, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException("curation." + name + " must be between 0 and 1, got " + value);
        }
    }
}
