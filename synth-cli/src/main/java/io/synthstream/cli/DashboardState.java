package io.synthstream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.synthstream.avro.RequestStatus;
import io.synthstream.common.metrics.SynthMeters;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the dashboard shows, sampled once a second from the apps' own Micrometer registries (the
 * meters they also serve on {@code /metrics}) and from the request ledger: rates per stage, LLM
 * latency percentiles over the last interval, calls in flight and the concurrency limit, tokens/s,
 * rejections/s by reason, each dataset's faithfulness and diversity over time, per-request
 * progress, and each dataset's latest indirect evaluation ({@code synth evaluate}). The last {@value #HISTORY} samples are kept.
 */
final class DashboardState {
    static final int HISTORY = 600;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Collection<MeterRegistry> registries;
    private final Deque<ObjectNode> history = new ArrayDeque<>();
    private final Map<String, RequestStatus> requests = new TreeMap<>();
    private final Map<String, io.synthstream.avro.IndirectEvaluation> evaluations = new TreeMap<>();
    private final Map<String, Double> previous = new HashMap<>();
    private final Map<String, long[]> previousBuckets = new HashMap<>();
    private long previousAt;

    DashboardState(Collection<MeterRegistry> registries) {
        this.registries = List.copyOf(registries);
    }

    synchronized void status(RequestStatus status) {
        requests.put(status.getRequestId(), status);
    }

    /** Keeps the latest indirect evaluation of the dataset ({@code synth evaluate}). */
    synchronized void evaluation(io.synthstream.avro.IndirectEvaluation evaluation) {
        evaluations.put(evaluation.getDataset(), evaluation);
    }

    /** Takes one sample of every series. */
    synchronized void sample(long now) {
        double seconds = previousAt == 0 ? 0 : (now - previousAt) / 1000.0;
        previousAt = now;
        ObjectNode point = JSON.createObjectNode().put("t", now);
        ObjectNode rates = point.putObject("samples_per_s");
        rate(rates, "samples", "generated", seconds, counter(SynthMeters.GENERATOR_SAMPLES, "outcome", "generated"));
        rate(rates, "samples", "curated", seconds, counter(SynthMeters.CURATOR_SAMPLES, "outcome", "curated"));
        rate(rates, "samples", "rejected", seconds, counter(SynthMeters.CURATOR_SAMPLES, "outcome", "rejected"));
        rate(rates, "samples", "scored", seconds, counter(SynthMeters.EVALUATOR_SAMPLES, null, null));
        ObjectNode latency = point.putObject("llm_latency_ms");
        latencyPercentiles(latency);
        ObjectNode calls = point.putObject("llm_calls");
        calls.put("in_flight", gauge(SynthMeters.LLM_IN_FLIGHT));
        calls.put("limit", gauge(SynthMeters.LLM_CONCURRENCY_LIMIT));
        ObjectNode tokens = point.putObject("tokens_per_s");
        for (String type : List.of("input", "output")) {
            double total = 0;
            for (MeterRegistry r : registries) {
                for (DistributionSummary s : r.find(SynthMeters.LLM_TOKENS.meterName())
                        .tag("gen_ai.token.type", type)
                        .summaries()) {
                    total += s.totalAmount();
                }
            }
            rate(tokens, "tokens", type, seconds, total);
        }
        ObjectNode cost = point.putObject("cost_per_min");
        ObjectNode tokensByModel = point.putObject("tokens_per_s_by_model");
        Map<String, Double> costByModel = new TreeMap<>();
        Map<String, Double> tokensOfModel = new TreeMap<>();
        for (MeterRegistry r : registries) {
            for (Counter c : r.find(SynthMeters.LLM_COST.meterName()).counters()) {
                costByModel.merge(c.getId().getTag("gen_ai.request.model"), c.count(), Double::sum);
            }
            for (Counter c : r.find(SynthMeters.LLM_BILLED_TOKENS.meterName()).counters()) {
                tokensOfModel.merge(c.getId().getTag("gen_ai.request.model"), c.count(), Double::sum);
            }
        }
        costByModel.forEach((model, total) -> rate(cost, "cost", model, seconds / 60, total));
        tokensOfModel.forEach((model, total) -> rate(tokensByModel, "tokens_by_model", model, seconds, total));
        ObjectNode budgets = point.putObject("budget_left_pct");
        for (RequestStatus s : requests.values()) {
            if (s.getBudget() != null && !s.getComplete()) {
                budgets.put(s.getRequestId(), 100 * (1 - SpendText.budgetUsed(s)));
            }
        }
        ObjectNode rejections = point.putObject("rejections_per_s");
        Map<String, Double> byReason = new TreeMap<>();
        for (MeterRegistry r : registries) {
            for (Counter c : r.find(SynthMeters.CURATOR_SAMPLES.meterName())
                    .tag("outcome", "rejected")
                    .counters()) {
                byReason.merge(c.getId().getTag("reason"), c.count(), Double::sum);
            }
        }
        byReason.forEach((reason, total) -> rate(rejections, "rejections", reason, seconds, total));
        ObjectNode datasets = point.putObject("datasets");
        for (MeterRegistry r : registries) {
            for (Gauge g : r.find(SynthMeters.DATASET_METRIC.meterName()).gauges()) {
                double v = g.value();
                if (!Double.isNaN(v)) {
                    ((ObjectNode) datasets.with(g.getId().getTag("dataset")))
                            .put(g.getId().getTag("metric"), v);
                }
            }
        }
        history.addLast(point);
        while (history.size() > HISTORY) {
            history.removeFirst();
        }
    }

