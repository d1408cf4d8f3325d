package io.synthstream.cli;

import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeCoverage;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.DiversityMetrics;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.common.quality.Agreement;
import io.synthstream.common.topics.Topics;
import io.synthstream.generator.logic.Preferences;
import io.synthstream.generator.logic.SelfInstruct;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code synth report <dataset>}: the dataset's latest report from synth.reports, as a table. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Print the latest report of a dataset.")
final class ReportCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Parameters(index = "0", paramLabel = "DATASET")
    String dataset;

    @Override
    public Integer call() {
        DatasetReport report = latest(cluster, dataset)
                .orElseThrow(() -> new IllegalStateException("No report for dataset '" + dataset + "' in "
                        + Topics.REPORTS.name() + " (unknown dataset, or nothing evaluated yet)"));
        print(spec.commandLine().getOut(), report);
        latestEvaluation(cluster, dataset)
                .ifPresent(e -> indirect(spec.commandLine().getOut(), e));
        SteeringEffect.of(ExportCommand.rows(cluster, dataset, List.of()))
                .print(spec.commandLine().getOut());
        java.util.Collection<GenerationRequest> specs =
                ExportCommand.latest(cluster, Topics.SPECS).values();
        requests(spec.commandLine().getOut(), specs, dataset);
        budgets(spec.commandLine().getOut(), specs, ExportCommand.latest(cluster, Topics.REQUEST_STATUS), dataset);
        proposed(spec.commandLine().getOut(), specs, dataset);
        preferences(spec.commandLine().getOut(), specs, dataset);
        if (specs.stream().anyMatch(r -> r != null && dataset.equals(r.getDataset()) && SelfInstruct.of(r))) {
            selfInstruct(
                    spec.commandLine().getOut(),
                    specs,
                    ExportCommand.latest(cluster, Topics.SAMPLES_RAW).values(),
                    dataset);
        }
        return 0;
    }

    /**
     * Each budgeted request of the dataset: its limits, what its ledger says was spent, and whether
     * planning stopped at the budget with how many samples never planned; and each dataset budget a
     * request states, against what every request of the dataset spent.
     */
    static void budgets(
            PrintWriter out,
            java.util.Collection<GenerationRequest> specs,
            java.util.Map<String, io.synthstream.avro.RequestStatus> ledgers,
            String dataset) {
        io.synthstream.avro.Spend datasetSpent = null;
        for (io.synthstream.avro.RequestStatus ledger : ledgers.values()) {
            if (ledger != null && dataset.equals(ledger.getDataset())) {
                datasetSpent = io.synthstream.common.llm.Spends.plus(
                        datasetSpent, io.synthstream.common.llm.Spends.of(ledger));
            }
        }
        for (GenerationRequest r : specs) {
            if (r == null || !dataset.equals(r.getDataset())) {
                continue;
            }
            io.synthstream.avro.RequestStatus ledger = ledgers.get(r.getRequestId());
            String stopped = "";
            if (ledger != null && ledger.getPlanningStopped() && ledger.getNotPlannedReason() != null) {
                stopped = "; planning stopped: " + printable(ledger.getNotPlannedReason()) + ", "
                        + ledger.getNotPlanned() + " samples never planned";
            }
            if (r.getBudget() != null) {
                io.synthstream.avro.Spend spent = ledger == null ? null : io.synthstream.common.llm.Spends.of(ledger);
                row(out, "budget of " + r.getRequestId(), used(r.getBudget(), spent) + stopped);
            }
            if (r.getDatasetBudget() != null) {
                row(
                        out,
                        "dataset budget of " + r.getRequestId(),
                        used(r.getDatasetBudget(), datasetSpent) + " (every request of the dataset)" + stopped);
            }
        }
    }

    /** E.g. {@code $0.0099 of $0.0100 (99.5 %), 12000 of 20000 tokens (60.0 %)}. */
    private static String used(io.synthstream.avro.Budget budget, io.synthstream.avro.Spend spent) {
        StringBuilder line = new StringBuilder();
        if (budget.getMaxCostUsd() != null) {
            double cost = spent == null ? 0 : spent.getCostUsd();
            line.append(String.format(
                    Locale.ROOT,
                    "$%.4f of $%.4f (%.1f %%)",
                    cost,
                    budget.getMaxCostUsd(),
                    100 * cost / budget.getMaxCostUsd()));
        }
        if (budget.getMaxTokens() != null) {
            long tokens = io.synthstream.common.llm.Spends.tokens(spent);
            line.append(line.length() == 0 ? "" : ", ")
                    .append(String.format(
                            Locale.ROOT,
                            "%d of %d tokens (%.1f %%)",
                            tokens,
                            budget.getMaxTokens(),
                            100.0 * tokens / budget.getMaxTokens()));
        }
        return line.toString();
    }

    /**
     * The dataset's requests, oldest first: id, when each was made ({@code created_at}) and its
     * {@code metadata}. Values come from Kafka: control characters are shown as {@code ?}.
     */
    static void requests(PrintWriter out, java.util.Collection<GenerationRequest> specs, String dataset) {
        specs.stream()
                .filter(r -> r != null && dataset.equals(r.getDataset()))
                .sorted(java.util.Comparator.comparing(GenerationRequest::getCreatedAt)
                        .thenComparing(GenerationRequest::getRequestId))
                .forEach(r -> {
                    StringBuilder line = new StringBuilder("created ").append(r.getCreatedAt());
                    new java.util.TreeMap<>(r.getMetadata())
                            .forEach((k, v) ->
                                    line.append(", ").append(k).append('=').append(v));
                    row(out, "request " + r.getRequestId(), line.toString());
                });
    }

    /**
     * Each preference request of the dataset: how its pairs are made, and a warning when the judge
     * also wrote candidates (self-preference).
     */
    static void preferences(PrintWriter out, java.util.Collection<GenerationRequest> specs, String dataset) {
        for (GenerationRequest request : specs) {
            if (request == null || !dataset.equals(request.getDataset()) || !Preferences.of(request)) {
                continue;
            }
            var p = Preferences.settings(request);
            row(
                    out,
                    "preference " + request.getRequestId(),
                    p.getCandidates() + " candidates, " + p.getRating() + " rating (" + Preferences.judgeCalls(p)
                            + " judge calls per pair), min_margin " + p.getMinMargin() + ", ties " + p.getTies());
            Preferences.selfPreference(request)
                    .ifPresent(model -> row(
                            out,
                            "WARNING self-preference",
                            "the judge (" + model + ") also wrote candidates of " + request.getRequestId()
                                    + ": LLM judges favour their own outputs; set preference.judge_model to another"
                                    + " model"));
        }
    }

    /**
     * Each Self-Instruct request of the dataset, round by round: the instructions asked for, those
     * that joined the pool, those filtered (by ROUGE-L, by the heuristics, missing from the reply),
     * and the pool's size after the round; from the decisions on the samples in synth.samples.raw
     * (a round whose call failed has none: its instructions are dead letters).
     */
    static void selfInstruct(
            PrintWriter out,
            java.util.Collection<GenerationRequest> specs,
            java.util.Collection<io.synthstream.avro.Sample> samples,
            String dataset) {
        for (GenerationRequest request : specs) {
            if (request == null || !dataset.equals(request.getDataset()) || !SelfInstruct.of(request)) {
                continue;
            }
            java.util.List<io.synthstream.avro.SelfInstructDecision> decisions = samples.stream()
                    .filter(s -> s.getRequestId().equals(request.getRequestId())
                            && s.getTrace().getSelfInstruct() != null)
                    .map(s -> s.getTrace().getSelfInstruct())
                    .toList();
            java.util.List<SelfInstruct.RoundFigures> rounds = SelfInstruct.rounds(decisions);
            int asked =
                    rounds.stream().mapToInt(SelfInstruct.RoundFigures::asked).sum();
            int joined =
                    rounds.stream().mapToInt(SelfInstruct.RoundFigures::joined).sum();
            int notNovel = rounds.stream()
                    .mapToInt(SelfInstruct.RoundFigures::notNovel)
                    .sum();
            int heuristic = rounds.stream()
                    .mapToInt(SelfInstruct.RoundFigures::heuristic)
                    .sum();
            row(
                    out,
                    "self-instruct " + request.getRequestId(),
                    String.format(
                            java.util.Locale.ROOT,
                            "%d of %d rounds decided, %d instructions: %d joined the pool, %d not novel (ROUGE-L >="
                                    + " %.2f), %d by the heuristics",
                            rounds.size(),
                            request.getCount(),
                            asked,
                            joined,
                            notNovel,
                            request.getSelfInstruct().getMaxSimilarity(),
                            heuristic));
            out.printf(
                    "    %5s %5s %6s %5s %9s %9s %7s %10s %9s%n",
                    "round", "asked", "joined", "full", "not_novel", "heuristic", "missing", "pool after", "rejected");
            for (SelfInstruct.RoundFigures r : rounds) {
                out.printf(
                        java.util.Locale.ROOT,
                        "    %5d %5d %6d %5d %9d %9d %7d %10d %8.1f%%%n",
                        r.round(),
                        r.asked(),
                        r.joined(),
                        r.full(),
                        r.notNovel(),
                        r.heuristic(),
                        r.missing(),
                        r.poolAfter(),
                        100 * r.rejectedShare());
            }
        }
    }

    /** The attribute values the model proposed for the dataset's requests (stored in their specs). */
    static void proposed(PrintWriter out, java.util.Collection<GenerationRequest> specs, String dataset) {
        for (GenerationRequest request : specs) {
            if (request == null || !dataset.equals(request.getDataset())) {
                continue;
            }
            for (Attribute a : request.getAttributes()) {
                if (a.getProposedBy() == null) {
                    continue;
                }
                String title =
                        "proposed " + a.getName() + " (" + request.getRequestId() + ", " + a.getProposedBy() + ")";
                if (a.getValuesBy().isEmpty()) {
                    row(out, title, names(a.getValues()));
                } else {
                    new java.util.TreeMap<>(a.getValuesBy())
                            .forEach((parent, values) ->
                                    row(out, title + " for " + a.getDependsOn() + "=" + parent, names(values)));
                }
            }
        }
    }

    private static String names(java.util.List<AttributeValue> values) {
        return String.join(", ", values.stream().map(AttributeValue::getValue).toList());
    }

    /**
     * The dataset's latest indirect evaluation on synth.evaluations; empty when there is none, or
     * no such topic yet (a cluster whose evaluator predates it and where nothing was evaluated).
     */
    static Optional<io.synthstream.avro.IndirectEvaluation> latestEvaluation(ClusterOptions cluster, String dataset) {
        try (org.apache.kafka.clients.admin.Admin admin =
                org.apache.kafka.clients.admin.Admin.create(cluster.clientProperties())) {
            if (!admin.listTopics()
                    .names()
                    .get(10, java.util.concurrent.TimeUnit.SECONDS)
                    .contains(Topics.EVALUATIONS.name())) {
                return Optional.empty();
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka at " + cluster.bootstrapServers + " cannot list its topics: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        return Optional.ofNullable(
                ExportCommand.latest(cluster, Topics.EVALUATIONS).get(dataset));
    }

    static Optional<DatasetReport> latest(ClusterOptions cluster, String dataset) {
        try (TopicTail<DatasetReport> tail = new TopicTail<>(
                cluster,
                Topics.REPORTS.name(),
                cluster.serdes().value(Topics.REPORTS).deserializer())) {
            DatasetReport last = null;
            for (var r : tail.readAll()) {
                if (dataset.equals(r.key()) && r.value() != null) {
                    last = r.value();
                }
            }
            return Optional.ofNullable(last);
        }
    }

    /** {@code key count, ...} in key order; keys come from Kafka and are printed as text. */
    private static String counts(java.util.Map<String, Long> byKey) {
        StringBuilder out = new StringBuilder();
        new java.util.TreeMap<>(byKey)
                .forEach((k, v) -> out.append(out.length() == 0 ? "" : ", ")
                        .append(k)
                        .append(' ')
                        .append(v));
        return out.toString();
    }

    static void print(PrintWriter out, DatasetReport r) {
        out.printf("Dataset %s (report of %s)%n", r.getDataset(), r.getGeneratedAt());
        double yield = r.getRequested() == 0 ? 0 : (double) r.getCurated() / r.getRequested();
        row(
                out,
                "requested / curated / rejected / failed",
                r.getRequested() + " / " + r.getCurated() + " / " + r.getRejected() + " / " + r.getFailed());
        row(out, "yield", String.format(Locale.ROOT, "%.1f %%", 100 * yield));
        if (!r.getRejectedByReason().isEmpty()) {
            row(out, "rejected by reason", counts(r.getRejectedByReason()));
        }
        if (r.getPlanned() > 0) {
            row(out, "planned / accepted / surplus", r.getPlanned() + " / " + r.getAccepted() + " / " + r.getSurplus());
            row(
                    out,
                    "rejected for quality",
                    r.getRejectedQuality()
                            + (r.getRejectedQualityByReason().isEmpty()
                                    ? ""
                                    : " (" + counts(r.getRejectedQualityByReason()) + ")"));
            row(
                    out,
                    "relabelled",
                    r.getRelabeled()
                            + (r.getRelabeledBySource().isEmpty()
                                    ? ""
                                    : " (" + counts(r.getRelabeledBySource()) + ")"));
        }
        if (r.getReviewed() > 0 || r.getInReview() > 0) {
            var t = r.getReviewTime();
            row(
                    out,
                    "review",
                    r.getReviewed() + " decided (" + r.getReviewedByPeople() + " by people), " + r.getInReview()
                            + " waiting"
                            + (t == null
                                    ? ""
                                    : String.format(
                                            Locale.ROOT,
                                            "; time in review p50 %s, p99 %s",
                                            Duration.ofMillis(Math.round(t.getP50())),
                                            Duration.ofMillis(
                                                    Math.round(t.getP99() == null ? t.getMax() : t.getP99())))));
        }
        if (!r.getReviewReasons().isEmpty()) {
            row(out, "reviewers' reasons to reject", printable(counts(r.getReviewReasons())));
        }
        if (r.getAudit() != null) {
            row(out, "gate audit", Agreement.describe(r.getAudit()));
        }
        if (r.getHumanDemonstrationSamples() > 0) {
            row(out, "shown human-reviewed demonstrations", r.getHumanDemonstrationSamples() + " samples' prompts");
        }
        if (r.getFaithfulness() != null) {
            var f = r.getFaithfulness();
            row(
                    out,
                    "faithfulness (judge, 1-5)",
                    String.format(
                            Locale.ROOT,
                            "mean %.2f, p10 %.1f, median %.1f, p90 %.1f (%d judged)",
                            f.getMean(),
                            f.getP10(),
                            f.getP50(),
                            f.getP90(),
                            f.getCount()));
        }
        diversity(out, "diversity (all samples)", r.getCumulative());
        if (r.getRecent() != null) {
            diversity(out, "diversity (recent " + r.getRecent().getSamples() + ")", r.getRecent());
        }
        for (AttributeCoverage c : r.getCoverage()) {
            StringBuilder counts = new StringBuilder();
            new java.util.TreeMap<>(c.getCounts())
                    .forEach((k, v) -> counts.append(counts.length() == 0 ? "" : ", ")
                            .append(k)
                            .append(' ')
                            .append(v));
            row(
                    out,
                    "coverage of " + c.getAttribute(),
                    String.format(
                            Locale.ROOT,
                            "%s (entropy %.2f bits%s)",
                            counts,
                            c.getEntropy(),
                            c.getValuesBelowTarget() > 0 ? ", " + c.getValuesBelowTarget() + " below target" : ""));
        }
        row(
                out,
                "tokens (prompt / completion)",
                r.getPromptTokens() + " / " + r.getCompletionTokens()
                        + (r.getEstimatedCostUsd() == null
                                ? ""
                                : String.format(Locale.ROOT, " ($%.4f)", r.getEstimatedCostUsd())));
        if (r.getGenerationSpend() != null) {
            row(out, "spend, generation", SpendText.describe(r.getGenerationSpend()));
        }
        if (r.getJudgeSpend() != null) {
            row(out, "spend, judge", SpendText.describe(r.getJudgeSpend()));
        }
    }

    /**
     * The dataset's latest indirect evaluation ({@code synth evaluate}): each classifier's
     * accuracy and macro-F1 on the real test set, and macro-F1 per dollar when the dataset is priced.
     */
    static void indirect(PrintWriter out, io.synthstream.avro.IndirectEvaluation e) {
        if (e.getBenchmark() != null) {
            row(
                    out,
                    "benchmark " + e.getBenchmark().getName(),
                    String.format(
                            Locale.ROOT,
                            "%s (%.1f s, at %s)",
                            e.getBenchmark().getScore(),
                            e.getBenchmark().getSeconds(),
                            e.getEvaluatedAt()));
        }
        if (e.getRealTest() == null) {
            return;
        }
        row(
                out,
                "indirect evaluation",
                e.getClassifier() + ", tested on " + e.getRealTestSize() + " real texts (" + e.getRealTest() + ") at "
                        + e.getEvaluatedAt());
        for (io.synthstream.avro.TrainedModelScore s : e.getScores()) {
            row(
                    out,
                    "  trained on " + s.getTrainedOn() + " (" + s.getFeatures() + ")",
                    String.format(
                            Locale.ROOT,
                            "%d examples: accuracy %.3f, macro-F1 %.3f",
                            s.getTrainSize(),
                            s.getAccuracy(),
                            s.getMacroF1()));
        }
        if (e.getCostUsd() != null && e.getCostUsd() > 0) {
            e.getScores().stream()
                    .filter(s -> s.getTrainedOn().equals("synthetic"))
                    .forEach(s -> row(
                            out,
                            "  macro-F1 per dollar (" + s.getFeatures() + ")",
                            String.format(
                                    Locale.ROOT,
                                    "%.2f (cost $%.4f)",
                                    s.getMacroF1() / e.getCostUsd(),
                                    e.getCostUsd())));
        }
    }

    private static void diversity(PrintWriter out, String title, DiversityMetrics m) {
        row(
                out,
                title,
                String.format(
                        Locale.ROOT,
                        "distinct-1/2/3 %s/%s/%s, self-BLEU %s, compression %s (over %d texts), cosine %s, Vendi %s",
                        num(m.getDistinct1()),
                        num(m.getDistinct2()),
                        num(m.getDistinct3()),
                        num(m.getSelfBleu()),
                        num(m.getCompressionRatio()),
                        m.getTextSample(),
                        num(m.getMeanPairwiseCosine()),
                        num(m.getVendiScore())));
    }

    private static String num(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.2f", d);
    }

    private static void row(PrintWriter out, String name, String value) {
        name = printable(name);
        value = printable(value);
        out.printf("  %-40s %s%n", name, value);
    }

    /** Text from Kafka for a terminal: control characters (escape sequences, line breaks) as {@code ?}. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.toString();
    }

    /**
     * The yield of each request: planned → curated → accepted, with the rejections by reason
     * (curation and quality), relabels, reviews and surplus, from the ledgers.
     */
    static void printYield(PrintWriter w, Collection<RequestStatus> ledgers) {
        w.printf("%-40s %8s %8s %8s %8s %8s%n", "yield", "planned", "curated", "accepted", "surplus", "in review");
        for (RequestStatus s : ledgers) {
            w.printf(
                    "%-40s %8d %8d %8d %8d %8d%n",
                    s.getRequestId(), s.getPlanned(), s.getCurated(), s.getAccepted(), s.getSurplus(), s.getInReview());
            new TreeMap<>(s.getRejectedByReason())
                    .forEach((reason, n) -> w.printf("    rejected in curation  %-24s %6d%n", reason, n));
            new TreeMap<>(s.getRejectedQualityByReason())
                    .forEach((reason, n) -> w.printf("    rejected for quality  %-24s %6d%n", reason, n));
            if (s.getFailed() > 0) {
                w.printf("    dead-lettered         %-24s %6d%n", "", s.getFailed());
            }
            new TreeMap<>(s.getRelabeledBySource())
                    .forEach((source, n) -> w.printf("    relabelled by         %-24s %6d%n", source, n));
            if (s.getReviewTime() != null) {
                w.printf(
                        "    time in review        p50 %.0f ms, p99 %.0f ms over %d decisions%n",
                        s.getReviewTime().getP50(),
                        s.getReviewTime().getP99() == null
                                ? Double.NaN
                                : s.getReviewTime().getP99(),
                        s.getReviewTime().getCount());
            }
            if (s.getNotPlanned() > 0) {
                w.printf("    not planned           %-24s %6d%n", s.getNotPlannedReason(), s.getNotPlanned());
            }
        }
        w.flush();
    }
}
