package io.synthstream.generator.processor;

import io.synthstream.avro.GenerationRequest;

/** A request as read: decoded Avro from synth.requests, or JSON text from synth.requests.json. */
public record IngestInput(GenerationRequest request, String json) {
    public static IngestInput avro(GenerationRequest request) {
        return new IngestInput(request, null);
    }

    public static IngestInput json(String json) {
        return new IngestInput(null, json);
    }
}
