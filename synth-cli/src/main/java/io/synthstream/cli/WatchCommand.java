package io.synthstream.cli;

import io.synthstream.avro.RequestStatus;
import io.synthstream.common.topics.Topics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code synth watch <request-id|dataset>}: progress from synth.request-status until complete. */
@Command(
        name = "watch",
        mixinStandardHelpOptions = true,
        description = "Show the progress of a request (or of every request of a dataset) until it is complete.")
final class WatchCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Parameters(index = "0", paramLabel = "REQUEST_ID|DATASET", description = "A request id or a dataset name.")
    String target;

    @Option(
            names = "--timeout",
            defaultValue = "PT30M",
            description = "Give up after this long (ISO-8601 duration, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        Map<String, RequestStatus> done =
                watch(cluster, target, timeout, new Progress(spec.commandLine().getOut(), System.console() != null));
        return done.values().stream().allMatch(RequestStatus::getComplete) ? 0 : 2;
    }

    /**
     * Follows the ledger of {@code target} (a request id, else a dataset) until every matching
     * request is complete; returns their latest statuses.
     */
    static Map<String, RequestStatus> watch(
            ClusterOptions cluster, String target, Duration timeout, Progress progress) {
        return watch(
                cluster,
                s -> s.getRequestId().equals(target) || s.getDataset().equals(target),
                java.util.Set.of(),
                "'" + target + "'",
                timeout,
                progress);
    }

    /**
     * Follows the ledgers that {@code matches} selects until every one seen, and at least every id in
     * {@code expected}, is complete.
     */
    static Map<String, RequestStatus> watch(
            ClusterOptions cluster,
            java.util.function.Predicate<RequestStatus> matches,
            java.util.Set<String> expected,
            String what,
            Duration timeout,
            Progress progress) {
        Map<String, RequestStatus> latest = new LinkedHashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (TopicTail<RequestStatus> tail = new TopicTail<>(
                cluster,
                Topics.REQUEST_STATUS.name(),
                cluster.serdes().value(Topics.REQUEST_STATUS).deserializer())) {
            while (System.nanoTime() < deadline) {
                tail.poll(Duration.ofMillis(250), r -> {
                    RequestStatus s = r.value();
                    if (s != null && matches.test(s)) {
                        latest.put(s.getRequestId(), s);
                    }
                });
                progress.show(latest);
                if (!latest.isEmpty()
                        && latest.keySet().containsAll(expected)
                        && latest.values().stream().allMatch(RequestStatus::getComplete)) {
                    return latest;
                }
            }
        }
        if (latest.isEmpty()) {
            throw new IllegalStateException("No request or dataset " + what + " in " + Topics.REQUEST_STATUS.name()
                    + " after " + timeout.toSeconds() + " s");
        }
        throw new IllegalStateException(what + " is not complete after " + timeout.toSeconds() + " s");
    }
}
