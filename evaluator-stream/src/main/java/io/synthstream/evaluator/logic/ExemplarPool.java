package io.synthstream.evaluator.logic;

import io.synthstream.evaluator.avro.Exemplar;
import io.synthstream.evaluator.avro.WindowEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The exemplar pool the planner shows as demonstrations: per label (or {@code *} without one),
 * the best samples by faithfulness + condition adherence + label consistency (a missing score
 * counts 0), ties broken by sample id so the pool does not depend on arrival order. Samples a human
 * reviewer accepted or corrected come first in their group ({@link #HUMAN_SCORE} above any score),
 * with their final fields and label; a sample a human rejected leaves the pool.
 */
public final class ExemplarPool {
    /** The group of samples without a label. */
    public static final String NO_LABEL = "*";

    /** A human-reviewed exemplar's score: above the most a scored sample can reach (5 + 1 + 1). */
    public static final double HUMAN_SCORE = 100;

    private ExemplarPool() {}

    /**
     * The pool after a human's decision on a sample: any earlier exemplar of it removed; when the
     * human accepted or corrected it ({@code entry.reason} null), it is added with its final
     * fields and label, ahead of the scored samples of its group.
     */
    public static List<Exemplar> reviewed(List<Exemplar> pool, int perGroup, WindowEntry entry) {
        List<Exemplar> others = new ArrayList<>();
        for (Exemplar exemplar : pool) {
            if (!exemplar.getSampleId().equals(entry.getSampleId())) {
                others.add(exemplar);
            }
        }
        if (perGroup == 0 || entry.getReason() != null || entry.getFields().isEmpty()) {
            return others;
        }
        return keepBest(others, perGroup, exemplar(entry, HUMAN_SCORE, true));
    }

    /** The pool with a scored sample considered; unchanged when the pool is off or the sample has no fields. */
    public static List<Exemplar> add(List<Exemplar> pool, int perGroup, WindowEntry sample) {
        if (perGroup == 0 || sample.getFields().isEmpty()) {
            return pool;
        }
        double score = value(sample.getFaithfulness()) + value(sample.getAdherence()) + value(sample.getConsistency());
        if (pool.stream().anyMatch(x -> x.getHuman() && x.getSampleId().equals(sample.getSampleId()))) {
            return pool; // a human's version of this sample is already there
        }
        return keepBest(pool, perGroup, exemplar(sample, score, false));
    }

    private static Exemplar exemplar(WindowEntry sample, double score, boolean human) {
        return new Exemplar(
                sample.getSampleId(),
                sample.getLabel() == null ? NO_LABEL : sample.getLabel(),
                score,
                sample.getFields(),
                sample.getAttributes(),
                human);
    }

    private static List<Exemplar> keepBest(List<Exemplar> pool, int perGroup, Exemplar added) {
        List<Exemplar> all = new ArrayList<>(pool);
        all.add(added);
        all.sort(Comparator.comparing(Exemplar::getGroup)
                .thenComparing(Comparator.comparingDouble(Exemplar::getScore).reversed())
                .thenComparing(Exemplar::getSampleId));
        List<Exemplar> kept = new ArrayList<>();
        Map<String, Integer> perLabel = new HashMap<>();
        for (Exemplar exemplar : all) {
            if (perLabel.merge(exemplar.getGroup(), 1, Integer::sum) <= perGroup) {
                kept.add(exemplar);
            }
        }
        return kept;
    }

    private static double value(Double d) {
        return d == null ? 0 : d;
    }
}
