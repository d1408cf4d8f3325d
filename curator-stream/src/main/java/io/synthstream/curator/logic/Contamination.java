package io.synthstream.curator.logic;

import io.synthstream.avro.RejectionReason;
import io.synthstream.common.text.TextNormalizer;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decontamination: the real test records registered for each dataset ({@code synth.test-records},
 * {@code synth decontaminate}), indexed by their word 8-grams, and the check that rejects a sample
 * repeating too much of one of them: the share of the sample's distinct 8-grams that occur in a
 * single record (the record with the most), above {@code max_test_overlap}, is CONTAMINATED.
 *
 * <p>Word n-gram overlap is how the literature decontaminates (GPT-3 used 13-grams, later work 8
 * to 13); 8 words is long enough that a shared n-gram is copied text rather than a common phrase,
 * and short enough for generated samples of a few sentences. A sample of fewer than 8 words has no
 * 8-gram and is not checked.
 *
 * <p>The index lives in memory, one per curator instance, fed by the global store's processor on
 * the global thread and read by the stream threads: memory grows with the registered records'
 * n-grams (a 2,000-record test set of 150-word texts is about 300,000 entries), not with the
 * dataset. It is thread-safe; a record registered after a sample was screened does not reject it
 * retroactively, so register the test set before generating.
 */
public final class Contamination {
    public static final String STAGE = "decontamination";
    public static final String CHECK = "decontamination";

    /** Words per n-gram. */
    public static final int NGRAM = 8;

    private static final Shingler SHINGLER = new Shingler(NGRAM);

    /** The test records of one dataset: each record's n-grams, and for each n-gram the records with it. */
    private static final class DatasetIndex {
        final Map<String, long[]> records = new HashMap<>();
        final Map<String, String> ids = new HashMap<>();
        final Map<Long, List<String>> postings = new HashMap<>();

        synchronized void put(String key, String recordId, long[] shingles) {
            remove(key);
            records.put(key, shingles);
            ids.put(key, recordId);
            for (long s : shingles) {
                postings.computeIfAbsent(s, x -> new java.util.ArrayList<>(1)).add(key);
            }
        }

        synchronized void remove(String key) {
            long[] old = records.remove(key);
            ids.remove(key);
            if (old == null) {
                return;
            }
            for (long s : old) {
                List<String> keys = postings.get(s);
                if (keys != null) {
                    keys.remove(key);
                    if (keys.isEmpty()) {
                        postings.remove(s);
                    }
                }
            }
        }

        /** The record sharing the most of {@code shingles}, and how many; null when none shares one. */
        synchronized Map.Entry<String, Integer> best(long[] shingles) {
            Map<String, Integer> hits = new HashMap<>();
            for (long s : shingles) {
                List<String> keys = postings.get(s);
                if (keys != null) {
                    for (String key : keys) {
                        hits.merge(key, 1, Integer::sum);
                    }
                }
            }
            Map.Entry<String, Integer> best = null;
            for (Map.Entry<String, Integer> e : hits.entrySet()) {
                // the most shared n-grams; on a tie, the smallest key, so every instance names the same record
                if (best == null
                        || e.getValue() > best.getValue()
                        || (e.getValue().equals(best.getValue()) && e.getKey().compareTo(best.getKey()) < 0)) {
                    best = e;
                }
            }
            return best == null ? null : Map.entry(ids.get(best.getKey()), best.getValue());
        }

        synchronized int size() {
            return records.size();
        }
    }

    private final Map<String, DatasetIndex> datasets = new ConcurrentHashMap<>();
    private final Map<String, String> datasetOfKey = new ConcurrentHashMap<>();

    /**
     * Registers (or replaces) the record stored under {@code key}.
     *
     * @param text its text, normalised and split into words here
     */
    public void put(String key, String dataset, String recordId, String text) {
        String before = datasetOfKey.put(key, dataset);
        if (before != null && !before.equals(dataset)) {
            remove(before, key);
        }
        long[] shingles = shingles(TextNormalizer.words(TextNormalizer.normalize(text)));
        datasets.computeIfAbsent(dataset, d -> new DatasetIndex()).put(key, recordId, shingles);
    }

    /** Unregisters the record stored under {@code key} (a tombstone). */
    public void remove(String key) {
        String dataset = datasetOfKey.remove(key);
        if (dataset != null) {
            remove(dataset, key);
        }
    }

    private void remove(String dataset, String key) {
        DatasetIndex index = datasets.get(dataset);
        if (index != null) {
            index.remove(key);
        }
    }

    /** Records registered for {@code dataset}. */
    public int records(String dataset) {
        DatasetIndex index = datasets.get(dataset);
        return index == null ? 0 : index.size();
    }

    /** A contaminated sample: the verdict, the test record it repeats, and the share of its n-grams found there. */
    public record Found(Verdict verdict, String recordId, double overlap) {}

    /**
     * @param words the sample's normalised words
     * @param maxOverlap the largest share of the sample's 8-grams one test record may contain
     * @return a CONTAMINATED verdict naming the record and the share, or empty (also when the
     *     dataset has no registered record, or the sample has fewer than 8 words)
     */
    public Optional<Found> check(String dataset, List<String> words, double maxOverlap) {
        DatasetIndex index = datasets.get(dataset);
        if (index == null || words.size() < NGRAM) {
            return Optional.empty();
        }
        long[] shingles = shingles(words);
        Map.Entry<String, Integer> best = index.best(shingles);
        if (best == null) {
            return Optional.empty();
        }
        double overlap = (double) best.getValue() / shingles.length;
        if (overlap <= maxOverlap) {
            return Optional.empty();
        }
        Verdict verdict = new Verdict(
                RejectionReason.CONTAMINATED,
                STAGE,
                String.format(
                        Locale.ROOT,
                        "%.2f of the sample's %d-word n-grams occur in test record %s > %.2f",
                        overlap,
                        NGRAM,
                        best.getKey(),
                        maxOverlap));
        return Optional.of(new Found(verdict, best.getKey(), overlap));
    }

    private static long[] shingles(List<String> words) {
        return words.size() < NGRAM ? new long[0] : SHINGLER.shingles(words);
    }
}
