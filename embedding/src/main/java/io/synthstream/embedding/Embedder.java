package io.synthstream.embedding;

/** Turns a text into a sentence embedding. Called from the evaluator's embedding threads only. */
public interface Embedder extends AutoCloseable {
    /** Short name recorded in logs and the benchmark, e.g. {@code all-minilm-l6-v2-q}. */
    String name();

    /** The embedding of {@code text}; any length (the model truncates long texts). */
    float[] embed(String text);

    /** The embeddings of several texts, in order; by default one {@link #embed} each. */
    default java.util.List<float[]> embedAll(java.util.List<String> texts) {
        java.util.List<float[]> out = new java.util.ArrayList<>(texts.size());
        for (String text : texts) {
            out.add(embed(text));
        }
        return out;
    }

    @Override
    default void close() {}

    /** {@code vector} scaled to unit length (a zero vector stays zero). */
    static float[] normalize(float[] vector) {
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        float[] out = new float[vector.length];
        if (norm > 0) {
            for (int i = 0; i < vector.length; i++) {
                out[i] = (float) (vector[i] / norm);
            }
        }
        return out;
    }
}
