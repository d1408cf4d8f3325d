package io.synthstream.common.quality;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.QualitySettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * A request's {@code quality} section with every default filled in, and its validation (the
 * generator's and {@code synth submit}'s, which list every problem at once). One place for the
 * defaults that docs/quality.md documents.
 *
 * @param minJudgeScore lowest judge score that passes, or null for no judge check
 * @param minAdherence lowest condition adherence, or null
 * @param minLabelConsistency lowest label consistency, or null
 * @param minNovelty lowest novelty, or null
 * @param action what a failed score check does: reject, review or keep
 * @param onJudgeFailure what an unjudged sample gets while a judge check is set: reject, review or keep
 * @param relabel what a confident disagreement of the judge or the neighbours does: relabel, review, reject or keep
 * @param relabelConfidence the judge's confidence, or the share of neighbours that must carry the other label
 * @param relabelMinNeighbours the neighbours needed before the vote may act
 * @param weights none, quality, balance or both
 * @param target planned or accepted
 * @param maxPlanned the most samples that may be planned (target accepted); equals count otherwise
 * @param reviewTimeout how long a sample waits for a decision
 * @param reviewTimeoutAction accept or reject
 * @param auditRate share in [0, 1] of the samples the gate decided that also go to review ({@link
 *     #audited})
 */
public record QualityPolicy(
        Double minJudgeScore,
        Double minAdherence,
        Double minLabelConsistency,
        Double minNovelty,
        String action,
        String onJudgeFailure,
        String relabel,
        double relabelConfidence,
        int relabelMinNeighbours,
        String weights,
        String target,
        long maxPlanned,
        Duration reviewTimeout,
        String reviewTimeoutAction,
        double auditRate) {
    public static final String REJECT = "reject";
    public static final String REVIEW = "review";
    public static final String KEEP = "keep";
    public static final String RELABEL = "relabel";
    public static final String ACCEPT = "accept";

    public static final List<String> ACTIONS = List.of(REJECT, REVIEW, KEEP);
    public static final List<String> RELABEL_ACTIONS = List.of(RELABEL, REVIEW, REJECT, KEEP);
    public static final List<String> WEIGHT_SCHEMES = List.of("none", "quality", "balance", "both");
    public static final List<String> TARGETS = List.of("planned", "accepted");
    public static final List<String> TIMEOUT_ACTIONS = List.of(ACCEPT, REJECT);

    /** Default share of the neighbours that must carry another label before the vote may act. */
    public static final double DEFAULT_RELABEL_CONFIDENCE = 0.8;
    /** Default neighbours needed before the vote may act. */
    public static final int DEFAULT_RELABEL_MIN_NEIGHBOURS = 5;
    /** Default cap of target accepted, as a multiple of count. */
    public static final int DEFAULT_MAX_PLANNED_FACTOR = 3;

    private static final long AUDIT_SEED = 0xA0D1_7EL;

    /** Default time a sample waits for a review decision. */
    public static final Duration DEFAULT_REVIEW_TIMEOUT = Duration.ofDays(1);

    /** The request's policy, defaults filled in. */
    public static QualityPolicy of(GenerationRequest spec) {
        return of(spec.getQuality(), spec.getCount());
    }

    /** The policy of a sample whose spec is unknown: nothing is gated. */
    public static QualityPolicy none() {
        return of(null, 0);
    }

    private static QualityPolicy of(QualitySettings settings, int count) {
        QualitySettings q = settings == null ? QualitySettings.newBuilder().build() : settings;
        boolean accepted = "accepted".equals(q.getTarget());
        long cap = q.getMaxPlanned() != null
                ? q.getMaxPlanned()
                : (long) count * (accepted ? DEFAULT_MAX_PLANNED_FACTOR : 1);
        return new QualityPolicy(
                q.getMinJudgeScore(),
                q.getMinAdherence(),
                q.getMinLabelConsistency(),
                q.getMinNovelty(),
                q.getAction(),
                q.getOnJudgeFailure(),
                q.getRelabel(),
                q.getRelabelConfidence() == null ? DEFAULT_RELABEL_CONFIDENCE : q.getRelabelConfidence(),
                q.getRelabelMinNeighbours() == null ? DEFAULT_RELABEL_MIN_NEIGHBOURS : q.getRelabelMinNeighbours(),
                q.getWeights(),
                q.getTarget(),
                accepted ? cap : count,
                q.getReviewTimeoutMs() == null ? DEFAULT_REVIEW_TIMEOUT : Duration.ofMillis(q.getReviewTimeoutMs()),
                q.getReviewTimeoutAction(),
                q.getAuditRate() == null ? 0 : q.getAuditRate());
    }

    /**
     * Whether the audit sends this sample, which the gate passed or rejected, to review as well: a
     * hash of its id below {@code audit_rate}. The same sample is chosen on every instance, replay
     * and restart, and the chosen share of any set of samples tends to the rate.
     */
    public boolean audited(String sampleId) {
        if (auditRate <= 0) {
            return false;
        }
        long hash = MurmurHash3.hash(sampleId.getBytes(StandardCharsets.UTF_8), AUDIT_SEED)[0];
        // The top 53 bits as a uniform double in [0, 1).
        return (hash >>> 11) * 0x1.0p-53 < auditRate;
    }

    /** Whether {@code count} counts accepted samples (planning follows the ledger). */
    public boolean targetsAccepted() {
        return "accepted".equals(target);
    }

    /** Every problem of a request's quality section, each naming its field; empty when valid. */
    public static List<String> problems(GenerationRequest spec) {
        QualitySettings q = spec.getQuality();
        List<String> problems = new ArrayList<>();
        if (q == null) {
            return problems;
        }
        range(problems, "min_judge_score", q.getMinJudgeScore(), 1, 5);
        range(problems, "min_adherence", q.getMinAdherence(), 0, 1);
        range(problems, "min_label_consistency", q.getMinLabelConsistency(), 0, 1);
        range(problems, "min_novelty", q.getMinNovelty(), 0, 2);
        range(problems, "audit_rate", q.getAuditRate(), 0, 1);
        oneOf(problems, "action", q.getAction(), ACTIONS);
        oneOf(problems, "on_judge_failure", q.getOnJudgeFailure(), ACTIONS);
        oneOf(problems, "relabel", q.getRelabel(), RELABEL_ACTIONS);
        oneOf(problems, "weights", q.getWeights(), WEIGHT_SCHEMES);
        oneOf(problems, "target", q.getTarget(), TARGETS);
        oneOf(problems, "review_timeout_action", q.getReviewTimeoutAction(), TIMEOUT_ACTIONS);
        Double confidence = q.getRelabelConfidence();
        if (confidence != null && !(confidence > 0.5 && confidence <= 1)) {
            problems.add("quality.relabel_confidence must be within (0.5, 1], got " + confidence);
        }
        if (q.getRelabelMinNeighbours() != null && q.getRelabelMinNeighbours() < 1) {
            problems.add("quality.relabel_min_neighbours must be at least 1, got " + q.getRelabelMinNeighbours());
        }
        if (q.getReviewTimeoutMs() != null && q.getReviewTimeoutMs() < 1) {
            problems.add("quality.review_timeout_ms must be at least 1, got " + q.getReviewTimeoutMs());
        }
        if (q.getMaxPlanned() != null) {
            if (!"accepted".equals(q.getTarget())) {
                problems.add("quality.max_planned applies only to target accepted; with target planned, count is"
                        + " what is planned");
            } else if (q.getMaxPlanned() < spec.getCount()) {
                problems.add("quality.max_planned (" + q.getMaxPlanned() + ") must be at least count ("
                        + spec.getCount() + ")");
            }
        }
        boolean judged = spec.getEvaluation() == null || spec.getEvaluation().getJudgeEnabled();
        if (q.getMinJudgeScore() != null && !judged) {
            problems.add("quality.min_judge_score gates on the judge's score, but evaluation.judge_enabled is false");
        }
        if (!RELABEL_ACTIONS.get(3).equals(q.getRelabel())
                && spec.getTask().getLabels().isEmpty()) {
            problems.add("quality.relabel is '" + q.getRelabel() + "' but the task has no labels (task.labels)");
        }
        if (q.getMinLabelConsistency() != null && spec.getTask().getLabels().isEmpty()) {
            problems.add("quality.min_label_consistency needs labels, but task.labels is empty");
        }
        return problems;
    }

    private static void range(List<String> problems, String field, Double value, double min, double max) {
        if (value != null && (value.isNaN() || value < min || value > max)) {
            problems.add("quality." + field + " must be within [" + fmt(min) + ", " + fmt(max) + "], got " + value);
        }
    }

    private static void oneOf(List<String> problems, String field, String value, List<String> allowed) {
        if (!allowed.contains(value)) {
            problems.add("quality." + field + " '" + value + "' is unknown; use one of " + allowed);
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
