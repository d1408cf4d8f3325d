package io.synthstream.cli;

import io.synthstream.avro.SeedRecord;
import io.synthstream.common.topics.Topics;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code synth stop <request>}: publishes a stop record to synth.seeds. The generator plans the
 * seeds that arrived before it and then stops planning the request (a continuous request's bridge
 * stops with it); an unseeded request stops planning at once. Samples already planned finish, so
 * the request completes once they have.
 */
@Command(
        name = "stop",
        mixinStandardHelpOptions = true,
        description = "Stop planning a request: a continuous (topic-seeded) request stops taking seeds; what is"
                + " already planned finishes.")
final class StopCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Parameters(index = "0", paramLabel = "REQUEST", description = "The request id to stop.")
    String requestId;

    @Override
    public Integer call() throws Exception {
        if (requestId.isBlank()) {
            throw new IllegalArgumentException("the request id is empty");
        }
        SeedRecord stop = SeedRecord.newBuilder()
                .setRequestId(requestId)
                .setSeedId("stop")
                .setSource("synth stop")
                .setStop(true)
                .setCreatedAt(Instant.now())
                .build();
        try (KafkaProducer<String, SeedRecord> producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers,
                        ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000),
                Topics.SEEDS.keySerde().serializer(),
                cluster.serdes().value(Topics.SEEDS).serializer())) {
            producer.send(new ProducerRecord<>(Topics.SEEDS.name(), requestId, stop))
                    .get(20, TimeUnit.SECONDS);
        } catch (ExecutionException
                | java.util.concurrent.TimeoutException
                | org.apache.kafka.common.KafkaException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException(
                    "Cannot publish to Kafka at " + cluster.bootstrapServers + ": " + cause.getMessage());
        }
        spec.commandLine()
                .getOut()
                .printf(
                        "stop sent to %s: request %s plans the seeds that arrived before it, then stops; follow it"
                                + " with: synth watch %s%n",
                        Topics.SEEDS.name(), requestId, requestId);
        return 0;
    }
}
