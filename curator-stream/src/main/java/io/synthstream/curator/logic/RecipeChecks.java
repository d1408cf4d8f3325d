package io.synthstream.curator.logic;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Lineage;
import io.synthstream.avro.Preference;
import io.synthstream.avro.RejectionReason;
import io.synthstream.avro.Sample;
import io.synthstream.avro.SelfInstructDecision;
import io.synthstream.common.task.TaskKinds;
import java.util.Locale;
import java.util.Optional;

/**
 * What a recipe's request says about its own samples, checked after validation: a preference pair
 * ({@code task.kind preference}) whose candidates tie is rejected unless {@code preference.ties}
 * is {@code keep}, and one whose margin is below {@code preference.min_margin} is rejected; both as
 * {@code PREFERENCE_MARGIN}. Samples the generator marked ({@link #marked}), checked before
 * validation since they may be incomplete: an Evol-Instruct round its eliminator failed ({@code
 * trace.lineage.eliminated}) is rejected as {@code EVOLUTION_FAILED}, and a Self-Instruct
 * instruction its filters dropped ({@code trace.self_instruct.filtered}; it has no input or output)
 * as {@code INSTRUCTION_FILTERED}. The generator computes the pair, the margin and the marks; the
 * curator decides whether a sample is kept, like every other rejection.
 */
public final class RecipeChecks {
    public static final String STAGE = "recipe";

    private RecipeChecks() {}

    /** Whether the request's samples have a recipe check. */
    public static boolean applies(GenerationRequest spec) {
        return TaskKinds.PREFERENCE.equals(spec.getTask().getKind())
                || spec.getEvolution() != null
                || spec.getSelfInstruct() != null;
    }

    /** The rejection of a sample the generator marked as failed, checked before any other. */
    public static Optional<Verdict> marked(Sample sample) {
        Lineage lineage = sample.getTrace().getLineage();
        if (lineage != null && lineage.getEliminated() != null) {
            return Optional.of(new Verdict(
                    RejectionReason.EVOLUTION_FAILED,
                    STAGE,
                    "round " + lineage.getRound() + " (" + lineage.getOperator() + ") of " + lineage.getRootId() + ": "
                            + lineage.getEliminated()));
        }
        SelfInstructDecision decision = sample.getTrace().getSelfInstruct();
        if (decision != null && decision.getFiltered() != null) {
            return Optional.of(new Verdict(
                    RejectionReason.INSTRUCTION_FILTERED,
                    STAGE,
                    "Self-Instruct round " + decision.getRound() + ", instruction " + decision.getCandidate() + ": "
                            + decision.getFiltered()));
        }
        return Optional.empty();
    }

    public static Optional<Verdict> check(Sample sample, GenerationRequest spec) {
        if (!TaskKinds.PREFERENCE.equals(spec.getTask().getKind())) {
            return Optional.empty();
        }
        Preference p = spec.getPreference() == null ? Preference.newBuilder().build() : spec.getPreference();
        double margin = Double.parseDouble(sample.getFields().get("margin").strip()); // validated as a number
        boolean tie = Boolean.parseBoolean(sample.getFields().get("tie").strip());
        if (tie) {
            return "keep".equals(p.getTies())
                    ? Optional.empty()
                    : Optional.of(new Verdict(
                            RejectionReason.PREFERENCE_MARGIN,
                            STAGE,
                            "the candidates tie (both scored "
                                    + sample.getFields().get("chosen_score") + "); preference.ties is reject"));
        }
        if (margin < p.getMinMargin()) {
            return Optional.of(new Verdict(
                    RejectionReason.PREFERENCE_MARGIN,
                    STAGE,
                    String.format(
                            Locale.ROOT,
                            "margin %s (chosen %s, rejected %s) is below preference.min_margin %s",
                            sample.getFields().get("margin"),
                            sample.getFields().get("chosen_score"),
                            sample.getFields().get("rejected_score"),
                            p.getMinMargin())));
        }
        return Optional.empty();
    }
}
