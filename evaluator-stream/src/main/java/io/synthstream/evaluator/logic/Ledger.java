package io.synthstream.evaluator.logic;

import io.synthstream.avro.AuditCounts;
import io.synthstream.avro.DatasetSample;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.ReviewDecision;
import io.synthstream.common.avro.SingleObject;
import io.synthstream.common.llm.Spends;
import io.synthstream.common.quality.QualityPolicy;
import io.synthstream.common.task.Recipes;
import io.synthstream.evaluator.avro.LedgerDelta;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A request's ledger ({@link RequestStatus}), the one definition the whole project uses
 * (docs/outcomes.md):
 *
 * <pre>
 * planned = accepted + rejected (curation) + rejected_quality + failed + in_review + in_flight + surplus
 * complete = planning_stopped ∧ in_flight = 0 ∧ in_review = 0     (sticky)
 * </pre>
 *
 * plus {@code not_planned} with its reason when planning stopped early. Every delta adds to the
 * counts; {@code planned} and {@code planning_stopped} come from the generator's plan status.
 *
 * <p>The ledger is also the <b>admission step</b>: a sample that passed the gate (or a reviewer) is
 * accepted, and written to synth.dataset in the same transaction, unless the request targets
 * {@code count} accepted samples and has them: then it is surplus. So the dataset holds exactly
 * the first {@code count} accepted samples, and {@code accepted} counts exactly what is on it.
 */
public final class Ledger {
    /** Quality delta kinds. */
    public static final String PASS = QualityGate.PASS;

    public static final String REJECT = QualityGate.REJECT;
    public static final String REVIEW = QualityGate.REVIEW;
    public static final String DECIDED = "decided";

    /**
     * Previous outcomes of an overridden review: as the review state saw them ({@code accepted},
     * {@code rejected:<reason>}), refined by the ledger's own record of what it did with an
     * accepted one ({@link #admitted}): {@code accepted/<label source>} when it was admitted, or
     * {@code surplus} when the target was already met.
     */
    public static final String WAS_ACCEPTED = "accepted";

    public static final String WAS_REJECTED = "rejected:";
    public static final String WAS_SURPLUS = "surplus";

    /** The ledger's record of a reviewed sample it admitted, or null for a rejection. */
    public static String admitted(Admission admission) {
        if (admission instanceof Admission.Admit admit) {
            return WAS_ACCEPTED + "/" + admit.sample().getLabelSource();
        }
        if (admission instanceof Admission.Surplus) {
            return WAS_SURPLUS;
        }
        if (admission instanceof Admission.Retract retract && retract.replacement() != null) {
            return WAS_ACCEPTED + "/" + retract.replacement().getLabelSource();
        }
        return null;
    }

    private Ledger() {}

    /** What a delta asks of the admission step besides the counts. */
    public sealed interface Admission {
        /** Counts only. */
        record None() implements Admission {}

        /** Write the sample to synth.dataset. */
        record Admit(DatasetSample sample) implements Admission {}

        /** Counted as surplus: the target was met. */
        record Surplus() implements Admission {}

        /** Retract a sample from synth.dataset (an override), then maybe admit another version. */
        record Retract(String sampleId, DatasetSample replacement) implements Admission {}

        /** The delta was refused (a decision after completion); nothing changed. */
        record Refused(String reason) implements Admission {}
    }

    private static final Admission NONE = new Admission.None();

    /** A request's ledger before its first delta. */
    public static RequestStatus open(LedgerDelta first, Instant now) {
        return RequestStatus.newBuilder()
                .setRequestId(first.getRequestId())
                .setDataset(first.getDataset() == null ? "" : first.getDataset())
                .setRequested(0)
                .setRejectedByReason(new HashMap<>())
                .setRejectedQualityByReason(new HashMap<>())
                .setRelabeledBySource(new HashMap<>())
                .setUpdatedAt(now)
                .build();
    }