    /** The history and the requests' progress, as the page reads them. */
    synchronized ObjectNode json() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode points = out.putArray("points");
        history.forEach(points::add);
        ArrayNode progress = out.putArray("requests");
        for (RequestStatus s : requests.values()) {
            progress.addObject()
                    .put("request_id", s.getRequestId())
                    .put("dataset", s.getDataset())
                    .put("requested", s.getRequested())
                    .put("generated", s.getGenerated())
                    .put("curated", s.getCurated())
                    .put("rejected", s.getRejected())
                    .put("failed", s.getFailed())
                    .put("judged", s.getJudged())
                    .put("target", s.getTarget())
                    .put("planned", s.getPlanned())
                    .put("accepted", s.getAccepted())
                    .put("rejected_quality", s.getRejectedQuality())
                    .put("relabeled", s.getRelabeled())
                    .put("in_review", s.getInReview())
                    .put("surplus", s.getSurplus())
                    .put("complete", s.getComplete());
            ObjectNode row = (ObjectNode) progress.get(progress.size() - 1);
            io.synthstream.avro.Spend spend = io.synthstream.common.llm.Spends.of(s);
            if (spend != null) {
                row.put("tokens", spend.getPromptTokens() + spend.getCompletionTokens())
                        .put("cost_usd", spend.getCostUsd())
                        .put("tokens_estimated", spend.getEstimatedTokens())
                        .put("tokens_unpriced", spend.getUnpricedTokens());
            }
            if (s.getBudget() != null) {
                row.put("budget_used_pct", 100 * SpendText.budgetUsed(s));
            }
            if (s.getReviewTime() != null) {
                row.put("review_p50_ms", s.getReviewTime().getP50());
                row.put(
                        "review_p99_ms",
                        s.getReviewTime().getP99() == null
                                ? s.getReviewTime().getMax()
                                : s.getReviewTime().getP99());
            }
        }
        ArrayNode indirect = out.putArray("evaluations");
        for (io.synthstream.avro.IndirectEvaluation e : evaluations.values()) {
            ObjectNode row = indirect.addObject()
                    .put("dataset", e.getDataset())
                    .put("evaluated_at", e.getEvaluatedAt().toString())
                    .put("real_test", e.getRealTest())
                    .put("real_test_size", e.getRealTestSize());
            ArrayNode scores = row.putArray("scores");
            e.getScores()
                    .forEach(m -> scores.addObject()
                            .put("trained_on", m.getTrainedOn())
                            .put("features", m.getFeatures())
                            .put("train_size", m.getTrainSize())
                            .put("accuracy", m.getAccuracy())
                            .put("macro_f1", m.getMacroF1()));
            if (e.getBenchmark() != null) {
                row.putObject("benchmark")
                        .put("name", e.getBenchmark().getName())
                        .put("score", e.getBenchmark().getScore());
            }
        }
        return out;
    }

    /** Puts the per-second rate of a cumulative total since the previous sample (0 on the first). */
    private void rate(ObjectNode node, String series, String name, double seconds, double total) {
        Double before = previous.put(series + "/" + name, total);
        // a series first seen after the first sample counted everything since the last one
        node.put(name, seconds <= 0 ? 0 : Math.max(0, (total - (before == null ? 0 : before)) / seconds));
    }

    private double counter(SynthMeters meter, String tag, String value) {
        double total = 0;
        for (MeterRegistry r : registries) {
            var search = r.find(meter.meterName());
            if (tag != null) {
                search = search.tag(tag, value);
            }
            for (Counter c : search.counters()) {
                total += c.count();
            }
        }
        return total;
    }

    private double gauge(SynthMeters meter) {
        double total = 0;
        for (MeterRegistry r : registries) {
            for (Gauge g : r.find(meter.meterName()).gauges()) {
                total += g.value();
            }
        }
        return total;
    }

    /** p50, p90 and p99 of the LLM call latency over the last interval, from the timers' histogram buckets. */
    private void latencyPercentiles(ObjectNode node) {
        TreeMap<Double, Long> buckets = new TreeMap<>();
        for (MeterRegistry r : registries) {
            for (Timer t : r.find(SynthMeters.LLM_LATENCY.meterName()).timers()) {
                String key = t.getId().toString() + System.identityHashCode(r);
                CountAtBucket[] counts = t.takeSnapshot().histogramCounts();
                long[] before = previousBuckets.get(key);
                long[] now = new long[counts.length];
                for (int i = 0; i < counts.length; i++) {
                    now[i] = (long) counts[i].count();
                    long delta = now[i] - (before == null || before.length != counts.length ? 0 : before[i]);
                    buckets.merge(counts[i].bucket(java.util.concurrent.TimeUnit.MILLISECONDS), delta, Long::sum);
                }
                previousBuckets.put(key, now);
            }
        }
        long total = buckets.isEmpty() ? 0 : buckets.lastEntry().getValue();
        for (double q : new double[] {0.5, 0.9, 0.99}) {
            String name = "p" + (int) Math.round(q * 100);
            if (total == 0) {
                node.putNull(name);
                continue;
            }
            double target = q * total;
            Double bound = null;
            for (Map.Entry<Double, Long> b : buckets.entrySet()) {
                if (b.getValue() >= target) {
                    bound = b.getKey();
                    break;
                }
            }
            node.put(name, bound == null ? buckets.lastKey() : bound);
        }
    }
}
