package io.synthstream.generator.topology;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.common.json.AvroJson;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Requests for tests, written as the JSON a user would publish. */
final class Requests {
    private Requests() {}

    static String sentimentJson(String id, int count) {
        return """
                {"request_id": "%s", "dataset": "reviews",
                 "task": {"kind": "classification", "description": "product reviews",
                          "labels": ["positive", "negative"]},
                 "count": %d,
                 "attributes": [{"name": "product", "values": [{"value": "phone"}, {"value": "laptop"}, {"value": "camera"}]},
                                {"name": "length", "values": [{"value": "short", "weight": 3}, {"value": "long"}]}],
                 "seed": 7,
                 "model": {"temperature": 0.8}}
                """.formatted(id, count);
    }

    static GenerationRequest parse(String json) {
        try {
            var node = new ObjectMapper().readTree(json);
            if (!node.has("created_at")) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("created_at", 0L);
            }
            return AvroJson.read(node, GenerationRequest.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
