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
 * counts 0), ties broken by sample id so the pool does not depend on arrival order.
 */
public final class ExemplarPool {
    /** The group of samples without a label. */
    public static final String NO_LABEL = "*";

    private ExemplarPool() {}

    /** The pool with a scored sample considered; unchanged when the pool is off or the sample has no fields. */
    public static List<Exemplar> add(List<Exemplar> pool, int perGroup, WindowEntry sample) {
        if (perGroup == 0 || sample.getFields().isEmpty()) {
            return pool;
        }
        double score = value(sample.getFaithfulness()) + value(sample.getAdherence()) + value(sample.getConsistency());
        List<Exemplar> all = new ArrayList<>(pool);
        all.add(new Exemplar(
                sample.getSampleId(),
                sample.getLabel() == null ? NO_LABEL : sample.getLabel(),
                score,
                sample.getFields(),
                sample.getAttributes()));
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
