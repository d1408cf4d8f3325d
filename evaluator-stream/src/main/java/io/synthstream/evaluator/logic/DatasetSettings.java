package io.synthstream.evaluator.logic;

import java.time.Duration;

/**
 * What the dataset stage reads from the evaluator's settings.
 *
 * @param windowSize most recent samples kept per dataset for kNN and novelty
 * @param recentSize samples in the report's recent window
 * @param reservoirSize samples in the bottom-k text sample
 * @param exemplarsPerGroup exemplars kept per label (0: none)
 * @param distinctExactLimit distinct n-grams counted exactly per n before an HLL sketch
 * @param knnK neighbours in the label vote (a request's {@code evaluation.knn_k} wins)
 * @param steering when steering updates are published
 * @param idle how long a dataset without events keeps its state in memory and its gauges
 */
public record DatasetSettings(
        int windowSize,
        int recentSize,
        int reservoirSize,
        int exemplarsPerGroup,
        int distinctExactLimit,
        int knnK,
        Steering steering,
        Duration idle) {

    /**
     * @param enabled whether updates are published at all
     * @param interval least time between two updates of a dataset
     * @param minSamples new decisions a dataset needs before its next update
     * @param minYield values whose curator yield is below this are damped in proportion
     */
    public record Steering(boolean enabled, Duration interval, int minSamples, double minYield) {}

    /** Samples the dataset stage keeps in memory per dataset: enough for kNN and the recent window. */
    public int keptSamples() {
        return Math.max(windowSize, recentSize);
    }
}
