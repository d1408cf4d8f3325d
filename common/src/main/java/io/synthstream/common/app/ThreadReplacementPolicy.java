package io.synthstream.common.app;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * Decides what to do when a stream thread dies: replace it (its transaction aborts and its input is
 * processed again, so nothing is lost), unless threads keep dying, in which case the app shuts down
 * so that its health check fails and an operator or orchestrator notices instead of a silent loop.
 * Pure logic, time passed in.
 */
public final class ThreadReplacementPolicy {
    private final int maxReplacements;
    private final long windowNanos;
    private final Deque<Long> recent = new ArrayDeque<>();

    /** At most {@code maxReplacements} replacements within any {@code window}. */
    public ThreadReplacementPolicy(int maxReplacements, Duration window) {
        this.maxReplacements = maxReplacements;
        this.windowNanos = window.toNanos();
    }

    public synchronized StreamThreadExceptionResponse onThreadDeath(long nowNanos) {
        while (!recent.isEmpty() && nowNanos - recent.peekFirst() > windowNanos) {
            recent.removeFirst();
        }
        if (recent.size() >= maxReplacements) {
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        recent.addLast(nowNanos);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
