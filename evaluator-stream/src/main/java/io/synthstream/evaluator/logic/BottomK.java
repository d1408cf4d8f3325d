package io.synthstream.evaluator.logic;

import io.synthstream.evaluator.avro.ReservoirText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * A deterministic sample of a dataset's texts: the k with the smallest hashes of their sample ids
 * (bottom-k), so the same k samples are kept whatever the arrival order, on any number of
 * instances. The cumulative self-BLEU and compression ratio are computed on it.
 */
public final class BottomK {
    private static final long SEED = 0x5EED_5A3BL;

    private BottomK() {}

    /** The rank of a sample: smaller ranks are kept. */
    public static long rank(String sampleId) {
        return MurmurHash3.hash(sampleId.getBytes(StandardCharsets.UTF_8), SEED)[0];
    }

    /**
     * The sample ordered by rank with {@code text} added when it ranks among the {@code k}
     * smallest; {@code sample} itself when it does not.
     */
    public static List<ReservoirText> add(List<ReservoirText> sample, int k, String sampleId, String text) {
        long rank = rank(sampleId);
        if (sample.size() >= k && rank >= sample.get(sample.size() - 1).getRank()) {
            return sample;
        }
        List<ReservoirText> kept = new ArrayList<>(sample);
        int at = 0;
        while (at < kept.size() && kept.get(at).getRank() < rank) {
            at++;
        }
        kept.add(at, new ReservoirText(rank, sampleId, text));
        if (kept.size() > k) {
            kept.remove(kept.size() - 1);
        }
        return kept;
    }
}
