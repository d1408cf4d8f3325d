package io.synthstream.cli;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.common.topics.Topics;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code synth submit <spec>}: validates a request spec locally, then publishes it (Avro) to synth.requests. */
@Command(
        name = "submit",
        mixinStandardHelpOptions = true,
        description = "Validate a request spec (JSON or YAML) and publish it to synth.requests.")
final class SubmitCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Parameters(index = "0", paramLabel = "SPEC", description = "Request spec file (.json, .yaml or .yml).")
    Path file;

    @Option(names = "--request-id", description = "Use this request id instead of the file's (ids must be unique).")
    String requestId;

    @Option(names = "--dry-run", description = "Validate only; publish nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        GenerationRequest request = SpecFiles.load(file);
        if (requestId != null) {
            request.setRequestId(requestId);
        }
        var out = spec.commandLine().getOut();
        if (dryRun) {
            out.printf(
                    "%s is valid: request %s, dataset %s, %d samples%n",
                    file, request.getRequestId(), request.getDataset(), request.getCount());
            return 0;
        }
        publish(cluster, request);
        out.printf(
                "submitted request %s (dataset %s, %d samples) to %s; follow it with: synth watch %s%n",
                request.getRequestId(),
                request.getDataset(),
                request.getCount(),
                Topics.REQUESTS.name(),
                request.getRequestId());
        return 0;
    }

    static void publish(ClusterOptions cluster, GenerationRequest request) throws InterruptedException {
        try (KafkaProducer<String, GenerationRequest> producer = new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers,
                        ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000),
                Topics.REQUESTS.keySerde().serializer(),
                cluster.serdes().value(Topics.REQUESTS).serializer())) {
            producer.send(new ProducerRecord<>(Topics.REQUESTS.name(), request.getRequestId(), request))
                    .get(20, TimeUnit.SECONDS);
        } catch (ExecutionException
                | java.util.concurrent.TimeoutException
                | org.apache.kafka.common.KafkaException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("Cannot publish to Kafka at " + cluster.bootstrapServers + " (registry "
                    + cluster.schemaRegistryUrl + "): " + cause.getMessage());
        }
    }
}
