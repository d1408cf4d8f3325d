package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.RequestStatus;
import io.synthstream.common.topics.TopicSpec;
import io.synthstream.common.topics.Topics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reading the platform's topics from outside, as the pipeline ITs do. */
final class PipelineReads {
    private PipelineReads() {}

    static <V> List<ConsumerRecord<String, V>> readAll(ClusterOptions cluster, TopicSpec<?, V> topic) {
        return TopicTail.readAll(cluster, topic);
    }

    /** A request's accepted samples on synth.dataset by sample id, retractions (tombstones) applied. */
    static java.util.Map<String, io.synthstream.avro.DatasetSample> dataset(ClusterOptions cluster, String requestId) {
        java.util.Map<String, io.synthstream.avro.DatasetSample> dataset = new java.util.HashMap<>();
        for (var r : readAll(cluster, Topics.DATASET)) {
            if (r.value() == null) {
                dataset.remove(r.key());
            } else if (r.value().getRequestId().equals(requestId)) {
                dataset.put(r.key(), r.value());
            }
        }
        return dataset;
    }

    static RequestStatus latest(ClusterOptions cluster, String requestId) {
        RequestStatus last = null;
        for (var r : readAll(cluster, Topics.REQUEST_STATUS)) {
            if (requestId.equals(r.key())) {
                last = r.value();
            }
        }
        return last;
    }

    /** The first record of {@code topic} keyed {@code key} that satisfies {@code done}. */
    static <V> V first(ClusterOptions cluster, TopicSpec<?, V> topic, String key, Predicate<V> done) {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        AtomicReference<V> found = new AtomicReference<>();
        try (TopicTail<V> tail = new TopicTail<>(
                cluster, topic.name(), cluster.serdes().value(topic).deserializer())) {
            while (found.get() == null && System.nanoTime() < deadline) {
                tail.poll(Duration.ofMillis(200), r -> {
                    if (found.get() == null && key.equals(r.key()) && r.value() != null && done.test(r.value())) {
                        found.set(r.value());
                    }
                });
            }
        }
        assertThat(found.get())
                .as("a %s record of %s in time", topic.name(), key)
                .isNotNull();
        return found.get();
    }

    /** The ledger of {@code requestId} once it is complete, followed as {@code synth watch} does. */
    static RequestStatus completed(ClusterOptions cluster, String requestId, Duration timeout) {
        RequestStatus status = WatchCommand.watch(
                        cluster,
                        s -> s.getRequestId().equals(requestId),
                        java.util.Set.of(requestId),
                        requestId,
                        timeout,
                        new Progress(new java.io.PrintWriter(new java.io.StringWriter()), false))
                .get(requestId);
        assertThat(status).as("a ledger for %s", requestId).isNotNull();
        assertThat(status.getComplete())
                .as("%s complete within %s", requestId, timeout)
                .isTrue();
        return status;
    }

    /** Runs {@code synth ARGS} against the cluster in-process; asserts exit code 0 and returns what it printed. */
    static String synth(ClusterOptions cluster, String... args) {
        java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(args));
        all.addAll(java.util.List.of("-b", cluster.bootstrapServers, "-r", cluster.schemaRegistryUrl));
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        var cli = SynthCli.commandLine();
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        int code = cli.execute(all.toArray(String[]::new));
        assertThat(code).as("synth %s: %s%s", all, out, err).isZero();
        return out.toString();
    }
}
