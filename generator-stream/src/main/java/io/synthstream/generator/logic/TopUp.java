package io.synthstream.generator.logic;

import io.synthstream.avro.RequestStatus;

/**
 * How a request that targets {@code count} <em>accepted</em> samples follows its ledger once its
 * first {@code count} samples are planned. Every planned sample whose fate is not final (in flight
 * or in review) is counted as if it will be accepted, so the planner tops up only what the ledger
 * proves short, and over-generation is bounded by the samples in flight when the target is met.
 *
 * <ul>
 *   <li>accepted ≥ count: stop (the target is met; later passes are surplus).
 *   <li>shortfall = count − accepted − pending ≤ 0: wait.
 *   <li>planned = cap: stop, {@code cap_reached}.
 *   <li>otherwise: plan up to min(cap, planned + shortfall).
 * </ul>
 */
public final class TopUp {
    public static final String CAP_REACHED = "cap_reached";

    private TopUp() {}

    /**
     * @param planTo how many samples should be planned in all
     * @param stop whether planning stops for good
     * @param reason why it stopped short (cap_reached), or null
     */
    public record Decision(long planTo, boolean stop, String reason) {}

    /**
     * @param planned samples planned so far (the planner's cursor, never behind the ledger)
     * @param cap the most samples that may be planned
     * @param target how many accepted samples the request wants
     * @param status the request's ledger, or null before the first one arrived
     */
    public static Decision next(long planned, long cap, long target, RequestStatus status) {
        if (status == null) {
            return new Decision(planned, false, null);
        }
        if (status.getAccepted() >= target) {
            return new Decision(planned, true, null);
        }
        long finals = status.getAccepted()
                + status.getRejected()
                + status.getRejectedQuality()
                + status.getFailed()
                + status.getSurplus();
        long pending = Math.max(0, planned - finals);
        long shortfall = target - status.getAccepted() - pending;
        if (shortfall <= 0) {
            return new Decision(planned, false, null);
        }
        if (planned >= cap) {
            return new Decision(planned, true, CAP_REACHED);
        }
        return new Decision(Math.min(cap, planned + shortfall), false, null);
    }
}
