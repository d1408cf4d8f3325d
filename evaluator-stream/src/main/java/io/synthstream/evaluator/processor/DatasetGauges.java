package io.synthstream.evaluator.processor;

import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.DiversityMetrics;
import io.synthstream.common.metrics.AppMeters;

/** A report's headline values as the dataset's gauges, for Prometheus, Grafana and the dashboard. */
final class DatasetGauges {
    private DatasetGauges() {}

    static void set(AppMeters meters, DatasetReport r) {
        String d = r.getDataset();
        DiversityMetrics c = r.getCumulative();
        meters.datasetMetric(d, "curated", (double) r.getCurated());
        meters.datasetMetric(d, "rejected", (double) r.getRejected());
        meters.datasetMetric(d, "failed", (double) r.getFailed());
        meters.datasetMetric(d, "yield", r.getRequested() == 0 ? null : (double) r.getCurated() / r.getRequested());
        meters.datasetMetric(
                d,
                "faithfulness_mean",
                r.getFaithfulness() == null ? null : r.getFaithfulness().getMean());
        meters.datasetMetric(d, "distinct_2", c.getDistinct2());
        meters.datasetMetric(d, "self_bleu", c.getSelfBleu());
        meters.datasetMetric(d, "compression_ratio", c.getCompressionRatio());
        meters.datasetMetric(d, "mean_pairwise_cosine", c.getMeanPairwiseCosine());
        meters.datasetMetric(d, "vendi_score", c.getVendiScore());
    }
}