    /** Adds a delta to the counts and says what admission must write. */
    public static Admission apply(RequestStatus status, LedgerDelta delta) {
        if (DECIDED.equals(delta.getQuality()) && status.getComplete()) {
            return new Admission.Refused("request " + status.getRequestId()
                    + " is complete; a decision after completion cannot change its dataset");
        }
        if (status.getDataset().isEmpty() && delta.getDataset() != null) {
            status.setDataset(delta.getDataset());
        }
        if (delta.getRequested() != null) {
            status.setRequested(delta.getRequested());
        }
        status.setGenerated(status.getGenerated() + delta.getGenerated());
        status.setCurated(status.getCurated() + delta.getCurated());
        status.setRejected(status.getRejected() + delta.getRejected());
        if (delta.getRejected() > 0) {
            status.setRejectedByReason(add(status.getRejectedByReason(), reason(delta), delta.getRejected()));
        }
        status.setFailed(status.getFailed() + delta.getFailed());
        status.setJudged(status.getJudged() + delta.getJudged());
        status.setPromptTokens(status.getPromptTokens() + delta.getPromptTokens());
        status.setCompletionTokens(status.getCompletionTokens() + delta.getCompletionTokens());
        if (delta.getGenerationSpend() != null) {
            status.setGenerationSpend(
                    Spends.plus(status.getGenerationSpend(), Spends.decode(delta.getGenerationSpend())));
        }
        if (delta.getDesignSpend() != null) { // cumulative in each plan status: the one with more calls wins
            io.synthstream.avro.Spend design = Spends.decode(delta.getDesignSpend());
            io.synthstream.avro.Spend before = status.getDesignSpend();
            if (before == null || design.getCalls() > before.getCalls()) {
                status.setDesignSpend(design);
                status.setPromptTokens(status.getPromptTokens()
                        + design.getPromptTokens()
                        - (before == null ? 0 : before.getPromptTokens()));
                status.setCompletionTokens(status.getCompletionTokens()
                        + design.getCompletionTokens()
                        - (before == null ? 0 : before.getCompletionTokens()));
            }
        }
        if (delta.getJudgeSpend() != null) {
            status.setJudgeSpend(Spends.plus(status.getJudgeSpend(), Spends.decode(delta.getJudgeSpend())));
        }
        if (delta.getPlanned() != null) {
            status.setPlanned(Math.max(status.getPlanned(), delta.getPlanned()));
        }
        if (delta.getSeeds() != null && delta.getSeeds().size() == 4) {
            java.util.List<Long> seeds = delta.getSeeds();
            status.setSeedsReceived(Math.max(status.getSeedsReceived(), seeds.get(0)));
            status.setSeedsPlanned(Math.max(status.getSeedsPlanned(), seeds.get(1)));
            status.setSeedsFailed(Math.max(status.getSeedsFailed(), seeds.get(2)));
            status.setSeedsUnused(Math.max(status.getSeedsUnused(), seeds.get(3)));
        }
        if (delta.getPlanningStopped()) {
            status.setPlanningStopped(true);
            if (delta.getNotPlannedReason() != null) {
                status.setNotPlannedReason(delta.getNotPlannedReason());
            }
        }
        if (delta.getQuality() == null) {
            return NONE;
        }
        return switch (delta.getQuality()) {
            case PASS -> admit(status, candidate(delta));
            case REJECT -> {
                rejectQuality(status, reason(delta), 1);
                yield NONE;
            }
            case REVIEW -> {
                status.setInReview(status.getInReview() + 1);
                if (delta.getAudit() != null) {
                    AuditCounts audit = audit(status);
                    audit.setSent(audit.getSent() + 1);
                }
                yield NONE;
            }
            case DECIDED -> decided(status, delta);
            default -> throw new IllegalArgumentException("Unknown quality delta " + delta.getQuality());
        };
    }

    private static Admission decided(RequestStatus status, LedgerDelta delta) {
        status.setReviewed(status.getReviewed() + 1);
        ReviewDecision decision = delta.getDecision() == null
                ? null
                : SingleObject.decode(ReviewDecision::fromByteBuffer, delta.getDecision());
        boolean person = ReviewDecisions.byPerson(decision);
        if (person) {
            status.setReviewedByPeople(status.getReviewedByPeople() + 1);
        }
        String previous = delta.getPrevious();
        if (delta.getAudit() != null) {
            audited(status, delta, previous, person);
        }
        boolean retract = false;
        if (previous == null) {
            status.setInReview(Math.max(0, status.getInReview() - 1));
        } else if (WAS_SURPLUS.equals(previous)) {
            status.setSurplus(Math.max(0, status.getSurplus() - 1));
        } else if (previous.equals(WAS_ACCEPTED) || previous.startsWith(WAS_ACCEPTED + "/")) {
            status.setAccepted(Math.max(0, status.getAccepted() - 1));
            String source = previous.length() > WAS_ACCEPTED.length()
                    ? previous.substring(WAS_ACCEPTED.length() + 1)
                    : QualityGate.GENERATED;
            if (!QualityGate.GENERATED.equals(source)) {
                status.setRelabeled(Math.max(0, status.getRelabeled() - 1));
                status.setRelabeledBySource(add(status.getRelabeledBySource(), source, -1));
            }
            retract = true;
        } else if (previous.startsWith(WAS_REJECTED)) {
            rejectQuality(status, previous.substring(WAS_REJECTED.length()), -1);
        }
        DatasetSample candidate = candidate(delta);
        Admission next;
        if (candidate != null) {
            next = admit(status, candidate);
        } else {
            rejectQuality(status, reason(delta), 1);
            if (person) {
                status.setReviewReasons(ReviewDecisions.countReason(
                        status.getReviewReasons(), ReviewDecisions.reasonKey(decision.getReason()), 1));
            }
            next = NONE;
        }
        if (retract) {
            return new Admission.Retract(
                    delta.getSampleId(), next instanceof Admission.Admit admit ? admit.sample() : null);
        }
        return next;
    }

