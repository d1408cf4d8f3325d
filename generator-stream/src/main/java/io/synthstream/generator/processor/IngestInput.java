package io.synthstream.generator.processor;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.SeedRecord;

/**
 * What the ingest processor reads: a decoded Avro request from synth.requests, JSON text from
 * synth.requests.json, or a seed (or stop record) from synth.seeds. Exactly one is set.
 */
public record IngestInput(GenerationRequest request, String json, SeedRecord seed) {
    public static IngestInput avro(GenerationRequest request) {
        return new IngestInput(request, null, null);
    }

    public static IngestInput json(String json) {
        return new IngestInput(null, json, null);
    }

    public static IngestInput seed(SeedRecord seed) {
        return new IngestInput(null, null, seed);
    }
}
