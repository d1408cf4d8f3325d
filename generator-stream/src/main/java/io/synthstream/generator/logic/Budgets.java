package io.synthstream.generator.logic;

import io.synthstream.avro.Budget;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.Spend;
import io.synthstream.common.llm.Spends;

/**
 * How many more samples a request's {@link Budget} lets the planner plan. What was spent comes
 * from the request's ledger (its generation and judge spend, summed over every instance); what the
 * samples planned and not yet settled will cost is estimated from the means of those settled:
 *
 * <pre>
 * counted     = samples generated or dead-lettered (their generation spend is in the ledger)
 * settled     = counted samples whose judge cost is known: dead-lettered, rejected by curation
 *               (neither is judged) or judged (one verdict each)
 * generation  = generation spend / counted         judge = judge spend / settled
 * committed   = spent (proposals included) + (planned − counted) × (generation + judge) + (counted − settled) × judge
 * allowance   = ⌊(limit − committed) / (generation + judge)⌋, for each limit set; the smaller one
 * </pre>
 *
 * <p>Before the ledger counts a sample's spend nothing is known, so at most {@link #PROBE} samples
 * are planned; after that, samples in flight stay at most as many as those counted (the planner
 * doubles, as TCP's slow start), so that an estimate from few samples cannot commit many. An
 * allowance below one pauses planning while samples are in flight (they correct the estimate, and
 * may leave room) and stops it for good once none is: {@value #EXHAUSTED}. The overrun past the
 * limit is what the samples in flight cost beyond their estimate.
 */
public final class Budgets {
    public static final String EXHAUSTED = "budget_exhausted";
    /** Samples planned before the ledger has priced any. */
    public static final long PROBE = 4;

    private Budgets() {}

    /**
     * @param samples how many more samples may be planned now ({@link Long#MAX_VALUE} without a budget)
     * @param exhausted whether planning stops for good
     */
    public record Allowance(long samples, boolean exhausted) {
        static final Allowance UNLIMITED = new Allowance(Long.MAX_VALUE, false);
    }

    /**
     * @param budget the request's budget, or null
     * @param planned samples planned so far
     * @param status the request's ledger, or null before the first one arrived
     */
    public static Allowance allowance(Budget budget, long planned, RequestStatus status) {
        if (budget == null || (budget.getMaxCostUsd() == null && budget.getMaxTokens() == null)) {
            return Allowance.UNLIMITED;
        }
        Spend generation = status == null ? null : status.getGenerationSpend();
        Spend judge = status == null ? null : status.getJudgeSpend();
        Spend design = status == null ? null : status.getDesignSpend(); // proposals: spent once, before planning
        long counted = status == null ? 0 : status.getGenerated() + status.getFailed();
        if (counted == 0 || generation == null) {
            return new Allowance(Math.max(0, PROBE - planned), false);
        }
        long judged = judge == null ? 0 : judge.getCalls();
        long settled = Math.min(counted, status.getFailed() + status.getRejected() + judged);
        long inFlight = Math.max(0, planned - counted);
        long samples = Long.MAX_VALUE;
        if (budget.getMaxCostUsd() != null) {
            samples = Math.min(
                    samples,
                    room(
                            budget.getMaxCostUsd(),
                            generation.getCostUsd(),
                            judge == null ? 0 : judge.getCostUsd(),
                            design == null ? 0 : design.getCostUsd(),
                            counted,
                            settled,
                            inFlight));
        }
        if (budget.getMaxTokens() != null) {
            samples = Math.min(
                    samples,
                    room(
                            budget.getMaxTokens(),
                            Spends.tokens(generation),
                            Spends.tokens(judge),
                            Spends.tokens(design),
                            counted,
                            settled,
                            inFlight));
        }
        if (samples < 1) {
            // nothing more fits the estimate; final once no sample is in flight to correct it
            return new Allowance(0, inFlight == 0);
        }
        // an estimate from few samples may be far off: samples in flight grow no faster than those counted
        samples = Math.min(samples, Math.max(0, Math.max(PROBE, counted) - inFlight));
        return new Allowance(samples, false);
    }

    private static long room(
            double limit,
            double generationSpent,
            double judgeSpent,
            double designSpent,
            long counted,
            long settled,
            long inFlight) {
        double generationPer = generationSpent / counted;
        double judgePer = settled == 0 ? 0 : judgeSpent / settled;
        double perSample = generationPer + judgePer;
        double committed =
                designSpent + generationSpent + judgeSpent + inFlight * perSample + (counted - settled) * judgePer;
        if (perSample <= 0) {
            return committed < limit ? Long.MAX_VALUE : 0;
        }
        double room = Math.floor((limit - committed) / perSample);
        return room <= 0 ? 0 : room >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) room;
    }
}
