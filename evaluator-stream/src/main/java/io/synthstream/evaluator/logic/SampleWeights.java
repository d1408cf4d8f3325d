package io.synthstream.evaluator.logic;

import io.synthstream.avro.FaithfulnessScore;
import java.util.Map;

/**
 * Sample weights in (0, 1].
 *
 * <ul>
 *   <li><b>quality</b>: the mean of the scores the sample has, each mapped to [0,1] (judge score
 *       (s − 1) / 4, condition adherence, label consistency of the final label), floored at {@link
 *       #FLOOR}; 1 when it has none.
 *   <li><b>balance</b>: the cell's target share over its observed share (inverse share, so the
 *       weighted dataset matches the declared distribution), divided by the largest such ratio of
 *       the dataset so the heaviest cell weighs 1. On arrival only the shares seen so far are known:
 *       the streamed weight is {@code min(1, target / observed)}, marked provisional, and {@code
 *       synth export} recomputes it from the accepted rows ({@link #balance}).
 *   <li><b>both</b>: their product.
 * </ul>
 */
public final class SampleWeights {
    /** The smallest weight a sample gets. */
    public static final double FLOOR = 0.05;

    private SampleWeights() {}

    public static double quality(FaithfulnessScore faithfulness, Double adherence, Double consistency) {
        double sum = 0;
        int n = 0;
        if (faithfulness != null && faithfulness.getScore() != null) {
            sum += (faithfulness.getScore() - 1) / 4.0;
            n++;
        }
        if (adherence != null) {
            sum += adherence;
            n++;
        }
        if (consistency != null) {
            sum += consistency;
            n++;
        }
        return n == 0 ? 1.0 : clamp(sum / n);
    }

    /** The provisional balance weight: min(1, target share / observed share); 1 when either is unknown. */
    public static double provisionalBalance(double targetShare, double observedShare) {
        if (!(targetShare > 0) || !(observedShare > 0)) {
            return 1.0;
        }
        return clamp(Math.min(1.0, targetShare / observedShare));
    }

    /**
     * Final balance weights of a set of cells: each cell's target share over its observed share,
     * divided by the largest ratio.
     *
     * @param counts accepted samples per cell
     * @param targetShares each cell's declared share (cells without one get the uniform share)
     * @return the weight per cell
     */
    public static Map<String, Double> balance(Map<String, Long> counts, Map<String, Double> targetShares) {
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        Map<String, Double> ratios = new java.util.TreeMap<>();
        double uniform = counts.isEmpty() ? 1 : 1.0 / counts.size();
        counts.forEach((cell, count) -> {
            double target = targetShares.getOrDefault(cell, uniform);
            ratios.put(cell, count == 0 || total == 0 ? 1.0 : target / ((double) count / total));
        });
        double max =
                ratios.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
        ratios.replaceAll((cell, r) -> max > 0 ? clamp(r / max) : 1.0);
        return ratios;
    }

    /** The weight under a scheme. */
    public static double combine(String scheme, double quality, double balance) {
        return switch (scheme) {
            case "quality" -> quality;
            case "balance" -> balance;
            case "both" -> clamp(quality * balance);
            default -> 1.0;
        };
    }

    private static double clamp(double w) {
        return Double.isNaN(w) ? 1.0 : Math.max(FLOOR, Math.min(1.0, w));
    }
}
