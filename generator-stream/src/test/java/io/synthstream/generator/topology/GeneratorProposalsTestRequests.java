package io.synthstream.generator.topology;

import io.synthstream.avro.GenerationRequest;

/** Requests of the proposal tests, for the logic tests in another package. */
public final class GeneratorProposalsTestRequests {
    private GeneratorProposalsTestRequests() {}

    public static GenerationRequest proposing() {
        return Requests.parse(GeneratorProposalsTest.request("p"));
    }

    public static GenerationRequest parse(String json) {
        return Requests.parse(json);
    }
}
