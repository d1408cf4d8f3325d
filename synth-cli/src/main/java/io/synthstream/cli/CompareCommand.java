package io.synthstream.cli;

import io.synthstream.avro.AttributeCoverage;
import io.synthstream.avro.DatasetReport;
import io.synthstream.cli.indirect.LabelledText;
import io.synthstream.cli.indirect.TextClassifier;
import io.synthstream.cli.indirect.TrainOnSynthetic;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code synth compare A B}: two datasets side by side. The direct metrics from their reports
 * (yield, faithfulness, diversity, coverage, cost) and, given a real test set, the indirect one:
 * the same classifiers trained on each, tested on the same real data, and which dataset trains the
 * better model per dollar. See docs/evaluation.md.
 */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = "Compare two datasets side by side: yield, faithfulness, diversity, coverage, cost and, with"
                + " --real-test, what a classifier trained on each achieves on real data.")
final class CompareCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Parameters(index = "0", paramLabel = "A")
    String a;

    @Parameters(index = "1", paramLabel = "B")
    String b;

    @Option(
            names = "--by-request",
            description = "A and B are request ids (two versions of one request, in one dataset or two): their"
                    + " ledgers' yield, rejections and spend, and the indirect figures of each request's own"
                    + " samples. Diversity and faithfulness are measured per dataset, so they are not shown.")
    boolean byRequest;

    @Option(
            names = "--real-test",
            paramLabel = "FILE",
            description = "Real labelled test data (.jsonl, .csv, .parquet): train on each dataset, test on it.")
    Path realTest;

    @Option(
            names = "--text-field",
            defaultValue = "text",
            description = "Field holding the text (default ${DEFAULT-VALUE}).")
    String textField;

    @Option(
            names = "--label-field",
            defaultValue = "label",
            description = "Field holding the label (default ${DEFAULT-VALUE}).")
    String labelField;

    @Option(
            names = "--features",
            split = ",",
            defaultValue = "tfidf",
            description = "Features of the classifiers: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    List<TextClassifier.Features> features;

    @Option(
            names = "--seed",
            defaultValue = "" + TextClassifier.DEFAULT_SEED,
            description = "Training seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--native-cache-dir",
            defaultValue = "${java.io.tmpdir}/synthstream-native",
            description = "Where the embedding model's native libraries are extracted (default ${DEFAULT-VALUE}).")
    Path nativeCacheDir;

    @Override
    public Integer call() {
        if (a.equals(b)) {
            throw new IllegalArgumentException("compare two different datasets, not '" + a + "' with itself");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (byRequest) {
            return compareRequests(out, err);
        }
        Optional<DatasetReport> ra = ReportCommand.latest(cluster, a);
        Optional<DatasetReport> rb = ReportCommand.latest(cluster, b);
        List<String> missing = new ArrayList<>();
        if (ra.isEmpty()) {
            missing.add(a);
        }
        if (rb.isEmpty()) {
            missing.add(b);
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("No report for " + String.join(" and ", missing) + " in "
                    + io.synthstream.common.topics.Topics.REPORTS.name()
                    + " (unknown dataset, or nothing evaluated yet)");
        }
        direct(out, a, b, ra.get(), rb.get());
        if (realTest != null) {
            LabelledFiles.Mapping mapping = new LabelledFiles.Mapping(textField, labelField);
            indirect(
                    out,
                    err,
                    EvaluateCommand.accepted(cluster, a, mapping),
                    EvaluateCommand.accepted(cluster, b, mapping));
        }
        out.flush();
        return 0;
    }

    /** Two requests side by side from their ledgers, and (with a real test set) their own samples trained on. */
    private int compareRequests(PrintWriter out, PrintWriter err) {
        java.util.Map<String, io.synthstream.avro.RequestStatus> ledgers =
                ExportCommand.latest(cluster, io.synthstream.common.topics.Topics.REQUEST_STATUS);
        List<String> missing = new ArrayList<>();
        for (String id : List.of(a, b)) {
            if (!ledgers.containsKey(id)) {
                missing.add(id);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("No ledger for request " + String.join(" and ", missing) + " in "
                    + io.synthstream.common.topics.Topics.REQUEST_STATUS.name() + " (unknown request?)");
        }
        io.synthstream.avro.RequestStatus la = ledgers.get(a);
        io.synthstream.avro.RequestStatus lb = ledgers.get(b);
        header(out, a, b);
        values(out, "dataset", la.getDataset(), lb.getDataset());
        row(out, "accepted samples", (double) la.getAccepted(), (double) lb.getAccepted(), "%.0f");
        row(out, "planned", (double) la.getPlanned(), (double) lb.getPlanned(), "%.0f");
        row(out, "yield (accepted / planned)", yieldOf(la), yieldOf(lb), "%.3f");
        row(out, "rejected in curation", (double) la.getRejected(), (double) lb.getRejected(), "%.0f");
        row(out, "rejected for quality", (double) la.getRejectedQuality(), (double) lb.getRejectedQuality(), "%.0f");
        row(out, "relabelled", (double) la.getRelabeled(), (double) lb.getRelabeled(), "%.0f");
        row(out, "dead-lettered", (double) la.getFailed(), (double) lb.getFailed(), "%.0f");
        row(out, "tokens", tokens(la), tokens(lb), "%.0f");
        row(out, "cost (USD)", cost(la), cost(lb), "%.4f");
        out.println("  (diversity and faithfulness are measured per dataset: compare datasets for them)");
        if (realTest != null) {
            LabelledFiles.Mapping mapping = new LabelledFiles.Mapping(textField, labelField);
            indirect(
                    out,
                    err,
                    EvaluateCommand.acceptedOfRequest(cluster, la.getDataset(), a, la, mapping),
                    EvaluateCommand.acceptedOfRequest(cluster, lb.getDataset(), b, lb, mapping));
        }
        out.flush();
        return 0;
    }

    private static Double yieldOf(io.synthstream.avro.RequestStatus s) {
        return s.getPlanned() == 0 ? null : (double) s.getAccepted() / s.getPlanned();
    }

    private static Double tokens(io.synthstream.avro.RequestStatus s) {
        return (double) io.synthstream.common.llm.Spends.tokens(io.synthstream.common.llm.Spends.of(s));
    }

    private static Double cost(io.synthstream.avro.RequestStatus s) {
        io.synthstream.avro.Spend spend = io.synthstream.common.llm.Spends.of(s);
        return spend == null ? null : spend.getCostUsd();
    }

    /** The reports' figures, one row each: A, B and B minus A where a difference means something. */
    static void direct(PrintWriter out, String nameA, String nameB, DatasetReport a, DatasetReport b) {
        header(out, nameA, nameB);
        row(out, "accepted samples", a, b, r -> (double) r.getAccepted(), "%.0f");
        row(out, "planned", a, b, r -> (double) r.getPlanned(), "%.0f");
        row(
                out,
                "yield (accepted / planned)",
                a,
                b,
                r -> r.getPlanned() == 0 ? null : (double) r.getAccepted() / r.getPlanned(),
                "%.3f");
        row(out, "rejected in curation", a, b, r -> (double) r.getRejected(), "%.0f");
        row(out, "rejected for quality", a, b, r -> (double) r.getRejectedQuality(), "%.0f");
        row(
                out,
                "faithfulness mean (1-5)",
                a,
                b,
                r -> r.getFaithfulness() == null ? null : r.getFaithfulness().getMean(),
                "%.2f");
        row(
                out,
                "faithfulness median",
                a,
                b,
                r -> r.getFaithfulness() == null ? null : r.getFaithfulness().getP50(),
                "%.2f");
        row(out, "distinct-2", a, b, r -> r.getCumulative().getDistinct2(), "%.3f");
        row(out, "self-BLEU (lower: more diverse)", a, b, r -> r.getCumulative().getSelfBleu(), "%.3f");
        row(out, "compression ratio", a, b, r -> r.getCumulative().getCompressionRatio(), "%.3f");
        row(out, "mean pairwise cosine", a, b, r -> r.getCumulative().getMeanPairwiseCosine(), "%.3f");
        row(out, "Vendi score", a, b, r -> r.getCumulative().getVendiScore(), "%.2f");
        Set<String> attributes = new TreeSet<>();
        a.getCoverage().forEach(c -> attributes.add(c.getAttribute()));
        b.getCoverage().forEach(c -> attributes.add(c.getAttribute()));
        for (String attribute : attributes) {
            row(out, "coverage entropy of " + attribute + " (bits)", a, b, r -> entropy(r, attribute), "%.2f");
        }
        row(out, "tokens", a, b, r -> (double) (r.getPromptTokens() + r.getCompletionTokens()), "%.0f");
        row(out, "cost (USD)", a, b, DatasetReport::getEstimatedCostUsd, "%.4f");
    }

    private static Double entropy(DatasetReport r, String attribute) {
        return r.getCoverage().stream()
                .filter(c -> c.getAttribute().equals(attribute))
                .map(AttributeCoverage::getEntropy)
                .findFirst()
                .orElse(null);
    }

    private static void header(PrintWriter out, String nameA, String nameB) {
        out.printf(
                "  %-34s %14s %14s %10s%n",
                "", abbreviate(ReportCommand.printable(nameA)), abbreviate(ReportCommand.printable(nameB)), "B - A");
    }

    private static void values(PrintWriter out, String name, String a, String b) {
        out.printf(
                "  %-34s %14s %14s%n",
                name, abbreviate(ReportCommand.printable(a)), abbreviate(ReportCommand.printable(b)));
    }

    private static void row(
            PrintWriter out,
            String name,
            DatasetReport a,
            DatasetReport b,
            Function<DatasetReport, Double> metric,
            String format) {
        row(out, name, metric.apply(a), metric.apply(b), format);
    }

    private static void row(PrintWriter out, String name, Double va, Double vb, String format) {
        out.printf(
                "  %-34s %14s %14s %10s%n",
                ReportCommand.printable(name),
                num(va, format),
                num(vb, format),
                va == null || vb == null ? "" : String.format(Locale.ROOT, format.replace("%", "%+"), vb - va));
    }

    private static String num(Double d, String format) {
        return d == null || d.isNaN() ? "-" : String.format(Locale.ROOT, format, d);
    }

    private static String abbreviate(String name) {
        return name.length() <= 14 ? name : name.substring(0, 13) + "…";
    }

    /**
     * Trains the same classifiers on each dataset and tests them on the real test set; then which
     * one trains the better model per dollar (or, unpriced, which trains the better model).
     */
    private void indirect(PrintWriter out, PrintWriter err, EvaluateCommand.Accepted sa, EvaluateCommand.Accepted sb) {
        LabelledFiles.Mapping mapping = new LabelledFiles.Mapping(textField, labelField);
        if (!new LinkedHashSet<>(sa.labels()).equals(new LinkedHashSet<>(sb.labels()))) {
            throw new LabelledFiles.UnusableSetException("the datasets' tasks have different labels: " + a + " "
                    + sa.labels() + ", " + b + " " + sb.labels() + "; one real test set cannot test both");
        }
        List<String> labels = sa.labels();
        LabelledFiles.check(sa.samples(), labels, "dataset '" + a + "'");
        LabelledFiles.check(sb.samples(), labels, "dataset '" + b + "'");
        List<LabelledText> test = LabelledFiles.read(realTest, mapping, "the real test set");
        LabelledFiles.check(test, labels, "the real test set (" + realTest.getFileName() + ")");
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            // One set of classifiers for both: each distinct text (the test set's above all) is embedded once.
            List<TextClassifier> classifiers =
                    EvaluateCommand.classifiers(features, seed, nativeCacheDir, err, resources);
            java.util.function.Consumer<String> progress = step -> {
                err.println("synth compare: " + step);
                err.flush();
            };
            TrainOnSynthetic.Result ta = TrainOnSynthetic.run(
                    new TrainOnSynthetic.Plan(sa.samples(), test, null, labels, false, List.of()),
                    classifiers,
                    progress);
            TrainOnSynthetic.Result tb = TrainOnSynthetic.run(
                    new TrainOnSynthetic.Plan(sb.samples(), test, null, labels, false, List.of()),
                    classifiers,
                    progress);
            out.printf(
                    "  trained on each, tested on %d real texts (%s), %s:%n",
                    test.size(), realTest.getFileName(), EvaluateCommand.CLASSIFIER);
            for (int i = 0; i < ta.runs().size(); i++) {
                TrainOnSynthetic.Run runA = ta.runs().get(i);
                TrainOnSynthetic.Run runB = tb.runs().get(i);
                String f = runA.features().name();
                pair(
                        out,
                        "macro-F1 (" + f + ")",
                        runA.scores().macroF1(),
                        runB.scores().macroF1(),
                        "%.3f");
                pair(
                        out,
                        "accuracy (" + f + ")",
                        runA.scores().accuracy(),
                        runB.scores().accuracy(),
                        "%.3f");
                Double costA = sa.costUsd();
                Double costB = sb.costUsd();
                if (costA != null && costB != null && costA > 0 && costB > 0) {
                    double perA = runA.scores().macroF1() / costA;
                    double perB = runB.scores().macroF1() / costB;
                    pair(out, "macro-F1 per dollar (" + f + ")", perA, perB, "%.2f");
                    out.printf(
                            Locale.ROOT,
                            "  better per dollar (%s): %s (macro-F1 %.3f for $%.4f, against %.3f for $%.4f)%n",
                            f,
                            ReportCommand.printable(perB > perA ? b : a),
                            perB > perA
                                    ? runB.scores().macroF1()
                                    : runA.scores().macroF1(),
                            perB > perA ? costB : costA,
                            perB > perA
                                    ? runA.scores().macroF1()
                                    : runB.scores().macroF1(),
                            perB > perA ? costA : costB);
                } else {
                    double ma = runA.scores().macroF1();
                    double mb = runB.scores().macroF1();
                    out.printf(
                            Locale.ROOT,
                            "  better (%s): %s (macro-F1 %.3f against %.3f); per dollar: not priced (llm.prices, docs/spend.md)%n",
                            f,
                            ma == mb ? "neither" : ReportCommand.printable(mb > ma ? b : a),
                            Math.max(ma, mb),
                            Math.min(ma, mb));
                }
            }
        } finally {
            EvaluateCommand.closeAll(resources);
        }
    }

    private static void pair(PrintWriter out, String name, double a, double b, String format) {
        out.printf(
                "  %-34s %14s %14s %10s%n",
                name,
                String.format(Locale.ROOT, format, a),
                String.format(Locale.ROOT, format, b),
                String.format(Locale.ROOT, format.replace("%", "%+"), b - a));
    }
}
