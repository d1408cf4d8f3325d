package io.synthstream.bench;

import io.synthstream.embedding.MiniLmEmbedder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Texts/s of the in-process MiniLM on one thread (one ONNX thread), one text per run against
 * batches of 8, 16 and 32 padded to their longest text, side by side in one JVM: rounds alternate
 * the modes so that the machine's drift hits all alike. Also prints how far a batched vector is
 * from the same text embedded alone (1 − cosine), because a quantized model's activations are
 * scaled per batch and a vector that depends on its neighbours in a batch would make dedup depend
 * on timing.
 *
 * <p>With {@code -Dsynth.bench.sorted} the texts are sorted by length first, so a batch holds texts
 * of about the same length and needs little padding.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.synthstream.bench.EmbeddingBatchHarness
 * [texts per round] [rounds] [characters per text]} (defaults 320, 5, 400).
 */
public final class EmbeddingBatchHarness {
    private EmbeddingBatchHarness() {}

    public static void main(String[] args) throws Exception {
        int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 320;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int chars = args.length > 2 ? Integer.parseInt(args[2]) : 400;
        int[] batches = {1, 8, 16, 32};
        Path cache = Files.createTempDirectory("synth-bench-native");
        try (MiniLmEmbedder model = MiniLmEmbedder.load(cache)) {
            List<String> texts = new ArrayList<>(TextCorpus.texts(11, perRound, chars));
            if (System.getProperty("synth.bench.sorted") != null) { // neighbours of similar length: little padding
                texts.sort(java.util.Comparator.comparingInt(String::length));
            }
            for (int batch : batches) { // warm-up: the JIT and ONNX Runtime's first runs
                embed(model, texts.subList(0, Math.min(64, texts.size())), batch);
            }
            double[] seconds = new double[batches.length];
            for (int round = 0; round < rounds; round++) {
                for (int m = 0; m < batches.length; m++) {
                    long start = System.nanoTime();
                    embed(model, texts, batches[m]);
                    double s = (System.nanoTime() - start) / 1e9;
                    seconds[m] += s;
                    System.out.printf(
                            Locale.ROOT,
                            "round %d, batch %2d: %6.1f texts/s%n",
                            round + 1,
                            batches[m],
                            texts.size() / s);
                }
            }
            List<float[]> alone = embed(model, texts, 1);
            System.out.printf(
                    Locale.ROOT,
                    "%n%,d texts of about %d characters, %d rounds, one thread%n",
                    texts.size(),
                    chars,
                    rounds);
            System.out.println("batch  texts/s  ratio to one-at-a-time  largest 1 - cosine(batched, alone)");
            double single = texts.size() * rounds / seconds[0];
            for (int m = 0; m < batches.length; m++) {
                double rate = texts.size() * rounds / seconds[m];
                List<float[]> batched = embed(model, texts, batches[m]);
                double worst = 0;
                for (int i = 0; i < texts.size(); i++) {
                    worst = Math.max(worst, 1 - dot(batched.get(i), alone.get(i)));
                }
                System.out.printf(Locale.ROOT, "%5d  %7.1f  %22.2f  %.6f%n", batches[m], rate, rate / single, worst);
            }
        }
    }

    private static List<float[]> embed(MiniLmEmbedder model, List<String> texts, int batch) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i += batch) {
            List<String> part = texts.subList(i, Math.min(texts.size(), i + batch));
            if (batch == 1) {
                out.add(model.embed(part.get(0)));
            } else {
                out.addAll(model.embedAll(part));
            }
        }
        return out;
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