    /**
     * Moves an audited sample's decision into the audit's table: out of the cell (or the timeouts)
     * of its earlier decision on an override, into the cell of the gate's decision and the
     * person's, or into the timeouts when the deadline decided.
     */
    private static void audited(RequestStatus status, LedgerDelta delta, String previous, boolean person) {
        AuditCounts audit = audit(status);
        boolean gatePassed = PASS.equals(delta.getAudit());
        if (previous != null) {
            if (delta.getPreviousByPerson()) {
                cell(audit, gatePassed, !previous.startsWith(WAS_REJECTED), -1);
            } else {
                audit.setTimedOut(Math.max(0, audit.getTimedOut() - 1));
            }
        }
        if (person) {
            cell(audit, gatePassed, delta.getCandidate() != null, 1);
        } else {
            audit.setTimedOut(audit.getTimedOut() + 1);
        }
    }

    private static void cell(AuditCounts audit, boolean gatePassed, boolean accepted, long n) {
        if (gatePassed && accepted) {
            audit.setPassAccepted(Math.max(0, audit.getPassAccepted() + n));
        } else if (gatePassed) {
            audit.setPassRejected(Math.max(0, audit.getPassRejected() + n));
        } else if (accepted) {
            audit.setRejectAccepted(Math.max(0, audit.getRejectAccepted() + n));
        } else {
            audit.setRejectRejected(Math.max(0, audit.getRejectRejected() + n));
        }
    }

    private static AuditCounts audit(RequestStatus status) {
        if (status.getAudit() == null) {
            status.setAudit(AuditCounts.newBuilder().build());
        }
        return status.getAudit();
    }

    private static Admission admit(RequestStatus status, DatasetSample candidate) {
        if (QualityPolicy.TARGETS.get(1).equals(status.getTarget()) && status.getAccepted() >= status.getRequested()) {
            status.setSurplus(status.getSurplus() + 1);
            return new Admission.Surplus();
        }
        status.setAccepted(status.getAccepted() + 1);
        if (!QualityGate.GENERATED.equals(candidate.getLabelSource())) {
            status.setRelabeled(status.getRelabeled() + 1);
            status.setRelabeledBySource(add(status.getRelabeledBySource(), candidate.getLabelSource(), 1));
        }
        return new Admission.Admit(candidate);
    }

    private static void rejectQuality(RequestStatus status, String reason, long n) {
        status.setRejectedQuality(Math.max(0, status.getRejectedQuality() + n));
        status.setRejectedQualityByReason(add(status.getRejectedQualityByReason(), reason, n));
    }

    private static Map<String, Long> add(Map<String, Long> counts, String key, long n) {
        Map<String, Long> out = new HashMap<>(counts);
        long v = out.getOrDefault(key, 0L) + n;
        if (v <= 0) {
            out.remove(key);
        } else {
            out.put(key, v);
        }
        return out;
    }

    private static String reason(LedgerDelta delta) {
        return delta.getReason() == null ? "OTHER" : delta.getReason();
    }

    private static DatasetSample candidate(LedgerDelta delta) {
        return delta.getCandidate() == null
                ? null
                : SingleObject.decode(DatasetSample::fromByteBuffer, delta.getCandidate());
    }

    /** Whether {@code requested} is still unknown: the ledger waits for the request's spec. */
    public static boolean needsSpec(RequestStatus status) {
        return status.getRequested() <= 0;
    }

    /** Takes {@code requested}, the target, the dataset and the budget from the request's spec. */
    public static void applySpec(RequestStatus status, GenerationRequest spec) {
        status.setRequested((long) spec.getCount() * Recipes.outputs(spec)); // Evol-Instruct: every round
        status.setDataset(spec.getDataset());
        status.setTarget(QualityPolicy.of(spec).target());
        status.setMetadata(spec.getMetadata());
        status.setBudget(spec.getBudget());
    }

    /** Samples whose fate is known: every term of the ledger but in_flight. */
    public static long accounted(RequestStatus status) {
        return status.getAccepted()
                + status.getRejected()
                + status.getRejectedQuality()
                + status.getFailed()
                + status.getInReview()
                + status.getSurplus();
    }

    /** Whether more samples are accounted for than were planned (one was counted twice). */
    public static boolean overCounted(RequestStatus status) {
        return status.getPlanningStopped() && accounted(status) > status.getPlanned();
    }

    /**
     * Sets {@code in_flight}, {@code not_planned}, {@code complete} (sticky) and the update time
     * before the ledger is stored and published.
     */
    public static void seal(RequestStatus status, Instant now) {
        long inFlight = Math.max(0, status.getPlanned() - accounted(status));
        status.setInFlight(inFlight);
        if (status.getPlanningStopped() && status.getNotPlannedReason() != null) {
            long still = QualityPolicy.TARGETS.get(1).equals(status.getTarget())
                    ? status.getAccepted() + status.getInReview() + inFlight
                    : status.getPlanned();
            status.setNotPlanned(Math.max(0, status.getRequested() - still));
        }
        if (!status.getComplete()) {
            status.setComplete(status.getPlanningStopped()
                    && status.getPlanned() > 0
                    && inFlight == 0
                    && status.getInReview() == 0);
        }
        status.setUpdatedAt(now);
    }
}
