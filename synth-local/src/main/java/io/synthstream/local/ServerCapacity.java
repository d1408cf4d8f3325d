package io.synthstream.local;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * How the fake server serves requests when many arrive at once; none answers 429, as a self-hosted
 * server does not:
 *
 * <ul>
 *   <li>{@code unlimited}: each request takes its own service time, whatever else is in flight;
 *   <li>{@code slots:c}: {@code c} service slots and a FIFO queue before them (a server with a fixed
 *       batch or worker count): beyond {@code c} in flight, requests wait;
 *   <li>{@code sharing:k}: processor sharing with a knee (a vLLM decode batch): every request in
 *       service at once progresses at {@code min(1, k/n)} of its own speed with {@code n} in service,
 *       so up to {@code k} the batch is free and beyond it every request slows.
 * </ul>
 *
 * Both bounded models give the same best throughput ({@code k} or {@code c} requests per service
 * time); past it, more concurrency only adds latency. Times are scheduled, never slept.
 */
abstract class ServerCapacity {
    /** Serves a request of {@code serviceMillis} (its time alone), then runs {@code done}. */
    abstract void admit(long serviceMillis, Runnable done);

    /** The most requests that were in service at once. */
    abstract int peakInService();

    /** Reads {@code unlimited}, {@code slots:<c>} or {@code sharing:<k>}. */
    static ServerCapacity parse(String spec, ScheduledExecutorService scheduler) {
        String[] parts = spec.toLowerCase(Locale.ROOT).split(":", 2);
        if (parts[0].equals("unlimited") && parts.length == 1) {
            return new Unlimited(scheduler);
        }
        int size;
        try {
            size = parts.length == 2 ? Integer.parseInt(parts[1]) : -1;
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size < 1 || !(parts[0].equals("slots") || parts[0].equals("sharing"))) {
            throw new IllegalArgumentException(
                    "capacity '" + spec + "' is not unlimited, slots:<c> or sharing:<k> with a positive size");
        }
        return parts[0].equals("slots") ? new Slots(scheduler, size) : new Sharing(scheduler, size);
    }

    private static final class Unlimited extends ServerCapacity {
        private final ScheduledExecutorService scheduler;
        private int inService;
        private int peak;

        Unlimited(ScheduledExecutorService scheduler) {
            this.scheduler = scheduler;
        }

        @Override
        void admit(long serviceMillis, Runnable done) {
            synchronized (this) {
                peak = Math.max(peak, ++inService);
            }
            scheduler.schedule(
                    () -> {
                        synchronized (this) {
                            inService--;
                        }
                        done.run();
                    },
                    serviceMillis,
                    TimeUnit.MILLISECONDS);
        }

        @Override
        synchronized int peakInService() {
            return peak;
        }
    }

    private static final class Slots extends ServerCapacity {
        private final ScheduledExecutorService scheduler;
        private final int slots;
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private int busy;
        private int peak;

        Slots(ScheduledExecutorService scheduler, int slots) {
            this.scheduler = scheduler;
            this.slots = slots;
        }

        @Override
        void admit(long serviceMillis, Runnable done) {
            Runnable start = () -> scheduler.schedule(
                    () -> {
                        finished();
                        done.run();
                    },
                    serviceMillis,
                    TimeUnit.MILLISECONDS);
            synchronized (this) {
                if (busy >= slots) {
                    queue.addLast(start);
                    return;
                }
                peak = Math.max(peak, ++busy);
            }
            start.run();
        }

        private void finished() {
            Runnable next;
            synchronized (this) {
                next = queue.pollFirst();
                if (next == null) {
                    busy--;
                }
            }
            if (next != null) {
                next.run();
            }
        }

        @Override
        synchronized int peakInService() {
            return peak;
        }
    }

    private static final class Sharing extends ServerCapacity {
        private final ScheduledExecutorService scheduler;
        private final int knee;
        private final List<Job> jobs = new ArrayList<>();
        private long lastNanos = System.nanoTime();
        private ScheduledFuture<?> next;
        private int peak;

        private static final class Job {
            double remainingMillis;
            final Runnable done;

            Job(double remainingMillis, Runnable done) {
                this.remainingMillis = remainingMillis;
                this.done = done;
            }
        }

        Sharing(ScheduledExecutorService scheduler, int knee) {
            this.scheduler = scheduler;
            this.knee = knee;
        }

        @Override
        void admit(long serviceMillis, Runnable done) {
            synchronized (this) {
                advance();
                jobs.add(new Job(serviceMillis, done));
                peak = Math.max(peak, jobs.size());
                reschedule();
            }
        }

        /** The speed of each job while {@code n} are in service. */
        private double speed(int n) {
            return Math.min(1.0, (double) knee / n);
        }

        /** Takes the work done since the last event off every job. */
        private void advance() {
            long now = System.nanoTime();
            double elapsedMillis = (now - lastNanos) / 1e6;
            lastNanos = now;
            if (!jobs.isEmpty()) {
                double work = elapsedMillis * speed(jobs.size());
                jobs.forEach(j -> j.remainingMillis -= work);
            }
        }

        private void reschedule() {
            if (next != null) {
                next.cancel(false);
                next = null;
            }
            if (jobs.isEmpty()) {
                return;
            }
            double least =
                    jobs.stream().mapToDouble(j -> j.remainingMillis).min().orElse(0);
            long delayMicros = Math.max(0, Math.round(least / speed(jobs.size()) * 1000));
            next = scheduler.schedule(this::complete, delayMicros, TimeUnit.MICROSECONDS);
        }

        private void complete() {
            List<Runnable> finished = new ArrayList<>();
            synchronized (this) {
                advance();
                for (Iterator<Job> it = jobs.iterator(); it.hasNext(); ) {
                    Job j = it.next();
                    if (j.remainingMillis <= 0.01) {
                        finished.add(j.done);
                        it.remove();
                    }
                }
                reschedule();
            }
            finished.forEach(Runnable::run);
        }

        @Override
        synchronized int peakInService() {
            return peak;
        }
    }
}
