package io.synthstream.curator;

import io.synthstream.common.text.TextNormalizer;
import io.synthstream.curator.logic.Jaccard;
import io.synthstream.curator.logic.Shingler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A seeded corpus for dedup tests: distinct originals, then planted duplicates of some of them
 * (exact copies with case, whitespace and punctuation changes; near copies with word edits,
 * sentence reorderings and appended words) and unrelated hard negatives that share a few phrases.
 * Ground truth is the exact Jaccard similarity of 5-gram shingle sets, as the curator defines it.
 */
final class DedupCorpus {
    /** One generated text with what it was made from. */
    record Doc(String id, String text, String kind, String sourceId) {}

    private static final Shingler SHINGLER = new Shingler(5);

    final List<Doc> originals = new ArrayList<>();
    final List<Doc> planted = new ArrayList<>();
    /**
     * Chains of three texts, each a window of ten sentences sliding by one: neighbours are near
     * duplicates (Jaccard about 0.8), the two ends are not (about 0.6). Whichever of a chain is
     * decided first decides the rest: a rejected middle one must not be named by the next.
     */
    final List<Doc> chains = new ArrayList<>();

    private final Random random;
    private final List<String> vocabulary = new ArrayList<>();

    DedupCorpus(long seed, int originalCount, int plantedCount) {
        this(seed, originalCount, plantedCount, 0);
    }

    DedupCorpus(long seed, int originalCount, int plantedCount, int chainCount) {
        this.random = new Random(seed);
        for (int i = 0; i < 3000; i++) {
            vocabulary.add(word());
        }
        for (int i = 0; i < originalCount; i++) {
            originals.add(new Doc("o-" + i, sentences(4 + random.nextInt(3)), "original", null));
        }
        List<Doc> sources = new ArrayList<>(originals);
        Collections.shuffle(sources, random);
        for (int i = 0; i < plantedCount; i++) {
            Doc source = sources.get(i % sources.size());
            String id = "p-" + i;
            switch (i % 6) {
                case 0 -> planted.add(new Doc(id, restyle(source.text()), "exact", source.id()));
                case 1 -> planted.add(new Doc(id, editWords(source.text(), 1), "near-edit", source.id()));
                case 2 -> planted.add(new Doc(id, reorderSentences(source.text()), "near-reorder", source.id()));
                case 3 ->
                    planted.add(new Doc(id, restyle(editWords(source.text(), 2)), "near-edit-restyled", source.id()));
                case 4 -> planted.add(new Doc(id, source.text() + " " + sentences(1), "near-append", source.id()));
                default -> planted.add(new Doc(id, mix(source.text()), "hard-negative", source.id()));
            }
        }
        for (int c = 0; c < chainCount; c++) {
            List<String> window = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                window.add(sentences(1));
            }
            for (int link = 0; link < 3; link++) {
                String text = String.join(" ", window.subList(link, link + 10));
                chains.add(
                        new Doc("c-" + c + "-" + link, text, "chain", link == 0 ? null : "c-" + c + "-" + (link - 1)));
            }
        }
    }

    /** The highest exact Jaccard of a planted doc to any original, and that original. */
    Map.Entry<String, Double> closestOriginal(Doc doc) {
        long[] shingles = shingles(doc.text());
        String best = null;
        double bestJaccard = -1;
        for (Doc original : originals) {
            double jaccard = Jaccard.exact(shingles, shingles(original.text()));
            if (jaccard > bestJaccard) {
                bestJaccard = jaccard;
                best = original.id();
            }
        }
        return Map.entry(best, bestJaccard);
    }

    /** Ground truth: planted ids whose closest original is at least {@code threshold} similar. */
    Map<String, Double> trueDuplicates(double threshold) {
        Map<String, Double> duplicates = new LinkedHashMap<>();
        for (Doc doc : planted) {
            double jaccard = closestOriginal(doc).getValue();
            if (jaccard >= threshold) {
                duplicates.put(doc.id(), jaccard);
            }
        }
        return duplicates;
    }

    static long[] shingles(String text) {
        return SHINGLER.shingles(TextNormalizer.words(TextNormalizer.normalize(text)));
    }

    private String word() {
        StringBuilder word = new StringBuilder();
        int length = 3 + random.nextInt(6);
        for (int i = 0; i < length; i++) {
            word.append((char) ('a' + random.nextInt(26)));
        }
        return word.toString();
    }

    private String sentences(int count) {
        List<String> sentences = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            List<String> words = new ArrayList<>();
            int length = 8 + random.nextInt(8);
            for (int w = 0; w < length; w++) {
                words.add(vocabulary.get(random.nextInt(vocabulary.size())));
            }
            String sentence = String.join(" ", words);
            sentences.add(Character.toUpperCase(sentence.charAt(0)) + sentence.substring(1) + ".");
        }
        return String.join(" ", sentences);
    }

    /** Same words, different case, spacing and punctuation. */
    private String restyle(String text) {
        String upper = random.nextBoolean() ? text.toUpperCase(Locale.ROOT) : text.toLowerCase(Locale.ROOT);
        return "  " + upper.replace(". ", " ;  ").replace(" ", random.nextBoolean() ? "  " : " \t") + " !";
    }

    private String editWords(String text, int edits) {
        List<String> words = new ArrayList<>(List.of(text.split(" ")));
        for (int e = 0; e < edits; e++) {
            int at = words.size() - 1 - random.nextInt(Math.min(6, words.size()));
            words.set(at, vocabulary.get(random.nextInt(vocabulary.size())));
        }
        return String.join(" ", words);
    }

    private String reorderSentences(String text) {
        List<String> sentences = new ArrayList<>(List.of(text.split("(?<=\\.) ")));
        Collections.swap(sentences, 0, sentences.size() - 1);
        return String.join(" ", sentences);
    }

    /** Keeps one sentence of the source, the rest new: similar in part, not a duplicate. */
    private String mix(String text) {
        String first = text.split("(?<=\\.) ")[0];
        return first + " " + sentences(4);
    }
}
