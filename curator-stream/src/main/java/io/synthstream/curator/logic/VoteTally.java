package io.synthstream.curator.logic;

import io.synthstream.avro.RejectionReason;
import io.synthstream.curator.avro.BandVote;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The votes a waiting sample has received: one per owner partition it claimed buckets on. Kept
 * in memory only; after a restart the origin task claims its waiting samples again (see the
 * curator in the README), so a tally never needs to survive one.
 */
public final class VoteTally {
    /** The stage of exact-duplicate rejections. */
    public static final String EXACT_STAGE = "exact-dedup";
    /** The stage of near-duplicate rejections. */
    public static final String NEAR_STAGE = "near-dedup";
    /** The stage of semantic-duplicate rejections. */
    public static final String SEMANTIC_STAGE = "semantic-dedup";

    private final List<Integer> owners;
    private int received;
    private String exactDupOf;
    private final BandVote best;
    private final List<String> stages;

    /**
     * @param owners the owner partitions the sample's claims went to: one vote is due from each,
     *     and each is told the sample's fate
     * @param stages the dedup stages the claims stand for, recorded as passed when no vote objects
     */
    public VoteTally(String sampleId, List<Integer> owners, List<String> stages) {
        this.owners = List.copyOf(owners);
        this.stages = List.copyOf(stages);
        this.best = new BandVote(sampleId, null, null, null, null, null);
    }

    public void add(BandVote vote) {
        received++;
        if (vote.getExactDupOf() != null) {
            exactDupOf = vote.getExactDupOf();
        }
        if (vote.getDupOf() != null
                && BandBuckets.isBetterMatch(
                        vote.getDupOf(), vote.getSimilarity(), best.getDupOf(), best.getSimilarity())) {
            best.setDupOf(vote.getDupOf());
            best.setSimilarity(vote.getSimilarity());
        }
        if (vote.getSemanticDupOf() != null
                && BandBuckets.isBetterMatch(
                        vote.getSemanticDupOf(), vote.getCosine(), best.getSemanticDupOf(), best.getCosine())) {
            best.setSemanticDupOf(vote.getSemanticDupOf());
            best.setCosine(vote.getCosine());
        }
    }

    public boolean isComplete() {
        return received >= owners.size();
    }

    /** The owner partitions the sample claimed on. */
    public List<Integer> owners() {
        return owners;
    }

    public List<String> stages() {
        return stages;
    }

    /** The earlier sample with the same normalised text, if any. */
    public String exactDupOf() {
        return exactDupOf;
    }

    /** The most similar earlier near duplicate, if any. */
    public String nearDupOf() {
        return best.getDupOf();
    }

    /** Estimated Jaccard similarity to {@link #nearDupOf()}. */
    public double similarity() {
        return best.getSimilarity() == null ? 0.0 : best.getSimilarity();
    }

    /** The most similar earlier semantic duplicate, if any. */
    public String semanticDupOf() {
        return best.getSemanticDupOf();
    }

    /** Cosine of the embeddings with {@link #semanticDupOf()}. */
    public double cosine() {
        return best.getCosine() == null ? 0.0 : best.getCosine();
    }

    /**
     * The dedup verdict of a complete tally: an exact duplicate wins over a near one, and a near
     * one over a semantic one; empty when the sample is unique.
     *
     * @param exactHash the sample's normalised-text hash, named in the exact verdict's detail
     */
    public Optional<Verdict> verdict(String exactHash) {
        if (exactDupOf != null) {
            return Optional.of(new Verdict(
                    RejectionReason.EXACT_DUPLICATE,
                    EXACT_STAGE,
                    "same normalised text as " + exactDupOf + " (hash " + exactHash + ")"));
        }
        if (nearDupOf() != null) {
            return Optional.of(new Verdict(
                    RejectionReason.NEAR_DUPLICATE,
                    NEAR_STAGE,
                    String.format(
                            Locale.ROOT, "estimated Jaccard %.2f with earlier sample %s", similarity(), nearDupOf())));
        }
        if (semanticDupOf() != null) {
            return Optional.of(new Verdict(
                    RejectionReason.SEMANTIC_DUPLICATE,
                    SEMANTIC_STAGE,
                    String.format(
                            Locale.ROOT, "embedding cosine %.3f with earlier sample %s", cosine(), semanticDupOf())));
        }
        return Optional.empty();
    }

    /** The similarity of the duplicate the verdict names: 1 for an exact copy, the Jaccard estimate or the cosine. */
    public Double dupSimilarity() {
        return exactDupOf != null
                ? 1.0
                : nearDupOf() != null ? similarity() : semanticDupOf() != null ? cosine() : null;
    }

    /** The duplicate the verdict names. */
    public String dupOf() {
        return exactDupOf != null ? exactDupOf : nearDupOf() != null ? nearDupOf() : semanticDupOf();
    }
}
