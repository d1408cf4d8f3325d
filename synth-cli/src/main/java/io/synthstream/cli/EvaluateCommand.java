package io.synthstream.cli;

import io.synthstream.avro.BenchmarkScore;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.IndirectEvaluation;
import io.synthstream.avro.TrainedModelScore;
import io.synthstream.cli.indirect.LabelledText;
import io.synthstream.cli.indirect.Scores;
import io.synthstream.cli.indirect.TextClassifier;
import io.synthstream.cli.indirect.TrainOnSynthetic;
import io.synthstream.common.topics.Topics;
import io.synthstream.embedding.MiniLmEmbedder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code synth evaluate <dataset> --real-test FILE}: the survey's indirect evaluation. Small
 * classifiers (Tribuo's logistic regression over TF-IDF n-grams and over sentence embeddings) are
 * trained on the dataset's accepted samples and tested on real labelled data; with a real train
 * set, the same classifiers trained on it are the baseline; with sample weights, weighted training
 * is shown beside; a learning curve over shares of the synthetic set. The result is printed and
 * published to {@code synth.evaluations} (compacted, keyed by dataset), where {@code synth report}
 * and the dashboard find it. See docs/evaluation.md.
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = "Train small classifiers on a classification dataset and test them on real labelled data"
                + " (train-on-synthetic, test-on-real), beside the same classifiers trained on real data.")
final class EvaluateCommand implements java.util.concurrent.Callable<Integer> {
    static final String CLASSIFIER =
            "logistic regression (Tribuo LinearSGDTrainer, log loss, AdaGrad, " + TextClassifier.EPOCHS + " epochs)";

    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Parameters(index = "0", paramLabel = "DATASET")
    String dataset;

    @Option(
            names = "--real-test",
            paramLabel = "FILE",
            description = "Real labelled test data: .jsonl, .csv (header row) or .parquet (a classification dataset).")
    Path realTest;

    @Option(
            names = "--benchmark",
            paramLabel = "COMMAND",
            description = "Also run COMMAND (with sh -c) on an export of the dataset, whose path is in $SYNTH_EXPORT"
                    + " (JSONL as synth export writes it); the last number it prints is recorded as its score. Any"
                    + " task kind.")
    String benchmark;

    @Option(
            names = "--benchmark-name",
            defaultValue = "benchmark",
            description = "The benchmark's name in the record and the report (default ${DEFAULT-VALUE}).")
    String benchmarkName;

    @Option(
            names = "--benchmark-timeout",
            defaultValue = "PT1H",
            description = "Give the benchmark command up after this long (ISO-8601, default ${DEFAULT-VALUE}).")
    java.time.Duration benchmarkTimeout;

    @Option(
            names = "--real-train",
            paramLabel = "FILE",
            description = "Real labelled train data: the same classifiers trained on it are the baseline.")
    Path realTrain;

    @Option(
            names = "--synthetic",
            paramLabel = "FILE",
            description = "Read the dataset from this file (a synth export, or any labelled file) instead of"
                    + " synth.dataset. Nothing is published then unless --publish.")
    Path syntheticFile;

    @Option(
            names = "--text-field",
            defaultValue = "text",
            description = "Field holding the text, in every set (default ${DEFAULT-VALUE}).")
    String textField;

    @Option(
            names = "--label-field",
            defaultValue = "label",
            description = "Field holding the label, in every set (default ${DEFAULT-VALUE}).")
    String labelField;

    @Option(
            names = "--labels",
            split = ",",
            paramLabel = "LABEL",
            description = "The task's labels, when the dataset is read from a file (default: those of the file).")
    List<String> labels;

