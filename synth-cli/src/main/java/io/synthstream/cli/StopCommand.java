package io.synthstream.cli;

import io.synthstream.avro.SeedRecord;
import io.synthstream.common.topics.Topics;
import java.time.Instant;
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
        SubmitCommand.publishOne(cluster, Topics.SEEDS, requestId, stop);
        spec.commandLine()
                .getOut()
                .printf(
                        "stop sent to %s: request %s plans the seeds that arrived before it, then stops; follow it"
                                + " with: synth watch %s%n",
                        Topics.SEEDS.name(), requestId, requestId);
        return 0;
    }
}
