package io.synthstream.evaluator.logic;

import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.DiversityMetrics;
import io.synthstream.avro.RequestStatus;
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
            Map<String, Long> rejectedByReason) {
        /** The sums of {@code ledgers}. */
        public static Totals of(Iterable<RequestStatus> ledgers) {
            long requested = 0, curated = 0, rejected = 0, failed = 0, prompt = 0, completion = 0;
            Map<String, Long> byReason = new TreeMap<>();
            for (RequestStatus s : ledgers) {
                requested += s.getRequested();
                curated += s.getCurated();
                rejected += s.getRejected();
                failed += s.getFailed();
                prompt += s.getPromptTokens();
                completion += s.getCompletionTokens();
                s.getRejectedByReason().forEach((r, c) -> byReason.merge(r, c, Long::sum));
            }
            return new Totals(requested, curated, rejected, failed, prompt, completion, byReason);
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
                .setSelfBleu(SelfBleu.of(sampleTexts.stream().map(NGrams::words).toList()));
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
        Double cost = null;
        if (settings.pricePromptPerMillion() != null && settings.priceCompletionPerMillion() != null) {
            cost = (totals.promptTokens() * settings.pricePromptPerMillion()
                            + totals.completionTokens() * settings.priceCompletionPerMillion())
                    / 1e6;
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
                .setEstimatedCostUsd(cost)
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
                .setSelfBleu(SelfBleu.of(words));
        if (!vectors.isEmpty()) {
            EmbeddingMoments moments = EmbeddingMoments.of(vectors, vectors.get(0).length);
            m.setMeanPairwiseCosine(moments.meanPairwiseCosine()).setVendiScore(moments.vendi());
        }
        return m.build();
    }
}