    @Option(
            names = "--features",
            split = ",",
            defaultValue = "tfidf,embeddings",
            description = "Features of the classifiers: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    List<TextClassifier.Features> features;

    @Option(
            names = "--curve",
            split = ",",
            defaultValue = "0.1,0.25,0.5,1",
            paramLabel = "SHARE",
            description = "Shares of the synthetic set for the learning curve (default ${DEFAULT-VALUE});"
                    + " --curve 1 for none.")
    List<Double> curve;

    @Option(
            names = "--seed",
            defaultValue = "" + TextClassifier.DEFAULT_SEED,
            description = "Seed of training order and of the curve's subsets (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--publish",
            negatable = true,
            description = "Publish the result to synth.evaluations (default: when the dataset is read from Kafka).")
    Boolean publish;

    @Option(
            names = "--native-cache-dir",
            defaultValue = "${java.io.tmpdir}/synthstream-native",
            description = "Where the embedding model's native libraries are extracted (default ${DEFAULT-VALUE}).")
    Path nativeCacheDir;

    @Override
    public Integer call() throws InterruptedException, java.io.IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (realTest == null && benchmark == null) {
            throw new IllegalArgumentException("give --real-test FILE (train on the dataset, test on real data; a"
                    + " classification dataset) or --benchmark COMMAND (your own benchmark on an export), or both");
        }
        if (realTest == null) {
            BenchmarkScore score = benchmark(out, err);
            publishIfAsked(
                    out,
                    IndirectEvaluation.newBuilder()
                            .setDataset(dataset)
                            .setEvaluatedAt(Instant.now())
                            .setClassifier("none")
                            .setLabels(List.of())
                            .setSyntheticSize(0)
                            .setScores(List.of())
                            .setBenchmark(score)
                            .build());
            return 0;
        }
        for (double share : curve) {
            if (!(share > 0 && share <= 1)) {
                throw new IllegalArgumentException("--curve shares must be in (0, 1], got " + share);
            }
        }
        LabelledFiles.Mapping mapping = new LabelledFiles.Mapping(textField, labelField);
        List<LabelledText> synthetic;
        List<String> taskLabels;
        Double cost = null;
        if (syntheticFile == null) {
            Accepted accepted = accepted(cluster, dataset, mapping);
            synthetic = accepted.samples();
            taskLabels = accepted.labels();
            cost = accepted.costUsd();
        } else {
            synthetic = LabelledFiles.read(syntheticFile, mapping, "the synthetic set");
            taskLabels = labels != null && !labels.isEmpty()
                    ? List.copyOf(new LinkedHashSet<>(labels))
                    : List.copyOf(LabelledFiles.counts(synthetic).keySet());
        }
        LabelledFiles.check(synthetic, taskLabels, "the synthetic set");
        List<LabelledText> test = LabelledFiles.read(realTest, mapping, "the real test set");
        LabelledFiles.check(test, taskLabels, "the real test set (" + realTest.getFileName() + ")");
        List<LabelledText> train = null;
        if (realTrain != null) {
            train = LabelledFiles.read(realTrain, mapping, "the real train set");
            LabelledFiles.check(train, taskLabels, "the real train set (" + realTrain.getFileName() + ")");
        }
        boolean weighted = synthetic.stream().anyMatch(t -> t.weight() != 1.0);

        out.printf(
                "Indirect evaluation of %s: %s, trained on %d synthetic samples %s, tested on %d real texts %s (%s)%n",
                ReportCommand.printable(dataset),
                CLASSIFIER,
                synthetic.size(),
                LabelledFiles.counts(synthetic),
                test.size(),
                LabelledFiles.counts(test),
                realTest.getFileName());
        out.flush();
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            List<TextClassifier> classifiers = classifiers(features, seed, nativeCacheDir, err, resources);
            TrainOnSynthetic.Result result = TrainOnSynthetic.run(
                    new TrainOnSynthetic.Plan(
                            synthetic, test, train, taskLabels, weighted, List.copyOf(new TreeSet<>(curve))),
                    classifiers,
                    step -> {
                        err.println("synth evaluate: " + step);
                        err.flush();
                    });
            print(out, result);
            IndirectEvaluation record = record(dataset, result, realTest, test.size(), train, synthetic.size(), cost);
            if (benchmark != null) {
                record.setBenchmark(benchmark(out, err));
            }
            publishIfAsked(out, record);
        } finally {
            closeAll(resources);
        }
        return 0;
    }

    private void publishIfAsked(PrintWriter out, IndirectEvaluation record) throws InterruptedException {
        if (publish != null ? publish : syntheticFile == null) {
            ensureTopic(cluster);
            SubmitCommand.publishOne(cluster, Topics.EVALUATIONS, dataset, record);
            out.printf("published to %s (key %s)%n", Topics.EVALUATIONS.name(), ReportCommand.printable(dataset));
        }
    }

    /**
     * Runs the benchmark command on an export of the dataset (the --synthetic file as it is, else
     * the accepted samples written to a temporary JSONL file), its output passed through; its
     * score is the last number it printed on a line of its own.
     *
     * @throws IllegalStateException when it fails, runs too long, or prints no number
     */
    private BenchmarkScore benchmark(PrintWriter out, PrintWriter err)
            throws java.io.IOException, InterruptedException {
        Path export = syntheticFile;
        Path temp = null;
        if (export == null) {
            temp = java.nio.file.Files.createTempFile("synth-evaluate-", ".jsonl");
            long n = ExportCommand.export(cluster, dataset, List.of(), temp);
            if (n == 0) {
                throw new LabelledFiles.UnusableSetException("dataset '" + dataset + "' has no accepted samples in "
                        + Topics.DATASET.name() + " (unknown dataset, or nothing accepted yet)");
            }
            export = temp;
        }
        try {
            err.printf("synth evaluate: running the benchmark on %s%n", export);
            err.flush();
            ProcessBuilder builder = new ProcessBuilder("sh", "-c", benchmark).redirectErrorStream(true);
            builder.environment().put("SYNTH_EXPORT", export.toAbsolutePath().toString());
            long start = System.nanoTime();
            Process process = builder.start();
            List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(
                        process.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                        out.println("  | " + line);
                        out.flush();
                    }
                } catch (java.io.IOException e) {
                    // the process ended; what was read stays
                }
            });
            reader.start();
            if (!process.waitFor(benchmarkTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(
                        "the benchmark ran longer than " + benchmarkTimeout + " and was stopped");
            }
            reader.join(10_000);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (process.exitValue() != 0) {
                throw new IllegalStateException("the benchmark exited with " + process.exitValue()
                        + "; its last output: " + (lines.isEmpty() ? "(none)" : lines.get(lines.size() - 1)));
            }
            Double score = lastNumber(lines);
            if (score == null) {
                throw new IllegalStateException(
                        "the benchmark printed no number on a line of its own; its last output: "
                                + (lines.isEmpty() ? "(none)" : lines.get(lines.size() - 1)));
            }
            out.printf(Locale.ROOT, "  benchmark %s: %s (%.1f s)%n", benchmarkName, score, seconds);
            return BenchmarkScore.newBuilder()
                    .setName(benchmarkName)
                    .setScore(score)
                    .setSeconds(seconds)
                    .build();
        } finally {
            if (temp != null) {
                java.nio.file.Files.deleteIfExists(temp);
            }
        }
    }

    /** The last line that is a number (surrounding blanks ignored), or null. */
    static Double lastNumber(List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            try {
                double d = Double.parseDouble(lines.get(i).strip());
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // not a number: look further up
            }
        }
        return null;
    }

    /**
     * Creates synth.evaluations when missing (no app writes it, so none creates it at start): one
     * partition, compacted; the broker's replication factor. {@code synth topics create} makes it too.
     */
    private static void ensureTopic(ClusterOptions cluster) {
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(cluster.clientProperties())) {
            io.synthstream.common.topics.TopicAdmin.ensureTopics(
                    admin, List.of(Topics.EVALUATIONS), 1, java.util.Optional.empty());
        }
    }

    static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                // closing the embedding model at exit: nothing left to do
            }
        }
    }

    /** Batches of 32 through the in-process model, with a progress line every 500 texts. */
    private static List<float[]> embed(MiniLmEmbedder model, List<String> texts, PrintWriter err) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (int from = 0; from < texts.size(); from += 32) {
            out.addAll(model.embedAll(texts.subList(from, Math.min(texts.size(), from + 32))));
            if (texts.size() > 500 && (out.size() % 500 < 32 || out.size() == texts.size())) {
                err.printf("synth evaluate: embedded %d of %d texts%n", out.size(), texts.size());
                err.flush();
            }
        }
        return out;
    }

    /** A classification dataset's accepted samples, its task's labels and what it cost (null when unpriced). */
    record Accepted(List<LabelledText> samples, List<String> labels, Double costUsd) {}

    /**
     * The accepted samples of {@code dataset} from synth.dataset as labelled texts (final labels
     * and weights), the task's labels from its specs, and its report's estimated cost.
     *
     * @throws LabelledFiles.UnusableSetException for an unknown or non-classification dataset, or
     *     one with nothing accepted
     */
    static Accepted accepted(ClusterOptions cluster, String dataset, LabelledFiles.Mapping mapping) {
        List<String> taskLabels =
                taskLabels(ExportCommand.latest(cluster, Topics.SPECS).values(), dataset);
        List<LabelledText> samples = LabelledFiles.fromRows(
                ExportCommand.rows(cluster, dataset, List.of()), mapping, "dataset '" + dataset + "'");
        return accepted(dataset, samples, taskLabels, cluster);
    }

    /**
     * The accepted samples of one request of {@code dataset}, the task's labels and the request's
     * own spend (its ledger's).
     */
    static Accepted acceptedOfRequest(
            ClusterOptions cluster,
            String dataset,
            String requestId,
            io.synthstream.avro.RequestStatus ledger,
            LabelledFiles.Mapping mapping) {
        List<String> taskLabels =
                taskLabels(ExportCommand.latest(cluster, Topics.SPECS).values(), dataset);
        List<LabelledText> samples = LabelledFiles.fromRows(
                ExportCommand.rows(cluster, dataset, List.of(requestId)), mapping, "request '" + requestId + "'");
        if (samples.isEmpty()) {
            throw new LabelledFiles.UnusableSetException("request '" + requestId + "' has no accepted samples in "
                    + Topics.DATASET.name() + " (nothing accepted yet)");
        }
        io.synthstream.avro.Spend spend = io.synthstream.common.llm.Spends.of(ledger);
        return new Accepted(samples, taskLabels, spend == null ? null : spend.getCostUsd());
    }

    private static Accepted accepted(
            String dataset, List<LabelledText> samples, List<String> taskLabels, ClusterOptions cluster) {
        if (samples.isEmpty()) {
            throw new LabelledFiles.UnusableSetException("dataset '" + dataset + "' has no accepted samples in "
                    + Topics.DATASET.name() + " (nothing accepted yet)");
        }
        Double cost = ReportCommand.latest(cluster, dataset)
                .map(r -> r.getEstimatedCostUsd())
                .orElse(null);
        return new Accepted(samples, taskLabels, cost);
    }

    /**
     * One classifier per kind of features, in the order given; the in-process embedding model is
     * loaded (into {@code resources}, to close) only when embeddings are asked for.
     */
    static List<TextClassifier> classifiers(
            List<TextClassifier.Features> features,
            long seed,
            Path nativeCacheDir,
            PrintWriter err,
            List<AutoCloseable> resources) {
        List<TextClassifier> classifiers = new ArrayList<>();
        for (TextClassifier.Features f : new LinkedHashSet<>(features)) {
            if (f == TextClassifier.Features.embeddings) {
                MiniLmEmbedder model = MiniLmEmbedder.load(nativeCacheDir);
                resources.add(model);
                classifiers.add(new TextClassifier(f, seed, texts -> embed(model, texts, err)));
            } else {
                classifiers.add(new TextClassifier(f, seed, null));
            }
        }
        return classifiers;
    }

    /**
     * The labels of the dataset's classification task, in the order its requests declare them.
     *
     * @throws LabelledFiles.UnusableSetException when no request names the dataset, or one is not
     *     a classification task
     */
    static List<String> taskLabels(java.util.Collection<GenerationRequest> specs, String dataset) {
        Set<String> labels = new LinkedHashSet<>();
        Map<String, String> other = new TreeMap<>();
        boolean any = false;
        for (GenerationRequest r : specs) {
            if (r == null || !dataset.equals(r.getDataset())) {
                continue;
            }
            any = true;
            if (!"classification".equals(r.getTask().getKind())) {
                other.put(r.getRequestId(), r.getTask().getKind());
            } else {
                labels.addAll(r.getTask().getLabels());
            }
        }
        if (!any) {
            throw new LabelledFiles.UnusableSetException(
                    "no request of dataset '" + dataset + "' in " + Topics.SPECS.name() + " (unknown dataset?)");
        }
        if (!other.isEmpty()) {
            throw new LabelledFiles.UnusableSetException("dataset '" + dataset + "' is not a classification task,"
                    + " which indirect evaluation needs: its requests are " + other
                    + "; for other tasks run your own benchmark on an export (docs/evaluation.md)");
        }
        return List.copyOf(labels);
    }

    static void print(PrintWriter out, TrainOnSynthetic.Result result) {
        out.printf("  %-22s %-11s %7s %9s %9s%n", "trained on", "features", "n", "accuracy", "macro-F1");
        for (TrainOnSynthetic.Run run : result.runs()) {
            out.printf(
                    Locale.ROOT,
                    "  %-22s %-11s %7d %9.3f %9.3f%n",
                    run.trainedOn(),
                    run.features(),
                    run.scores().trainSize(),
                    run.scores().accuracy(),
                    run.scores().macroF1());
        }
        for (TrainOnSynthetic.Run real : result.runs()) {
            if (!real.trainedOn().equals("real")) {
                continue;
            }
            result.runs().stream()
                    .filter(r ->
                            r.features() == real.features() && r.trainedOn().equals("synthetic"))
                    .forEach(s -> out.printf(
                            Locale.ROOT,
                            "  gap to real data (%s): macro-F1 %+.3f, accuracy %+.3f%n",
                            real.features(),
                            s.scores().macroF1() - real.scores().macroF1(),
                            s.scores().accuracy() - real.scores().accuracy()));
        }
        for (TrainOnSynthetic.Run run : result.runs()) {
            if (run.trainedOn().equals("synthetic")) {
                perLabel(out, run);
            }
        }
        if (result.curve().stream().anyMatch(p -> p.share() < 1)) {
            out.println("  learning curve (trained on shares of the synthetic set; macro-F1 on the real test set):");
            for (TrainOnSynthetic.Point p : result.curve()) {
                out.printf(
                        Locale.ROOT,
                        "    %-11s %5.0f %% %7d samples  macro-F1 %.3f  accuracy %.3f%n",
                        p.features(),
                        100 * p.share(),
                        p.scores().trainSize(),
                        p.scores().macroF1(),
                        p.scores().accuracy());
            }
        }
        out.flush();
    }

    private static void perLabel(PrintWriter out, TrainOnSynthetic.Run run) {
        Scores s = run.scores();
        out.printf("  per label (trained on synthetic, %s):%n", run.features());
        out.printf("    %-20s %9s %9s %9s %8s%n", "label", "precision", "recall", "F1", "support");
        s.perLabel()
                .forEach((label, p) -> out.printf(
                        Locale.ROOT,
                        "    %-20s %9.3f %9.3f %9.3f %8d%n",
                        ReportCommand.printable(label),
                        p.precision(),
                        p.recall(),
                        p.f1(),
                        p.support()));
        out.printf("  confusion matrix (rows: real label, columns: predicted), %s:%n", run.features());
        StringBuilder header = new StringBuilder(String.format("    %-20s", ""));
        s.labels().forEach(l -> header.append(String.format(" %9s", abbreviate(ReportCommand.printable(l)))));
        out.println(header);
        for (int t = 0; t < s.labels().size(); t++) {
            StringBuilder row = new StringBuilder(String.format(
                    "    %-20s", ReportCommand.printable(s.labels().get(t))));
            for (long n : s.confusion()[t]) {
                row.append(String.format(" %9d", n));
            }
            out.println(row);
        }
    }

    private static String abbreviate(String label) {
        return label.length() <= 9 ? label : label.substring(0, 8) + "…";
    }

    static IndirectEvaluation record(
            String dataset,
            TrainOnSynthetic.Result result,
            Path realTest,
            int testSize,
            List<LabelledText> realTrain,
            int syntheticSize,
            Double cost) {
        List<TrainedModelScore> scores = new ArrayList<>();
        result.runs().forEach(r -> scores.add(score(r.trainedOn(), r.features(), r.scores())));
        List<TrainedModelScore> curve = new ArrayList<>();
        result.curve().forEach(p -> curve.add(score("synthetic", p.features(), p.scores())));
        return IndirectEvaluation.newBuilder()
                .setDataset(dataset)
                .setEvaluatedAt(Instant.now())
                .setClassifier(CLASSIFIER)
                .setLabels(result.labels())
                .setRealTest(realTest.getFileName().toString())
                .setRealTestSize(testSize)
                .setRealTrainSize(realTrain == null ? null : realTrain.size())
                .setSyntheticSize(syntheticSize)
                .setCostUsd(cost)
                .setScores(scores)
                .setLearningCurve(curve)
                .build();
    }

    private static TrainedModelScore score(String trainedOn, TextClassifier.Features features, Scores s) {
        Map<String, Double> f1 = new TreeMap<>();
        s.perLabel().forEach((label, p) -> f1.put(label, p.f1()));
        return TrainedModelScore.newBuilder()
                .setTrainedOn(trainedOn)
                .setFeatures(features.name())
                .setTrainSize(s.trainSize())
                .setAccuracy(s.accuracy())
                .setMacroF1(s.macroF1())
                .setF1ByLabel(f1)
                .build();
    }
}
