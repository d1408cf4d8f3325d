package io.synthstream.evaluator.logic;

import io.synthstream.avro.FaithfulnessScore;
import io.synthstream.common.quality.QualityPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * The quality gate: what a scored sample's scores decide under its request's {@link QualityPolicy}.
 *
 * <p>Each configured check (judge score, condition adherence, label consistency, novelty) that
 * fails acts with the policy's {@code action}: reject, review, or keep (flagged only). A sample the
 * judge could not score while a judge check is set gets {@code on_judge_failure}: it never passes
 * silently. A neighbour score that could not be computed (embeddings off, or no labelled
 * neighbours yet) passes its check, flagged {@code <check>_unavailable}.
 *
 * <p>Label enhancement from two auxiliary sources, the judge first. When the judge named a label
 * with at least {@code relabel_confidence}, it settles the question: another label is a
 * disagreement (source {@code judge}), the same label is agreement and the neighbours do not act.
 * Otherwise (judge off, failed, unsure, or no label), when the neighbours' majority names another
 * label with at least {@code relabel_confidence} of at least {@code relabel_min_neighbours} votes,
 * that is a disagreement (source {@code neighbours}). On a disagreement {@code relabel} decides:
 * relabel (the suggested label becomes final with its source, and the consistency check reads the
 * neighbours' share of the final label), review, reject, or keep (flagged). Rejections win over
 * reviews.
 */
public final class QualityGate {
    public static final String PASS = "pass";
    public static final String REJECT = "reject";
    public static final String REVIEW = "review";

    public static final String JUDGE_SCORE = "judge_score";
    public static final String JUDGE_FAILED = "judge_failed";
    public static final String ADHERENCE = "adherence";
    public static final String LABEL_CONSISTENCY = "label_consistency";
    public static final String NOVELTY = "novelty";
    public static final String LABEL_DISAGREEMENT = "label_disagreement";
    /** The review reason of a sample the gate decided that the audit sends to people as well. */
    public static final String AUDIT = "audit";

    public static final String GENERATED = "generated";
    public static final String NEIGHBOURS = "neighbours";
    public static final String JUDGE = "judge";
    public static final String HUMAN = "human";

    private QualityGate() {}

    /**
     * The scores the gate reads.
     *
     * @param faithfulness the judge's verdict (status judged, unjudged or disabled)
     * @param adherence condition adherence, or null
     * @param consistency label consistency, or null
     * @param novelty novelty, or null
     * @param vote the neighbours' vote on the label, or null
     * @param label the generated label, or null when the task has none
     */
    public record Scores(
            FaithfulnessScore faithfulness,
            Double adherence,
            Double consistency,
            Double novelty,
            Neighbours.Vote vote,
            String label) {}

    /**
     * What the gate decided.
     *
     * @param decision pass, reject or review
     * @param reasons the failed checks that acted (reject reasons when rejected, else review reasons)
     * @param flags failed checks kept, and checks that could not run
     * @param label the final label (null without one)
     * @param labelSource generated, judge or neighbours
     * @param suggestedLabel the judge's or the neighbours' label when it disagrees confidently, else null
     * @param labelConfidence the judge's confidence or the neighbours' share behind {@code suggestedLabel}
     * @param suggestedBy judge or neighbours when there is a suggested label, else null
     * @param consistency the consistency of the final label (the majority's share after a relabel)
     */
    public record Decision(
            String decision,
            List<String> reasons,
            List<String> flags,
            String label,
            String labelSource,
            String suggestedLabel,
            Double labelConfidence,
            String suggestedBy,
            Double consistency) {
        public boolean relabeled() {
            return !GENERATED.equals(labelSource);
        }
    }

    /**
     * The decision that acts on a sample the gate passed or rejected and the audit chose ({@link
     * QualityPolicy#audited}): review, for the reason {@link #AUDIT} only, so reviewers do not see
     * what the gate decided; the label and flags stay the gate's.
     */
    public static Decision audit(Decision gate) {
        return new Decision(
                REVIEW,
                List.of(AUDIT),
                gate.flags(),
                gate.label(),
                gate.labelSource(),
                gate.suggestedLabel(),
                gate.labelConfidence(),
                gate.suggestedBy(),
                gate.consistency());
    }

    public static Decision decide(QualityPolicy policy, Scores scores) {
        List<String> rejects = new ArrayList<>();
        List<String> reviews = new ArrayList<>();
        List<String> flags = new ArrayList<>();
        String label = scores.label();
        String source = GENERATED;
        String suggested = null;
        Double confidence = null;
        String suggestedBy = null;
        Double consistency = scores.consistency();
        Neighbours.Vote vote = scores.vote();
        FaithfulnessScore judge = scores.faithfulness();
        boolean judgeSure = label != null
                && judge != null
                && Scoring.JUDGED.equals(judge.getStatus())
                && judge.getLabel() != null
                && judge.getLabelConfidence() != null
                && judge.getLabelConfidence() >= policy.relabelConfidence();
        if (judgeSure && !judge.getLabel().equals(label)) {
            suggested = judge.getLabel();
            confidence = judge.getLabelConfidence();
            suggestedBy = JUDGE;
        } else if (!judgeSure
                && label != null
                && vote != null
                && vote.disagrees(label, policy.relabelConfidence(), policy.relabelMinNeighbours())) {
            suggested = vote.majority();
            confidence = vote.share();
            suggestedBy = NEIGHBOURS;
        }
        if (suggested != null) {
            if (QualityPolicy.RELABEL.equals(policy.relabel())) {
                label = suggested;
                source = suggestedBy;
                consistency = vote == null ? null : vote.shareOf(suggested);
            } else {
                act(policy.relabel(), LABEL_DISAGREEMENT, rejects, reviews, flags);
            }
        }
        if (policy.minJudgeScore() != null) {
            FaithfulnessScore f = scores.faithfulness();
            if (f != null && Scoring.JUDGED.equals(f.getStatus()) && f.getScore() != null) {
                check(f.getScore() < policy.minJudgeScore(), policy.action(), JUDGE_SCORE, rejects, reviews, flags);
            } else {
                act(policy.onJudgeFailure(), JUDGE_FAILED, rejects, reviews, flags);
            }
        }
        threshold(policy.minAdherence(), scores.adherence(), policy.action(), ADHERENCE, rejects, reviews, flags);
        threshold(
                policy.minLabelConsistency(), consistency, policy.action(), LABEL_CONSISTENCY, rejects, reviews, flags);
        threshold(policy.minNovelty(), scores.novelty(), policy.action(), NOVELTY, rejects, reviews, flags);
        String decision = !rejects.isEmpty() ? REJECT : !reviews.isEmpty() ? REVIEW : PASS;
        List<String> reasons = !rejects.isEmpty() ? rejects : reviews;
        return new Decision(
                decision,
                List.copyOf(reasons),
                List.copyOf(flags),
                label,
                source,
                suggested,
                confidence,
                suggestedBy,
                consistency);
    }

    private static void threshold(
            Double min,
            Double value,
            String action,
            String check,
            List<String> rejects,
            List<String> reviews,
            List<String> flags) {
        if (min == null) {
            return;
        }
        if (value == null) {
            flags.add(check + "_unavailable");
            return;
        }
        check(value < min, action, check, rejects, reviews, flags);
    }

    private static void check(
            boolean failed,
            String action,
            String check,
            List<String> rejects,
            List<String> reviews,
            List<String> flags) {
        if (failed) {
            act(action, check, rejects, reviews, flags);
        }
    }

    private static void act(
            String action, String check, List<String> rejects, List<String> reviews, List<String> flags) {
        switch (action) {
            case QualityPolicy.REJECT -> rejects.add(check);
            case QualityPolicy.REVIEW -> reviews.add(check);
            default -> flags.add(check);
        }
    }
}
