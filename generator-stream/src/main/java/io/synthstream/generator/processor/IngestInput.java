package io.synthstream.generator.processor;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.SeedRecord;

/**
 * What the ingest processor reads: a decoded Avro request from synth.requests, the bytes of a JSON
 * request from synth.requests.json (decoded there, so that bytes that are not UTF-8 are refused
 * rather than silently replaced), or a seed (or stop record) from synth.seeds. Exactly one is set.
 */
public record IngestInput(GenerationRequest request, byte[] json, SeedRecord seed) {
    public static IngestInput avro(GenerationRequest request) {
        return new IngestInput(request, null, null);
    }

    public static IngestInput json(byte[] json) {
        return new IngestInput(null, json, null);
    }

    public static IngestInput seed(SeedRecord seed) {
        return new IngestInput(null, null, seed);
    }
}
