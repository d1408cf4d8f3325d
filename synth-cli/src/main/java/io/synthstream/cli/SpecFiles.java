package io.synthstream.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.common.json.AvroJson;
import io.synthstream.generator.config.GeneratorConfig;
import io.synthstream.generator.logic.RequestValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Reads a request spec from a JSON or YAML file and validates it locally with the generator's own
 * rules, so mistakes are reported before anything reaches Kafka: syntax errors with their line and
 * column, schema errors with their JSON path, and every semantic problem at once.
 */
final class SpecFiles {
    private SpecFiles() {}

    /** A spec that cannot be used; the message lists every problem. */
    static final class InvalidSpecException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidSpecException(String message) {
            super(message);
        }
    }

    static GenerationRequest load(Path file) {
        GenerationRequest request = read(file);
        validate(file.toString(), request);
        return request;
    }

    /** The spec in {@code file}, parsed but not validated. */
    static GenerationRequest read(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml")
                ? new ObjectMapper(new YAMLFactory())
                : new ObjectMapper();
        JsonNode node;
        try {
            node = mapper.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new InvalidSpecException(file + ": no such file");
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new InvalidSpecException(file + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
                    + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidSpecException(file + ": " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidSpecException(file + ": expected an object with request_id, dataset, task, count...");
        }
        if (!node.has("created_at")) {
            ((ObjectNode) node).put("created_at", Instant.now().toEpochMilli());
        }
        GenerationRequest request;
        try {
            request = AvroJson.read(node, GenerationRequest.class);
        } catch (AvroJson.InvalidJsonException e) {
            throw new InvalidSpecException(file + ": " + e.getMessage());
        }
        return request;
    }

    static void validate(String source, GenerationRequest request) {
        GeneratorConfig defaults = GeneratorConfig.from(new io.synthstream.common.config.SynthConfig(
                GeneratorConfig.definition(),
                java.util.Map.of(io.synthstream.common.config.SynthConfig.APPLICATION_ID.key(), "synth-cli")));
        long bytes;
        try {
            bytes = request.toByteBuffer().remaining();
        } catch (IOException e) {
            throw new InvalidSpecException(source + ": cannot encode: " + e.getMessage());
        }
        List<String> problems = RequestValidator.problems(
                request,
                bytes,
                new RequestValidator.Limits(
                        defaults.get(GeneratorConfig.MAX_COUNT), defaults.get(GeneratorConfig.MAX_REQUEST_BYTES)));
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(source + " is not a valid request:\n  - " + String.join("\n  - ", problems));
        }
    }
}
