package io.synthstream.common.streams;

import io.synthstream.avro.GenerationRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The one way a processor waits for a request's spec to reach its global table of {@code
 * synth.specs}, which can lag the stream by a moment (the generator writes a spec just before its
 * first condition, but each app's global table catches up on its own thread).
 *
 * <p><b>Time basis.</b> A waiting record is measured by its own timestamp (for a sample, when it
 * was produced) against the processor's injected clock: it waits while {@code clock - timestamp <
 * wait}, is rechecked every {@link #recheckInterval()} meanwhile, and is handed back as overdue
 * once the wait is over. The timestamp is kept with the record in the processor's changelogged
 * store, so a restart or a move to another instance neither restarts nor shortens a wait, and a
 * backlog replayed long after its specs went missing is not made to wait again.
 *
 * <p>Parked keys are an index in memory, kept in key order so that records whose spec arrives
 * together are resumed in the same order whether or not the instance restarted in between; the
 * records themselves stay in the processor's store, from which it parks them again on start-up.
 * Used by one processor instance, so by one thread.
 */
public final class SpecWait {
    private static final Duration MIN_RECHECK = Duration.ofMillis(100);
    private static final Duration MAX_RECHECK = Duration.ofSeconds(1);

    private final Duration maxWait;
    private final Clock clock;
    private final TreeMap<String, Waiting> parked = new TreeMap<>();

    private record Waiting(String requestId, long since) {}

    /** Called for a parked key whose spec has arrived. */
    @FunctionalInterface
    public interface Ready {
        void resume(String key, GenerationRequest spec);
    }

    private SpecWait(Duration maxWait, Clock clock) {
        this.maxWait = maxWait;
        this.clock = clock;
    }

    /** Records wait at most {@code maxWait} (0: a missing spec is overdue at once). */
    public static SpecWait upTo(Duration maxWait, Clock clock) {
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("a spec wait cannot be negative: " + maxWait);
        }
        return new SpecWait(maxWait, clock);
    }

    /** Records wait for as long as it takes (the ledger: a request's totals wait for its count). */
    public static SpecWait unbounded(Clock clock) {
        return new SpecWait(null, clock);
    }

    /** How often parked keys are rechecked: a quarter of the wait, between 100 ms and 1 s. */
    public Duration recheckInterval() {
        if (maxWait == null) {
            return MAX_RECHECK;
        }
        Duration quarter = maxWait.dividedBy(4);
        return quarter.compareTo(MIN_RECHECK) < 0
                ? MIN_RECHECK
                : quarter.compareTo(MAX_RECHECK) > 0 ? MAX_RECHECK : quarter;
    }

    /** The longest wait, or empty when unbounded. */
    public Optional<Duration> maxWait() {
        return Optional.ofNullable(maxWait);
    }

    /** Whether a record with timestamp {@code since} has waited long enough for its spec. */
    public boolean isOverdue(long since) {
        return maxWait != null && clock.millis() - since >= maxWait.toMillis();
    }

    /** Parks a key until its request's spec arrives or its wait from {@code since} is over. */
    public void park(String key, String requestId, long since) {
        parked.put(key, new Waiting(requestId, since));
    }

    public boolean isParked(String key) {
        return parked.containsKey(key);
    }

    public void unpark(String key) {
        parked.remove(key);
    }

    public void clear() {
        parked.clear();
    }

    /**
     * Rechecks every parked key, in key order: hands to {@code ready} those whose spec has
     * arrived, to {@code overdue} those whose wait is over, and keeps the rest parked. Each key is
     * unparked before it is handed over, so the callbacks may park it again.
     */
    public void recheck(SpecLookup specs, Ready ready, Consumer<String> overdue) {
        if (parked.isEmpty()) {
            return;
        }
        Map<String, Optional<GenerationRequest>> looked = new HashMap<>();
        List<Map.Entry<String, Waiting>> entries = new ArrayList<>(parked.entrySet());
        for (Map.Entry<String, Waiting> entry : entries) {
            Waiting waiting = entry.getValue();
            Optional<GenerationRequest> spec = looked.computeIfAbsent(waiting.requestId(), specs::spec);
            if (spec.isPresent()) {
                parked.remove(entry.getKey());
                ready.resume(entry.getKey(), spec.get());
            } else if (isOverdue(waiting.since())) {
                parked.remove(entry.getKey());
                overdue.accept(entry.getKey());
            }
        }
    }
}
