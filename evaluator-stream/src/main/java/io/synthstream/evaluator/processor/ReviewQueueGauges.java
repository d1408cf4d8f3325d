package io.synthstream.evaluator.processor;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.synthstream.common.metrics.SynthMeters;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.kafka.streams.processor.TaskId;

/**
 * The review queue of this instance, per dataset: how many samples wait for a decision ({@link
 * SynthMeters#EVALUATOR_REVIEW_QUEUE}) and how long the oldest has waited ({@link
 * SynthMeters#EVALUATOR_REVIEW_OLDEST}). The review state is keyed by sample, so a dataset's
 * samples are spread over tasks: each task reports its part when it checks deadlines, and the
 * gauges add the parts up (the monitoring system adds the instances: sum the size, take the max
 * age). One holder per instance, shared by its review tasks; no static state.
 */
final class ReviewQueueGauges {
    /** Dataset names as requests may have them; anything else (a record written past validation) is one tag. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    static final String OTHER = "_invalid_name";

    private final String app;
    private final Clock clock;
    private final Map<TaskId, Map<String, Waiting>> tasks = new ConcurrentHashMap<>();
    private final Map<String, Boolean> registered = new ConcurrentHashMap<>();

    /** A task's part of a dataset's queue: how many wait, and since when the oldest (epoch ms). */
    record Waiting(long size, long oldestSince) {
        Waiting plus(long requestedAt) {
            return new Waiting(size + 1, Math.min(oldestSince, requestedAt));
        }
    }

    ReviewQueueGauges(String app, Clock clock) {
        this.app = app;
        this.clock = clock;
    }

    /** The tag a dataset's gauges carry. */
    static String tag(String dataset) {
        return dataset != null && NAME.matcher(dataset).matches() ? dataset : OTHER;
    }

    /** Replaces {@code task}'s part; registers gauges for datasets not seen before on this instance. */
    void update(MeterRegistry registry, TaskId task, Map<String, Waiting> datasets) {
        tasks.put(task, Map.copyOf(datasets));
        if (registry == null) {
            return;
        }
        for (String dataset : datasets.keySet()) {
            registered.computeIfAbsent(dataset, d -> {
                Gauge.builder(SynthMeters.EVALUATOR_REVIEW_QUEUE.meterName(), this, g -> g.size(d))
                        .description(SynthMeters.EVALUATOR_REVIEW_QUEUE.description())
                        .tags("app", app, "dataset", d)
                        .register(registry);
                Gauge.builder(SynthMeters.EVALUATOR_REVIEW_OLDEST.meterName(), this, g -> g.oldestSeconds(d))
                        .description(SynthMeters.EVALUATOR_REVIEW_OLDEST.description())
                        .tags("app", app, "dataset", d)
                        .register(registry);
                return true;
            });
        }
    }

    /** The task moved away or closed: its part no longer counts here. */
    void remove(TaskId task) {
        tasks.remove(task);
    }

    double size(String dataset) {
        return tasks.values().stream()
                .map(parts -> parts.get(dataset))
                .filter(w -> w != null)
                .mapToLong(Waiting::size)
                .sum();
    }

    /** Seconds the oldest waiting sample of {@code dataset} has waited; 0 when none waits. */
    double oldestSeconds(String dataset) {
        return tasks.values().stream()
                .map(parts -> parts.get(dataset))
                .filter(w -> w != null && w.size() > 0)
                .mapToLong(Waiting::oldestSince)
                .min()
                .stream()
                .mapToDouble(since -> Math.max(0, clock.millis() - since) / 1000.0)
                .findFirst()
                .orElse(0);
    }
}
