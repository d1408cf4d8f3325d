package io.synthstream.cli.indirect;

/**
 * One example for a text classifier: its text, its label and its weight (1 unless the dataset
 * says otherwise).
 */
public record LabelledText(String text, String label, double weight) {
    public LabelledText {
        if (text == null || label == null) {
            throw new IllegalArgumentException("a labelled text needs a text and a label");
        }
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be a positive number, got " + weight);
        }
    }

    public LabelledText(String text, String label) {
        this(text, label, 1.0);
    }
}
