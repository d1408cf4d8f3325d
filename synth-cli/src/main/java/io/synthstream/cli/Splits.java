package io.synthstream.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Seeded splits stratified by label, for {@code synth export --split train=0.8,test=0.2}. Each
 * label's samples are ordered by sample id (so the arrival order never matters), shuffled with a
 * generator seeded by the seed and the label, and cut by the ratios with largest-remainder
 * rounding: every split holds each label in the same proportion up to one sample, and the same
 * samples, seed and ratios always give the same assignment.
 *
 * @param ratios split name to share, in the order given; shares sum to 1
 */
record Splits(Map<String, Double> ratios) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    Splits {
        ratios = Collections.unmodifiableMap(new LinkedHashMap<>(ratios));
    }

    /**
     * Reads {@code name=share,...}: names in lower case ({@code [a-z][a-z0-9_]*}), shares
     * positive and summing to 1 (within 0.001).
     *
     * @throws IllegalArgumentException naming every problem
     */
    static Splits parse(String spec) {
        Map<String, Double> ratios = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String part : spec.split(",")) {
            String[] kv = part.strip().split("=", 2);
            if (kv.length != 2 || !NAME.matcher(kv[0].strip()).matches()) {
                problems.add("'" + part.strip() + "' is not name=share with a lower-case name");
                continue;
            }
            try {
                double share = Double.parseDouble(kv[1].strip());
                if (!(share > 0 && share <= 1)) {
                    problems.add(kv[0].strip() + ": share " + kv[1].strip() + " is not in (0, 1]");
                } else if (ratios.put(kv[0].strip(), share) != null) {
                    problems.add(kv[0].strip() + " is named twice");
                }
            } catch (NumberFormatException e) {
                problems.add(kv[0].strip() + ": share '" + kv[1].strip() + "' is not a number");
            }
        }
        double sum = ratios.values().stream().mapToDouble(Double::doubleValue).sum();
        if (problems.isEmpty() && Math.abs(sum - 1) > 0.001) {
            problems.add("shares sum to " + sum + ", not 1");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("--split " + spec + ": " + String.join("; ", problems));
        }
        return new Splits(ratios);
    }

    /**
     * The split of every sample.
     *
     * @param labels sample id to its stratum (the final label; empty when the task has none)
     */
    Map<String, String> assign(Map<String, String> labels, long seed) {
        Map<String, List<String>> strata = new TreeMap<>();
        labels.forEach((id, label) -> strata.computeIfAbsent(label == null ? "" : label, k -> new ArrayList<>())
                .add(id));
        Map<String, String> assigned = new HashMap<>();
        List<String> names = List.copyOf(ratios.keySet());
        for (Map.Entry<String, List<String>> stratum : strata.entrySet()) {
            List<String> ids = stratum.getValue();
            Collections.sort(ids);
            SplittableRandom random = new SplittableRandom(
                    seed * 0x9E3779B97F4A7C15L + stratum.getKey().hashCode());
            for (int i = ids.size() - 1; i > 0; i--) {
                Collections.swap(ids, i, random.nextInt(i + 1));
            }
            int[] sizes = sizes(ids.size(), names);
            int next = 0;
            for (int s = 0; s < names.size(); s++) {
                for (int k = 0; k < sizes[s]; k++) {
                    assigned.put(ids.get(next++), names.get(s));
                }
            }
        }
        return assigned;
    }

    /** Largest-remainder sizes of {@code n} by the ratios (ties: the split named first). */
    private int[] sizes(int n, List<String> names) {
        int[] sizes = new int[names.size()];
        double[] remainders = new double[names.size()];
        int given = 0;
        for (int s = 0; s < names.size(); s++) {
            double exact = n * ratios.get(names.get(s));
            sizes[s] = (int) Math.floor(exact);
            remainders[s] = exact - sizes[s];
            given += sizes[s];
        }
        while (given < n) {
            int best = 0;
            for (int s = 1; s < names.size(); s++) {
                if (remainders[s] > remainders[best] + 1e-12) {
                    best = s;
                }
            }
            sizes[best]++;
            remainders[best] = -1;
            given++;
        }
        return sizes;
    }
}
