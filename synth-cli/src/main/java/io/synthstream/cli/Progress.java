package io.synthstream.cli;

import io.synthstream.avro.RequestStatus;
import io.synthstream.evaluator.logic.Ledger;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Progress bars from the ledger: one line per request, redrawn in place on a terminal and printed
 * only when it changes otherwise (logs, CI).
 */
final class Progress {
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final boolean terminal;
    private final Map<String, String> shown = new TreeMap<>();
    private int drawnLines;

    Progress(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /**
     * One request's line: a target of accepted samples counts accepted ones; otherwise the bar
     * counts planned samples whose fate is final.
     */
    static String line(RequestStatus s) {
        boolean accepted = "accepted".equals(s.getTarget());
        long target = Math.max(1, accepted ? s.getRequested() : Math.max(s.getRequested(), s.getPlanned()));
        long done = accepted ? s.getAccepted() : Ledger.accounted(s);
        int filled = (int) Math.min(WIDTH, WIDTH * done / target);
        return String.format(
                Locale.ROOT,
                "%-28s [%s%s] %5d/%-5d %s; planned %d, curated %d, accepted %d, rejected %d+%d, failed %d,"
                        + " in review %d%s",
                s.getRequestId(),
                "#".repeat(filled),
                ".".repeat(WIDTH - filled),
                done,
                target,
                accepted ? "accepted" : "decided",
                s.getPlanned(),
                s.getCurated(),
                s.getAccepted(),
                s.getRejected(),
                s.getRejectedQuality(),
                s.getFailed(),
                s.getInReview(),
                seeds(s) + cost(s) + (s.getComplete() ? "  complete" : ""));
    }

    /** What the request's calls cost so far, or nothing before the first reply. */
    private static String cost(RequestStatus s) {
        var spend = io.synthstream.common.llm.Spends.of(s);
        return spend == null
                ? ""
                : String.format(
                        Locale.ROOT,
                        ", $%.4f%s",
                        spend.getCostUsd(),
                        spend.getEstimatedTokens() > 0 || spend.getUnpricedTokens() > 0 ? "*" : "");
    }

    /** The seed terms of a seeded request's ledger, or nothing. */
    private static String seeds(RequestStatus s) {
        if (s.getSeedsReceived() == 0 && s.getSeedsFailed() == 0) {
            return "";
        }
        return String.format(
                Locale.ROOT,
                "; seeds %d (planned %d, failed %d, unused %d)",
                s.getSeedsReceived(),
                s.getSeedsPlanned(),
                s.getSeedsFailed(),
                s.getSeedsUnused());
    }

    /** Shows the latest status of each request. */
    void show(Map<String, RequestStatus> latest) {
        Map<String, String> lines = new TreeMap<>();
        latest.forEach((id, s) -> lines.put(id, line(s)));
        if (lines.equals(shown)) {
            return;
        }
        if (terminal) {
            if (drawnLines > 0) {
                out.print("\033[" + drawnLines + "F");
            }
            lines.values().forEach(l -> out.print(l + "\033[K\n"));
            drawnLines = lines.size();
        } else {
            lines.forEach((id, l) -> {
                if (!l.equals(shown.get(id))) {
                    out.println(l);
                }
            });
        }
        out.flush();
        shown.clear();
        shown.putAll(lines);
    }

    /**
     * A count towards a known total with its rate: redrawn in place at most every 200 ms on a
     * terminal, printed at every tenth otherwise (logs, CI).
     */
    static final class Counter {
        private final PrintWriter out;
        private final boolean terminal;
        private final String what;
        private final long total;
        private final long started = System.nanoTime();
        private long count;
        private long lastDrawn;
        private long lastTenth;

        Counter(PrintWriter out, boolean terminal, String what, long total) {
            this.out = out;
            this.terminal = terminal;
            this.what = what;
            this.total = Math.max(1, total);
        }

        void add(long n) {
            count += n;
            long now = System.nanoTime();
            long tenth = 10 * count / total;
            if (terminal ? now - lastDrawn > 200_000_000L : tenth > lastTenth) {
                lastDrawn = now;
                lastTenth = tenth;
                draw(now);
            }
        }

        void done() {
            if (terminal || lastTenth < 10) {
                draw(System.nanoTime());
            }
            if (terminal) {
                out.println();
            }
            out.flush();
        }

        String line(long now) {
            double seconds = Math.max(1e-9, (now - started) / 1e9);
            int filled = (int) Math.min(WIDTH, WIDTH * count / total);
            return String.format(
                    Locale.ROOT,
                    "%s [%s%s] %d/%d (%.0f/s)",
                    what,
                    "#".repeat(filled),
                    ".".repeat(WIDTH - filled),
                    count,
                    total,
                    count / seconds);
        }

        private void draw(long now) {
            if (terminal) {
                out.print("\r" + line(now) + "\033[K");
            } else {
                out.println(line(now));
            }
            out.flush();
        }
    }
}
