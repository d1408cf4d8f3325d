package io.synthstream.curator.logic;

import io.synthstream.avro.Example;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RejectionReason;
import io.synthstream.avro.Step;
import io.synthstream.common.task.DefaultTemplates;
import io.synthstream.common.text.TextNormalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Detects outputs that mostly repeat the prompt or an in-context demonstration (a leaked example is
 * a classic failure of few-shot generation): the share of the output's word trigrams that also
 * occur in a reference text. Outputs of fewer than three words are never flagged. A seeded sample
 * is also compared with its seed the other way round: an output that repeats most of a seed
 * field's trigrams is a copy of the seed (quoting one sentence of a passage is not).
 */
public final class PromptEcho {
    public static final String STAGE = "heuristics";
    public static final String CHECK = "prompt-echo";

    private static final Shingler TRIGRAMS = new Shingler(3);

    private PromptEcho() {}

    /**
     * What the model saw: the templates the generator renders for the request (its own, else the
     * built-in ones of its task kind; every step's, the built-in evolve prompt for an evolve step
     * without one) and its demonstrations' texts. Demonstrations the evaluator's exemplar pool
     * supplies at run time are not known here and are not compared.
     */
    public static List<String> references(GenerationRequest spec) {
        List<String> references = new ArrayList<>();
        String kind = spec.getTask().getKind();
        references.add(Optional.ofNullable(spec.getTask().getInstructionTemplate())
                .orElse(DefaultTemplates.instruction(kind)));
        references.add(Optional.ofNullable(spec.getTask().getSystemTemplate()).orElse(DefaultTemplates.system(kind)));
        for (Step step : spec.getSteps()) {
            references.add(step.getInstructionTemplate());
            if (step.getSystemTemplate() != null) {
                references.add(step.getSystemTemplate());
            } else if ("evolve".equals(step.getKind())) {
                references.add(DefaultTemplates.EVOLVE_SYSTEM);
            }
        }
        for (Example example : spec.getExamples()) {
            references.add(String.join("\n", example.getFields().values()));
        }
        return references;
    }

    /** The trigram sets of reference texts, computed once per request and reused for its samples. */
    public static List<long[]> referenceShingles(List<String> references) {
        return references.stream()
                .map(text -> TRIGRAMS.shingles(TextNormalizer.words(TextNormalizer.normalize(text))))
                .toList();
    }

    /**
     * @param references the instruction, system prompt and demonstration texts the model saw
     * @return a PROMPT_ECHO verdict naming the worst reference, or empty
     */
    public static Optional<Verdict> check(String output, List<String> references, double maxEcho) {
        return checkAgainst(output, referenceShingles(references), maxEcho);
    }

    /** As {@link #check}, with the references' trigrams precomputed by {@link #referenceShingles}. */
    public static Optional<Verdict> checkAgainst(String output, List<long[]> referenceShingles, double maxEcho) {
        return checkWords(TextNormalizer.words(TextNormalizer.normalize(output)), referenceShingles, maxEcho);
    }

    /** As {@link #checkAgainst}, with the output's normalised words already at hand. */
    public static Optional<Verdict> checkWords(List<String> words, List<long[]> referenceShingles, double maxEcho) {
        if (words.size() < 3) {
            return Optional.empty();
        }
        long[] outputShingles = TRIGRAMS.shingles(words);
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < referenceShingles.size(); i++) {
            double echo = Jaccard.containment(outputShingles, referenceShingles.get(i));
            if (echo > worst) {
                worst = echo;
                worstIndex = i;
            }
        }
        if (worst > maxEcho) {
            return echo("%.2f of the output's trigrams repeat reference %d > %.2f", worst, worstIndex, maxEcho);
        }
        return Optional.empty();
    }

    /** Seed fields shorter than this many words (titles, labels, ids) are not compared. */
    static final int MIN_SEED_WORDS = 8;

    /**
     * A seeded sample's output against its seed: the share of a long seed field's trigrams that
     * the output repeats; above {@code maxEcho} the output is a copy of the seed (PROMPT_ECHO).
     *
     * @param words the output's normalised words
     */
    public static Optional<Verdict> checkSeed(List<String> words, java.util.Map<String, String> seed, double maxEcho) {
        if (words.size() < 3) {
            return Optional.empty();
        }
        long[] output = TRIGRAMS.shingles(words);
        for (java.util.Map.Entry<String, String> field : new java.util.TreeMap<>(seed).entrySet()) {
            List<String> seedWords = TextNormalizer.words(TextNormalizer.normalize(field.getValue()));
            if (seedWords.size() < MIN_SEED_WORDS) {
                continue;
            }
            double copied = Jaccard.containment(TRIGRAMS.shingles(seedWords), output);
            if (copied > maxEcho) {
                return echo(
                        "the output repeats %.2f of the trigrams of seed field %s > %.2f (a copy of the seed)",
                        copied, field.getKey(), maxEcho);
            }
        }
        return Optional.empty();
    }

    private static Optional<Verdict> echo(String format, Object... args) {
        return Optional.of(new Verdict(RejectionReason.PROMPT_ECHO, STAGE, String.format(Locale.ROOT, format, args)));
    }
}
