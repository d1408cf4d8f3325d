package io.synthstream.cli.indirect;

import java.util.List;
import java.util.Map;

/**
 * What a classifier achieved on a labelled test set: accuracy, macro-averaged F1, per-label
 * precision / recall / F1 / support, and the confusion matrix, all as Tribuo's
 * {@code LabelEvaluation} computes them.
 *
 * @param labels the labels in report order (the task's labels)
 * @param trainSize examples the model was trained on
 * @param confusion {@code confusion[t][p]}: test examples of label {@code labels[t]} predicted as
 *     {@code labels[p]}
 */
public record Scores(
        List<String> labels,
        int trainSize,
        int testSize,
        double accuracy,
        double macroF1,
        Map<String, PerLabel> perLabel,
        long[][] confusion) {

    /** One label's figures; precision is 0 when the model never predicted the label. */
    public record PerLabel(double precision, double recall, double f1, long support) {}
}
