package io.synthstream.evaluator.logic;

import io.synthstream.avro.AttributeCoverage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How the curated samples cover the attribute space. Per attribute: the count of each value (every
 * declared value appears, with 0 when it has no sample), the Shannon entropy in bits of the value
 * distribution (log2 of the number of values when perfectly even, 0 when one value has everything),
 * and how many values hold fewer samples than the target per cell.
 */
public final class Coverage {
    private Coverage() {}

    /** Shannon entropy in bits of a count distribution; 0 for an empty one. */
    public static double entropyBits(Iterable<Long> counts) {
        double total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return 0;
        }
        double h = 0;
        for (long c : counts) {
            if (c > 0) {
                double p = c / total;
                h -= p * Math.log(p) / Math.log(2);
            }
        }
        return h == 0 ? 0 : h; // no -0.0
    }

    /**
     * Coverage per attribute, attributes sorted by name.
     *
     * @param curated attribute -> value -> curated samples
     * @param declared attribute -> declared values (their weights are not used here)
     * @param targetPerCell samples wanted per value, or null for no target
     */
    public static List<AttributeCoverage> of(
            Map<String, Map<String, Long>> curated, Map<String, Map<String, Double>> declared, Integer targetPerCell) {
        TreeSet<String> attributes = new TreeSet<>(curated.keySet());
        attributes.addAll(declared.keySet());
        List<AttributeCoverage> out = new ArrayList<>();
        for (String attribute : attributes) {
            Map<String, Long> counts = new TreeMap<>();
            declared.getOrDefault(attribute, Map.of()).keySet().forEach(v -> counts.put(v, 0L));
            counts.putAll(curated.getOrDefault(attribute, Map.of()));
            int below = 0;
            if (targetPerCell != null) {
                for (long c : counts.values()) {
                    if (c < targetPerCell) {
                        below++;
                    }
                }
            }
            out.add(AttributeCoverage.newBuilder()
                    .setAttribute(attribute)
                    .setCounts(counts)
                    .setEntropy(entropyBits(counts.values()))
                    .setValuesBelowTarget(below)
                    .build());
        }
        return out;
    }
}
