package io.synthstream.evaluator.logic;

import io.synthstream.avro.AuditCounts;
import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.DiversityMetrics;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ScoreDistribution;
import io.synthstream.avro.Spend;
import io.synthstream.common.llm.Spends;
import io.synthstream.evaluator.avro.DatasetAccumulators;
import io.synthstream.evaluator.avro.ReservoirText;
import io.synthstream.evaluator.avro.WindowEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A dataset's {@link DatasetReport}: the cumulative metrics from the folded accumulators, the
 * recent ones recomputed over the recent window, coverage, the faithfulness distribution, and the
 * totals of the dataset's request ledgers with the estimated cost.
 */
public final class DatasetReports {
    private DatasetReports() {}

    /** The sums of a dataset's request ledgers. */
    public record Totals(
            long requested,
            long curated,
            long rejected,
            long failed,
            long promptTokens,
            long completionTokens,
            Spend generationSpend,
            Spend judgeSpend,
            Map<String, Long> rejectedByReason,
            Quality quality) {
        /** What generation and judging cost together, in USD. */
        public double costUsd() {
            return (generationSpend == null ? 0 : generationSpend.getCostUsd())
                    + (judgeSpend == null ? 0 : judgeSpend.getCostUsd());
        }

        /** The sums of {@code ledgers}. */
        public static Totals of(Iterable<RequestStatus> ledgers) {
            long requested = 0, curated = 0, rejected = 0, failed = 0, prompt = 0, completion = 0;
            Spend generation = null;
            Spend judge = null;
            Map<String, Long> byReason = new TreeMap<>();
            for (RequestStatus s : ledgers) {
                requested += s.getRequested();
                curated += s.getCurated();
                rejected += s.getRejected();
                failed += s.getFailed();
                prompt += s.getPromptTokens();
                completion += s.getCompletionTokens();
                generation = Spends.plus(Spends.plus(generation, s.getGenerationSpend()), s.getDesignSpend());
                judge = Spends.plus(judge, s.getJudgeSpend());
                s.getRejectedByReason().forEach((r, c) -> byReason.merge(r, c, Long::sum));
            }
            return new Totals(
                    requested,
                    curated,
                    rejected,
                    failed,
                    prompt,
                    completion,
                    generation,
                    judge,
                    byReason,
                    Quality.of(ledgers));
        }
    }

