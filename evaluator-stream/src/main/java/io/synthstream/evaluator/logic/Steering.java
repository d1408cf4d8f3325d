package io.synthstream.evaluator.logic;

import io.synthstream.avro.Example;
import io.synthstream.avro.SteeringUpdate;
import io.synthstream.evaluator.avro.DatasetAccumulators;
import io.synthstream.evaluator.avro.Exemplar;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;

/**
 * When a dataset's next {@link SteeringUpdate} is due and what it says: the weights of {@link
 * SteeringPolicy} and the exemplar pool, at most once per interval and only after enough new
 * decisions, or after any decision of a person (a correction reaches later prompts at the next
 * interval, not after {@code evaluator.steering.min.samples} more samples). The schedule (version, time, samples at the last update) is kept in the
 * accumulators, so it survives restarts.
 */
public final class Steering {
    private Steering() {}

    /** The update due at {@code now}, if any; when there is one, the schedule advances. */
    public static Optional<SteeringUpdate> next(DatasetState state, DatasetSettings.Steering settings, Instant now) {
        DatasetAccumulators acc = state.acc();
        long folded = acc.getFoldedSeq() + 1;
        if (!settings.enabled()
                || now.toEpochMilli() - acc.getSteeringAt()
                        < settings.interval().toMillis()
                || (folded - acc.getSteeringSamples() < settings.minSamples() && !acc.getCorrectionsPending())) {
            return Optional.empty();
        }
        SteeringPolicy.Result result = SteeringPolicy.compute(
                acc.getDeclared(),
                acc.getCuratedCounts(),
                acc.getRejectedCounts(),
                acc.getTargetPerCell(),
                settings.minYield());
        if (result.weights().isEmpty() && acc.getExemplars().isEmpty()) {
            return Optional.empty();
        }
        List<Example> exemplars = new ArrayList<>();
        for (Exemplar x : acc.getExemplars()) {
            exemplars.add(Example.newBuilder()
                    .setId(x.getSampleId())
                    .setFields(x.getFields())
                    .setAttributes(x.getAttributes())
                    .build());
        }
        SteeringUpdate update = SteeringUpdate.newBuilder()
                .setDataset(state.dataset())
                .setVersion(acc.getSteeringVersion() + 1)
                .setGeneratedAt(now)
                .setAttributeWeights(new HashMap<>(result.weights()))
                .setExemplars(exemplars)
                .setReason(result.reason())
                .build();
        acc.setSteeringVersion(update.getVersion());
        acc.setSteeringAt(now.toEpochMilli());
        acc.setSteeringSamples(folded);
        acc.setCorrectionsPending(false);
        return Optional.of(update);
    }
}
