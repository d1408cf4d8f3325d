package io.synthstream.cli.indirect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluation;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.data.text.impl.TextFeatureExtractorImpl;
import org.tribuo.data.text.impl.TokenPipeline;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.transform.TransformTrainer;
import org.tribuo.transform.TransformationMap;
import org.tribuo.transform.transformations.IDFTransformation;
import org.tribuo.util.tokens.impl.BreakIteratorTokenizer;

/**
 * A small text classifier from Tribuo, trained on one labelled set and scored on another:
 * multinomial logistic regression (Tribuo's {@link LinearSGDTrainer} with the log loss and
 * AdaGrad, a fixed seed) over either TF-IDF weighted word uni- and bigrams or sentence
 * embeddings. The same inputs give the same figures on every run.
 *
 * <p>Example weights are honoured when asked for ({@code weighted}): Tribuo's SGD trainers scale
 * each example's gradient by its weight.
 */
public final class TextClassifier {
    /** The features a model is trained on. */
    public enum Features {
        /** Word uni- and bigrams (lower-cased), term counts times inverse document frequency. */
        tfidf,
        /** The sentence embedding of each text (the project's embedder, e.g. in-process MiniLM). */
        embeddings
    }

    /** Passes over the training set; enough for the loss to settle on sets of a few thousand texts. */
    public static final int EPOCHS = 10;

    /** The seed of example order in training (Tribuo's SGD shuffles each epoch). */
    public static final long DEFAULT_SEED = 42;

    /** Tribuo logs every training run at INFO through java.util.logging; our output says enough. */
    private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

    static {
        TRIBUO_LOG.setLevel(Level.SEVERE);
    }

    private static final LabelFactory LABELS = new LabelFactory();

    private final Features features;
    private final long seed;
    private final Function<List<String>, List<float[]>> embedder;
    private final Map<String, float[]> vectors = new HashMap<>();

    /**
     * @param embedder the embeddings of a batch of texts, in order (only for {@link Features#embeddings});
     *     each distinct text is embedded once per classifier, however many models are trained
     */
    public TextClassifier(Features features, long seed, Function<List<String>, List<float[]>> embedder) {
        if (features == Features.embeddings && embedder == null) {
            throw new IllegalArgumentException("embedding features need an embedder");
        }
        this.features = features;
        this.seed = seed;
        this.embedder = embedder;
    }

    public Features features() {
        return features;
    }

    /** The seed of training order, also the seed of the learning curve's subsets. */
    public long seed() {
        return seed;
    }

    /**
     * Trains on {@code train} and scores the model on {@code test}.
     *
     * @param weighted train with each example's weight (else every weight is 1)
     * @param labels the labels in report order; every label of both sets must be among them
     */
    public Scores trainAndTest(
            List<LabelledText> train, boolean weighted, List<LabelledText> test, List<String> labels) {
        Model<Label> model = train(train, weighted);
        MutableDataset<Label> testSet = dataset("test", test, false);
        LabelEvaluation evaluation = new LabelEvaluator().evaluate(model, testSet);
        Map<String, Scores.PerLabel> perLabel = new LinkedHashMap<>();
        long[][] confusion = new long[labels.size()][labels.size()];
        for (int t = 0; t < labels.size(); t++) {
            Label truth = new Label(labels.get(t));
            long support = 0;
            for (int p = 0; p < labels.size(); p++) {
                long n = Math.round(evaluation.getConfusionMatrix().confusion(new Label(labels.get(p)), truth));
                confusion[t][p] = n;
                support += n;
            }
            perLabel.put(
                    labels.get(t),
                    new Scores.PerLabel(
                            finite(evaluation.precision(truth)),
                            finite(evaluation.recall(truth)),
                            finite(evaluation.f1(truth)),
                            support));
        }
        return new Scores(
                List.copyOf(labels),
                train.size(),
                test.size(),
                evaluation.accuracy(),
                finite(evaluation.macroAveragedF1()),
                perLabel,
                confusion);
    }

    /** A model trained on {@code train}. */
    Model<Label> train(List<LabelledText> train, boolean weighted) {
        Trainer<Label> logistic = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(1.0, 0.1), EPOCHS, -1, 1, seed);
        Trainer<Label> trainer = features == Features.tfidf
                // IDF needs the implicit zeros counted: N is the number of documents, not of those with the term.
                ? new TransformTrainer<>(logistic, new TransformationMap(List.of(new IDFTransformation())), false, true)
                : logistic;
        return trainer.train(dataset("train", train, weighted));
    }

    private MutableDataset<Label> dataset(String name, List<LabelledText> texts, boolean weighted) {
        MutableDataset<Label> dataset = new MutableDataset<>(new SimpleDataSourceProvenance(name, LABELS), LABELS);
        List<Example<Label>> examples = examples(texts);
        for (int i = 0; i < texts.size(); i++) {
            Example<Label> example = examples.get(i);
            example.setWeight(weighted ? (float) texts.get(i).weight() : 1f);
            dataset.add(example);
        }
        return dataset;
    }

    private List<Example<Label>> examples(List<LabelledText> texts) {
        List<Example<Label>> out = new ArrayList<>(texts.size());
        if (features == Features.tfidf) {
            TextFeatureExtractorImpl<Label> extractor =
                    new TextFeatureExtractorImpl<>(new TokenPipeline(new BreakIteratorTokenizer(Locale.ROOT), 2, true));
            for (LabelledText t : texts) {
                out.add(extractor.extract(new Label(t.label()), t.text().toLowerCase(Locale.ROOT)));
            }
            return out;
        }
        embedMissing(texts);
        for (LabelledText t : texts) {
            float[] v = vectors.get(t.text());
            String[] names = new String[v.length];
            double[] values = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                names[i] = String.format(Locale.ROOT, "e%04d", i);
                values[i] = v[i];
            }
            out.add(new ArrayExample<>(new Label(t.label()), names, values));
        }
        return out;
    }

    private void embedMissing(List<LabelledText> texts) {
        java.util.Set<String> distinct = new java.util.LinkedHashSet<>();
        for (LabelledText t : texts) {
            if (!vectors.containsKey(t.text())) {
                distinct.add(t.text());
            }
        }
        List<String> missing = new ArrayList<>(distinct);
        if (missing.isEmpty()) {
            return;
        }
        List<float[]> embedded = embedder.apply(missing);
        if (embedded.size() != missing.size()) {
            throw new IllegalStateException(
                    "the embedder returned " + embedded.size() + " vectors for " + missing.size() + " texts");
        }
        for (int i = 0; i < missing.size(); i++) {
            vectors.put(missing.get(i), embedded.get(i));
        }
    }

    private static double finite(double d) {
        return Double.isNaN(d) ? 0 : d;
    }
}