    /** The quality half of a dataset's ledgers: yield past the gate, relabels, review. */
    public record Quality(
            long planned,
            long accepted,
            long rejected,
            Map<String, Long> rejectedByReason,
            long relabeled,
            Map<String, Long> relabeledBySource,
            long inReview,
            long reviewed,
            long reviewedByPeople,
            Map<String, Long> reviewReasons,
            long surplus,
            ScoreDistribution reviewTime,
            AuditCounts audit) {
        static Quality of(Iterable<RequestStatus> ledgers) {
            long planned = 0, accepted = 0, rejected = 0, relabeled = 0, inReview = 0, reviewed = 0, surplus = 0;
            long byPeople = 0;
            Map<String, Long> reasons = new TreeMap<>();
            Map<String, Long> byReason = new TreeMap<>();
            Map<String, Long> bySource = new TreeMap<>();
            List<ScoreDistribution> times = new ArrayList<>();
            AuditCounts audit = null;
            for (RequestStatus s : ledgers) {
                audit = sum(audit, s.getAudit());
                planned += s.getPlanned();
                accepted += s.getAccepted();
                rejected += s.getRejectedQuality();
                relabeled += s.getRelabeled();
                inReview += s.getInReview();
                reviewed += s.getReviewed();
                byPeople += s.getReviewedByPeople();
                for (var e : s.getReviewReasons().entrySet()) {
                    reasons = ReviewDecisions.countReason(reasons, e.getKey(), e.getValue());
                }
                surplus += s.getSurplus();
                s.getRejectedQualityByReason().forEach((r, c) -> byReason.merge(r, c, Long::sum));
                s.getRelabeledBySource().forEach((r, c) -> bySource.merge(r, c, Long::sum));
                if (s.getReviewTime() != null && s.getReviewTime().getCount() > 0) {
                    times.add(s.getReviewTime());
                }
            }
            return new Quality(
                    planned,
                    accepted,
                    rejected,
                    byReason,
                    relabeled,
                    bySource,
                    inReview,
                    reviewed,
                    byPeople,
                    reasons,
                    surplus,
                    reviewTime(times),
                    audit);
        }

        /** The audits' tables added cell by cell; null while no request had an audit. */
        static AuditCounts sum(AuditCounts total, AuditCounts more) {
            if (more == null) {
                return total;
            }
            if (total == null) {
                return AuditCounts.newBuilder(more).build();
            }
            total.setSent(total.getSent() + more.getSent());
            total.setPassAccepted(total.getPassAccepted() + more.getPassAccepted());
            total.setPassRejected(total.getPassRejected() + more.getPassRejected());
            total.setRejectAccepted(total.getRejectAccepted() + more.getRejectAccepted());
            total.setRejectRejected(total.getRejectRejected() + more.getRejectRejected());
            total.setTimedOut(total.getTimedOut() + more.getTimedOut());
            return total;
        }

        /** Count and mean over all; quantiles and max the largest of the requests' (an upper bound). */
        static ScoreDistribution reviewTime(List<ScoreDistribution> times) {
            if (times.isEmpty()) {
                return null;
            }
            if (times.size() == 1) {
                return times.get(0);
            }
            long count = 0;
            double sum = 0;
            ScoreDistribution.Builder out = ScoreDistribution.newBuilder()
                    .setMin(Double.MAX_VALUE)
                    .setP10(0)
                    .setP50(0)
                    .setP90(0)
                    .setMax(0)
                    .setMean(0)
                    .setCount(0);
            double p99 = 0;
            for (ScoreDistribution t : times) {
                count += t.getCount();
                sum += t.getMean() * t.getCount();
                out.setMin(Math.min(out.getMin(), t.getMin()))
                        .setP10(Math.max(out.getP10(), t.getP10()))
                        .setP50(Math.max(out.getP50(), t.getP50()))
                        .setP90(Math.max(out.getP90(), t.getP90()))
                        .setMax(Math.max(out.getMax(), t.getMax()));
                p99 = Math.max(p99, t.getP99() == null ? t.getMax() : t.getP99());
            }
            return out.setCount(count).setMean(sum / count).setP99(p99).build();
        }
    }

    /** The report of {@code state}, whose accumulators are folded up to date. */
    public static DatasetReport build(DatasetState state, Totals totals, DatasetSettings settings, Instant now) {
        DatasetAccumulators acc = state.acc();
        List<String> sampleTexts =
                acc.getReservoir().stream().map(ReservoirText::getText).toList();
        DiversityMetrics.Builder cumulative = DiversityMetrics.newBuilder()
                .setSamples(acc.getSamples())
                .setCompressionRatio(CompressionRatio.of(sampleTexts))
                .setSelfBleu(SelfBleu.of(sampleTexts.stream().map(NGrams::words).toList()))
                .setTextSample(sampleTexts.size());
        for (int n = 1; n <= DatasetState.MAX_N; n++) {
            long total = acc.getNgramTotals().get(n - 1);
            Double d = total == 0 ? null : state.distinctCount(n) / total;
            switch (n) {
                case 1 -> cumulative.setDistinct1(d);
                case 2 -> cumulative.setDistinct2(d);
                default -> cumulative.setDistinct3(d);
            }
        }
        if (state.moments() != null) {
            cumulative
                    .setMeanPairwiseCosine(state.moments().meanPairwiseCosine())
                    .setVendiScore(state.moments().vendi());
        }
        return DatasetReport.newBuilder()
                .setDataset(state.dataset())
                .setGeneratedAt(now)
                .setCumulative(cumulative.build())
                .setRecent(recent(state, settings.recentSize()))
                .setCoverage(Coverage.of(acc.getCuratedCounts(), acc.getDeclared(), acc.getTargetPerCell()))
                .setCombinationsCovered(acc.getCombinations().size())
                .setFaithfulness(state.faithfulness().distribution())
                .setRequested(totals.requested())
                .setCurated(totals.curated())
                .setRejected(totals.rejected())
                .setRejectedByReason(totals.rejectedByReason())
                .setFailed(totals.failed())
                .setPromptTokens(totals.promptTokens())
                .setCompletionTokens(totals.completionTokens())
                .setEstimatedCostUsd(
                        totals.generationSpend() == null && totals.judgeSpend() == null ? null : totals.costUsd())
                .setGenerationSpend(totals.generationSpend())
                .setJudgeSpend(totals.judgeSpend())
                .setPlanned(totals.quality().planned())
                .setAccepted(totals.quality().accepted())
                .setRejectedQuality(totals.quality().rejected())
                .setRejectedQualityByReason(totals.quality().rejectedByReason())
                .setRelabeled(totals.quality().relabeled())
                .setRelabeledBySource(totals.quality().relabeledBySource())
                .setInReview(totals.quality().inReview())
                .setReviewed(totals.quality().reviewed())
                .setReviewedByPeople(totals.quality().reviewedByPeople())
                .setReviewReasons(totals.quality().reviewReasons())
                .setSurplus(totals.quality().surplus())
                .setReviewTime(totals.quality().reviewTime())
                .setAudit(totals.quality().audit())
                .setHumanDemonstrationSamples(acc.getHumanDemonstrationSamples())
                .build();
    }

