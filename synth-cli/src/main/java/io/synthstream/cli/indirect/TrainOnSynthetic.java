package io.synthstream.cli.indirect;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The survey's indirect evaluation (ZeroGen, SuperGen, AttrPrompt): a small classifier trained on
 * the synthetic set and tested on real data; the same classifier trained on real train data as
 * the baseline; trained with the samples' weights to show what they change; and a learning curve
 * over growing shares of the synthetic set.
 */
public final class TrainOnSynthetic {
    /** The shares of the synthetic set the learning curve trains on, by default. */
    public static final List<Double> DEFAULT_CURVE = List.of(0.1, 0.25, 0.5, 1.0);

    /** How a model was trained: which set, which features. */
    public record Run(String trainedOn, TextClassifier.Features features, Scores scores) {}

    /** A point of the learning curve. */
    public record Point(TextClassifier.Features features, double share, Scores scores) {}

    /** Everything one evaluation found. */
    public record Result(List<String> labels, List<Run> runs, List<Point> curve) {}

    /** What to train and test. */
    public record Plan(
            List<LabelledText> synthetic,
            List<LabelledText> realTest,
            List<LabelledText> realTrain,
            List<String> labels,
            boolean weighted,
            List<Double> curve) {}

    private TrainOnSynthetic() {}

    /**
     * Runs the plan with each classifier in turn (one per feature kind), reporting each step to
     * {@code progress}.
     */
    public static Result run(Plan plan, List<TextClassifier> classifiers, Consumer<String> progress) {
        List<Run> runs = new ArrayList<>();
        List<Point> curve = new ArrayList<>();
        for (TextClassifier c : classifiers) {
            progress.accept(c.features() + ": training on " + plan.synthetic().size() + " synthetic samples");
            runs.add(new Run(
                    "synthetic",
                    c.features(),
                    c.trainAndTest(plan.synthetic(), false, plan.realTest(), plan.labels())));
            if (plan.weighted()) {
                progress.accept(c.features() + ": training on the synthetic samples with their weights");
                runs.add(new Run(
                        "synthetic-weighted",
                        c.features(),
                        c.trainAndTest(plan.synthetic(), true, plan.realTest(), plan.labels())));
            }
            if (plan.realTrain() != null) {
                progress.accept(
                        c.features() + ": training on " + plan.realTrain().size() + " real samples (baseline)");
                runs.add(new Run(
                        "real", c.features(), c.trainAndTest(plan.realTrain(), false, plan.realTest(), plan.labels())));
            }
            for (double share : plan.curve()) {
                if (share >= 1.0) {
                    curve.add(new Point(
                            c.features(),
                            1.0,
                            runs.stream()
                                    .filter(r -> r.features() == c.features()
                                            && r.trainedOn().equals("synthetic"))
                                    .findFirst()
                                    .orElseThrow()
                                    .scores()));
                    continue;
                }
                List<LabelledText> subset = stratified(plan.synthetic(), share, c.seed());
                progress.accept(c.features() + ": learning curve, " + subset.size() + " samples");
                curve.add(
                        new Point(c.features(), share, c.trainAndTest(subset, false, plan.realTest(), plan.labels())));
            }
        }
        return new Result(plan.labels(), runs, curve);
    }

    /**
     * A seeded stratified share of {@code set}: of each label, {@code share} of its examples
     * (rounded, at least one), the label's examples shuffled with {@code seed}; in the set's order.
     */
    public static List<LabelledText> stratified(List<LabelledText> set, double share, long seed) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("a share must be in (0, 1], got " + share);
        }
        Map<String, List<Integer>> byLabel = new TreeMap<>();
        for (int i = 0; i < set.size(); i++) {
            byLabel.computeIfAbsent(set.get(i).label(), l -> new ArrayList<>()).add(i);
        }
        Random random = new Random(seed);
        List<Integer> kept = new ArrayList<>();
        byLabel.values().forEach(indices -> {
            List<Integer> shuffled = new ArrayList<>(indices);
            Collections.shuffle(shuffled, random);
            int n = Math.max(1, (int) Math.round(indices.size() * share));
            kept.addAll(shuffled.subList(0, Math.min(n, shuffled.size())));
        });
        Collections.sort(kept);
        List<LabelledText> out = new ArrayList<>(kept.size());
        kept.forEach(i -> out.add(set.get(i)));
        return out;
    }
}
