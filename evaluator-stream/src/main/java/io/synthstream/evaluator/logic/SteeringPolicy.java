package io.synthstream.evaluator.logic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * New attribute weights from coverage and yield (the evaluator → planner feedback loop). For each
 * declared attribute with at least two values, and each value v:
 *
 * <ul>
 *   <li>target share τᵥ: uniform when the request sets {@code target_per_cell} (every cell wants
 *       the same count), else the request's own weights normalised;
 *   <li>observed curated share, smoothed towards the target by a prior of {@value #PRIOR} samples:
 *       ŝᵥ = (cᵥ + m·τᵥ) / (C + m);
 *   <li>yield, Laplace-smoothed: yᵥ = (cᵥ + 1) / (cᵥ + rᵥ + 2), r the curator's rejections;
 *   <li>weight wᵥ ∝ τᵥ · clamp(τᵥ / ŝᵥ, 1/{@value #MAX_BOOST}, {@value #MAX_BOOST}) · min(1, yᵥ /
 *       y_min): under-covered values are boosted (at most ×{@value #MAX_BOOST}), over-covered ones
 *       damped, and values whose samples are mostly rejected (yield below y_min) are damped in
 *       proportion, so tokens are not spent on a cell the curator keeps throwing away.
 * </ul>
 *
 * Weights are normalised per attribute and rounded to 6 decimals; the result is a pure function of
 * the counts, so the same input always gives the same update.
 */
public final class SteeringPolicy {
    static final double PRIOR = 10;
    static final double MAX_BOOST = 4;

    private SteeringPolicy() {}

    /** New weights and a short explanation of what changed. */
    public record Result(Map<String, Map<String, Double>> weights, String reason) {}

    public static Result compute(
            Map<String, Map<String, Double>> declared,
            Map<String, Map<String, Long>> curated,
            Map<String, Map<String, Long>> rejected,
            Integer targetPerCell,
            double minYield) {
        Map<String, Map<String, Double>> weights = new TreeMap<>();
        List<String> notes = new ArrayList<>();
        for (Map.Entry<String, Map<String, Double>> attribute : new TreeMap<>(declared).entrySet()) {
            Map<String, Double> values = new TreeMap<>(attribute.getValue());
            if (values.size() < 2) {
                continue;
            }
            Map<String, Long> c = curated.getOrDefault(attribute.getKey(), Map.of());
            Map<String, Long> r = rejected.getOrDefault(attribute.getKey(), Map.of());
            double weightSum =
                    values.values().stream().mapToDouble(Double::doubleValue).sum();
            long total = 0;
            for (String v : values.keySet()) {
                total += c.getOrDefault(v, 0L);
            }
            Map<String, Double> raw = new TreeMap<>();
            double rawSum = 0;
            for (Map.Entry<String, Double> value : values.entrySet()) {
                String v = value.getKey();
                double tau =
                        targetPerCell != null || weightSum <= 0 ? 1.0 / values.size() : value.getValue() / weightSum;
                long cv = c.getOrDefault(v, 0L);
                long rv = r.getOrDefault(v, 0L);
                double share = (cv + PRIOR * tau) / (total + PRIOR);
                double boost = Math.max(1 / MAX_BOOST, Math.min(MAX_BOOST, tau / share));
                double yield = (cv + 1.0) / (cv + rv + 2.0);
                double damp = minYield <= 0 ? 1 : Math.min(1, yield / minYield);
                double w = tau * boost * damp;
                raw.put(v, w);
                rawSum += w;
                if (boost >= 1.25) {
                    notes.add(String.format(
                            java.util.Locale.ROOT,
                            "%s=%s under-covered (share %.2f, target %.2f)",
                            attribute.getKey(),
                            v,
                            total == 0 ? 0.0 : (double) cv / total,
                            tau));
                }
                if (damp < 1) {
                    notes.add(String.format(
                            java.util.Locale.ROOT, "%s=%s low yield (%.2f)", attribute.getKey(), v, yield));
                }
            }
            Map<String, Double> normalised = new TreeMap<>();
            for (Map.Entry<String, Double> e : raw.entrySet()) {
                normalised.put(e.getKey(), Math.round(e.getValue() / rawSum * 1e6) / 1e6);
            }
            weights.put(attribute.getKey(), normalised);
        }
        return new Result(weights, notes.isEmpty() ? "coverage on target" : String.join("; ", notes));
    }
}