    /**
     * The report's headline values, by metric name, as the dataset's gauges show them (for
     * Prometheus, Grafana and the dashboard): counts, yield, mean faithfulness and the cumulative
     * diversity metrics; null where the report has no value.
     */
    public static Map<String, Double> headlines(DatasetReport report) {
        DiversityMetrics c = report.getCumulative();
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("curated", (double) report.getCurated());
        values.put("rejected", (double) report.getRejected());
        values.put("failed", (double) report.getFailed());
        values.put("accepted", (double) report.getAccepted());
        values.put("rejected_quality", (double) report.getRejectedQuality());
        values.put("relabeled", (double) report.getRelabeled());
        values.put("in_review", (double) report.getInReview());
        values.put("surplus", (double) report.getSurplus());
        values.put(
                "review_time_p50_ms",
                report.getReviewTime() == null ? null : report.getReviewTime().getP50());
        values.put(
                "review_time_p99_ms",
                report.getReviewTime() == null ? null : report.getReviewTime().getP99());
        values.put("yield", report.getRequested() == 0 ? null : (double) report.getCurated() / report.getRequested());
        values.put(
                "faithfulness_mean",
                report.getFaithfulness() == null
                        ? null
                        : report.getFaithfulness().getMean());
        values.put("distinct_2", c.getDistinct2());
        values.put("self_bleu", c.getSelfBleu());
        values.put("compression_ratio", c.getCompressionRatio());
        values.put("mean_pairwise_cosine", c.getMeanPairwiseCosine());
        values.put("vendi_score", c.getVendiScore());
        return values;
    }

    /** Metrics over the last {@code size} samples, computed from scratch; null until there are that many. */
    static DiversityMetrics recent(DatasetState state, int size) {
        if (state.recent().size() < size) {
            return null;
        }
        List<List<String>> words = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        Iterator<WindowEntry> newest = state.recent().descendingIterator();
        while (newest.hasNext() && texts.size() < size) {
            WindowEntry e = newest.next();
            String text = e.getText() == null ? "" : e.getText();
            texts.add(text);
            words.add(NGrams.words(text));
            float[] vector = Vectors.decode(e.getEmbedding());
            if (vector != null) {
                vectors.add(vector);
            }
        }
        DiversityMetrics.Builder m = DiversityMetrics.newBuilder()
                .setSamples(texts.size())
                .setDistinct1(NGrams.distinct(words, 1))
                .setDistinct2(NGrams.distinct(words, 2))
                .setDistinct3(NGrams.distinct(words, 3))
                .setCompressionRatio(CompressionRatio.of(texts))
                .setSelfBleu(SelfBleu.of(words))
                .setTextSample(texts.size());
        if (!vectors.isEmpty()) {
            EmbeddingMoments moments = EmbeddingMoments.of(vectors, vectors.get(0).length);
            m.setMeanPairwiseCosine(moments.meanPairwiseCosine()).setVendiScore(moments.vendi());
        }
        return m.build();
    }
}
