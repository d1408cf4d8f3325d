package io.synthstream.common.quality;

import io.synthstream.avro.AuditCounts;
import java.util.Locale;

/**
 * How far the quality gate agrees with people, from the audit's two-by-two table ({@link
 * AuditCounts}): the gate's pass or reject against a person's accept or reject on the same samples.
 * "Accept" is the positive class: precision is the share of the gate's passes that people accepted,
 * recall the share of people's accepts that the gate passed. Cohen's kappa is the agreement beyond
 * what the two rates alone would give by chance, with the large-sample standard error of Cohen
 * (1960) for a 95% interval. The audit picks samples by a hash of their id, at one rate for passes
 * and rejections, so these are estimates for every sample the gate decided.
 *
 * <p>Written here rather than taken from a library: the statistics are a few lines over four
 * counts, and neither Commons Math nor the project's other dependencies has Cohen's kappa; a whole
 * ML library for four counts would not be a careful choice.
 *
 * @param n audited samples a person decided
 * @param observed share of them where the gate and the person agree
 * @param kappa Cohen's kappa, NaN when undefined (the gate and the people each used one class only)
 * @param kappaLow lower end of the 95% interval of kappa (NaN with it)
 * @param kappaHigh upper end of the 95% interval (NaN with it)
 * @param precision share of the gate's audited passes that people accepted (NaN with no pass)
 * @param recall share of people's accepts that the gate passed (NaN with no accept)
 */
public record Agreement(
        long n, double observed, double kappa, double kappaLow, double kappaHigh, double precision, double recall) {

    /** The agreement in {@code counts}; {@code n} is 0 and every figure NaN before a person decided. */
    public static Agreement of(AuditCounts counts) {
        long pa = counts.getPassAccepted();
        long pr = counts.getPassRejected();
        long ra = counts.getRejectAccepted();
        long rr = counts.getRejectRejected();
        long n = pa + pr + ra + rr;
        if (n == 0) {
            return new Agreement(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double observed = (double) (pa + rr) / n;
        double gatePass = (double) (pa + pr) / n;
        double peopleAccept = (double) (pa + ra) / n;
        double chance = gatePass * peopleAccept + (1 - gatePass) * (1 - peopleAccept);
        double kappa = Double.NaN;
        double low = Double.NaN;
        double high = Double.NaN;
        if (chance < 1) {
            kappa = (observed - chance) / (1 - chance);
            double se = Math.sqrt(observed * (1 - observed) / (n * (1 - chance) * (1 - chance)));
            low = Math.max(-1, kappa - 1.96 * se);
            high = Math.min(1, kappa + 1.96 * se);
        }
        return new Agreement(n, observed, kappa, low, high, ratio(pa, pa + pr), ratio(pa, pa + ra));
    }

    /**
     * Landis and Koch's (1977) words for a kappa: poor (below 0), slight, fair, moderate,
     * substantial, almost perfect; "undefined" for NaN.
     */
    public static String strength(double kappa) {
        if (Double.isNaN(kappa)) {
            return "undefined";
        }
        if (kappa < 0) {
            return "poor";
        }
        if (kappa <= 0.2) {
            return "slight";
        }
        if (kappa <= 0.4) {
            return "fair";
        }
        if (kappa <= 0.6) {
            return "moderate";
        }
        if (kappa <= 0.8) {
            return "substantial";
        }
        return "almost perfect";
    }

    /** The table in one line, as {@code synth report} prints it. */
    public static String describe(AuditCounts counts) {
        Agreement a = of(counts);
        StringBuilder out = new StringBuilder();
        out.append(counts.getSent()).append(" sent, ").append(a.n()).append(" decided by people");
        if (counts.getTimedOut() > 0) {
            out.append(", ").append(counts.getTimedOut()).append(" timed out (the gate's decision stood)");
        }
        if (a.n() == 0) {
            return out.toString();
        }
        out.append("; agreement ").append(fmt(a.observed()));
        if (Double.isNaN(a.kappa())) {
            out.append(", kappa undefined (gate or people used one class only)");
        } else {
            out.append(", kappa ")
                    .append(fmt(a.kappa()))
                    .append(" [")
                    .append(fmt(a.kappaLow()))
                    .append(", ")
                    .append(fmt(a.kappaHigh()))
                    .append("] ")
                    .append(strength(a.kappa()));
        }
        long pa = counts.getPassAccepted();
        out.append("; precision ")
                .append(share(a.precision(), pa, pa + counts.getPassRejected()))
                .append(", recall ")
                .append(share(a.recall(), pa, pa + counts.getRejectAccepted()));
        return out.toString();
    }

    private static String share(double value, long part, long whole) {
        return Double.isNaN(value) ? "n/a (0 of 0)" : fmt(value) + " (" + part + " of " + whole + ")";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static double ratio(long part, long whole) {
        return whole == 0 ? Double.NaN : (double) part / whole;
    }
}
