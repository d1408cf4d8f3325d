package io.synthstream.generator.logic;

import io.synthstream.avro.Budget;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.Spend;
import io.synthstream.common.llm.Spends;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.ToDoubleFunction;

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
        return allowance(budget, null, planned, status, List.of());
    }

    /**
     * The smaller of what the request's budget and the budget of its dataset allow. The dataset's
     * commitment is the sum over its requests: each one's spend, and the estimate for its samples
     * in flight (at this request's mean per sample where a request has counted none yet). The room
     * left is split evenly between the dataset's requests still planning, since each sees the
     * others' plans only as fresh as their ledgers. An allowance below one is final only once no
     * sample of the dataset is in flight.
     *
     * @param datasetBudget the budget of the request's dataset the request states, or null
     * @param others the ledgers of the dataset's other requests
     */
    public static Allowance allowance(
            Budget budget, Budget datasetBudget, long planned, RequestStatus status, Collection<RequestStatus> others) {
        Allowance own = limits(budget, planned, status, List.of());
        if (!limited(datasetBudget)) {
            return own;
        }
        Allowance dataset = limits(datasetBudget, planned, status, others);
        return new Allowance(Math.min(own.samples(), dataset.samples()), own.exhausted() || dataset.exhausted());
    }

    private static boolean limited(Budget budget) {
        return budget != null && (budget.getMaxCostUsd() != null || budget.getMaxTokens() != null);
    }

    /** What {@code budget} allows the request, counting the spend of {@code others} against it too. */
    private static Allowance limits(
            Budget budget, long planned, RequestStatus status, Collection<RequestStatus> others) {
        if (!limited(budget)) {
            return Allowance.UNLIMITED;
        }
        long samples = Long.MAX_VALUE;
        boolean anyInFlight = false;
        boolean known = false;
        for (ToDoubleFunction<Spend> unit : units(budget)) {
            double limit = unit == COST ? budget.getMaxCostUsd() : budget.getMaxTokens();
            Outlook mine = Outlook.of(status, planned, unit);
            double per = mine.perSample();
            double committed = mine.committed();
            long inFlight = mine.inFlight();
            for (RequestStatus other : others) {
                Outlook theirs = Outlook.of(other, other.getPlanned(), unit);
                committed += theirs.committed();
                inFlight += theirs.inFlight();
                if (Double.isNaN(theirs.perSample())) {
                    committed += theirs.inFlight() * (Double.isNaN(per) ? 0 : per);
                }
            }
            anyInFlight |= inFlight > 0;
            if (Double.isNaN(per)) { // this request has counted no sample: probe, if anything is left at all
                samples = Math.min(samples, committed < limit ? Math.max(0, PROBE - planned) : 0);
                continue;
            }
            known = true;
            long room = room(limit, committed, per);
            // Each planner of the dataset sees the others' plans only as fresh as their ledgers: the
            // room is split between the requests still planning, so that they cannot all take it.
            long planning =
                    1 + others.stream().filter(o -> !o.getPlanningStopped()).count();
            samples = Math.min(samples, room == Long.MAX_VALUE ? room : room / planning);
        }
        if (samples < 1) {
            // nothing more fits the estimate; final once no sample is in flight to correct it
            return new Allowance(0, !anyInFlight);
        }
        if (known) { // an estimate from few samples may be far off: samples in flight grow no faster than those counted
            long counted = status.getGenerated() + status.getFailed();
            samples = Math.min(samples, Math.max(0, Math.max(PROBE, counted) - Math.max(0, planned - counted)));
        }
        return new Allowance(samples, false);
    }

    private static final ToDoubleFunction<Spend> COST = Spend::getCostUsd;
    private static final ToDoubleFunction<Spend> TOKENS = Spends::tokens;

    private static List<ToDoubleFunction<Spend>> units(Budget budget) {
        List<ToDoubleFunction<Spend>> units = new ArrayList<>(2);
        if (budget.getMaxCostUsd() != null) {
            units.add(COST);
        }
        if (budget.getMaxTokens() != null) {
            units.add(TOKENS);
        }
        return units;
    }

    /**
     * A request's spend in one unit (USD or tokens) and what its samples in flight will still cost.
     *
     * @param committed spent, plus the estimate for the samples in flight when the mean is known
     * @param perSample the mean generation plus judge cost of a sample; NaN before one is counted
     * @param inFlight samples planned and not counted
     */
    record Outlook(double committed, double perSample, long inFlight) {
        static Outlook of(RequestStatus status, long planned, ToDoubleFunction<Spend> unit) {
            if (status == null) {
                return new Outlook(0, Double.NaN, planned);
            }
            Spend generation = status.getGenerationSpend();
            Spend judge = status.getJudgeSpend();
            double generationSpent = generation == null ? 0 : unit.applyAsDouble(generation);
            double judgeSpent = judge == null ? 0 : unit.applyAsDouble(judge);
            double spent = generationSpent
                    + judgeSpent
                    + (status.getDesignSpend() == null ? 0 : unit.applyAsDouble(status.getDesignSpend()));
            long counted = status.getGenerated() + status.getFailed();
            long inFlight = Math.max(0, planned - counted);
            if (counted == 0 || generation == null) {
                return new Outlook(spent, Double.NaN, inFlight);
            }
            long judged = judge == null ? 0 : judge.getCalls();
            long settled = Math.min(counted, status.getFailed() + status.getRejected() + judged);
            double generationPer = generationSpent / counted;
            double judgePer = settled == 0 ? 0 : judgeSpent / settled;
            double perSample = generationPer + judgePer;
            return new Outlook(spent + inFlight * perSample + (counted - settled) * judgePer, perSample, inFlight);
        }
    }

    private static long room(double limit, double committed, double perSample) {
        if (perSample <= 0) {
            return committed < limit ? Long.MAX_VALUE : 0;
        }
        double room = Math.floor((limit - committed) / perSample);
        return room <= 0 ? 0 : room >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) room;
    }
}
