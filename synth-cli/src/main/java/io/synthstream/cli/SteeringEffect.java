package io.synthstream.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What steering did to a dataset, read from its exported rows: per attribute, the share of each
 * value among the samples planned with the request's own weights and among those planned under a
 * steering update ({@code provenance.steering_version}), so a user sees the feedback loop move the
 * mix. Attribute names and values come from Kafka and are printed as text.
 */
final class SteeringEffect {
    /** Samples per attribute and value, and in total, on each side. */
    private final Map<String, Map<String, long[]>> counts = new TreeMap<>();

    private final long[] totals = new long[2];
    private final TreeSet<Long> versions = new TreeSet<>();

    private static final int OWN = 0;
    private static final int STEERED = 1;

    /** The effect over {@code rows} (rows as {@code synth export} writes them). */
    static SteeringEffect of(Collection<? extends JsonNode> rows) {
        SteeringEffect effect = new SteeringEffect();
        for (JsonNode row : rows) {
            JsonNode version = row.path("provenance").path("steering_version");
            int side = version.isIntegralNumber() ? STEERED : OWN;
            if (side == STEERED) {
                effect.versions.add(version.asLong());
            }
            effect.totals[side]++;
            row.path("attributes")
                    .fields()
                    .forEachRemaining(a -> effect.counts.computeIfAbsent(a.getKey(), k -> new TreeMap<>())
                            .computeIfAbsent(a.getValue().asText(), k -> new long[2])[side]++);
        }
        return effect;
    }

    /** Samples planned under a steering update. */
    long steered() {
        return totals[STEERED];
    }

    /** The share of {@code value} of {@code attribute} among the steered (or unsteered) samples. */
    double share(String attribute, String value, boolean steered) {
        int side = steered ? STEERED : OWN;
        long[] n = counts.getOrDefault(attribute, Map.of()).get(value);
        return n == null || totals[side] == 0 ? 0 : (double) n[side] / totals[side];
    }

    /**
     * Prints one line per attribute: each value's share with the request's weights, then under
     * steering; or one line saying that no sample was planned under steering.
     */
    void print(PrintWriter out) {
        if (totals[STEERED] == 0) {
            out.printf(
                    "  %-40s %s%n",
                    "steering",
                    "no accepted sample was planned under a steering update (weighted mode only; updates need"
                            + " evaluator.steering.min.samples new samples)");
            return;
        }
        out.printf(
                Locale.ROOT,
                "  %-40s %d of %d accepted samples planned under steering (update%s %s)%n",
                "steering",
                totals[STEERED],
                totals[OWN] + totals[STEERED],
                versions.size() == 1 ? "" : "s",
                versions.size() == 1 ? versions.first() : versions.first() + "-" + versions.last());
        counts.forEach((attribute, values) -> {
            StringBuilder line = new StringBuilder();
            values.forEach((value, n) -> line.append(line.length() == 0 ? "" : ", ")
                    .append(value)
                    .append(String.format(
                            Locale.ROOT,
                            " %.2f -> %.2f",
                            share(attribute, value, false),
                            share(attribute, value, true))));
            out.printf(
                    "  %-40s %s%n",
                    ReportCommand.printable("share of " + attribute + " (own -> steered)"),
                    ReportCommand.printable(line.toString()));
        });
    }
}
