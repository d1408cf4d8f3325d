package io.synthstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.ReviewDecision;
import io.synthstream.avro.SeedRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

/**
 * The build ships every record's schema as one document a client in another language can parse
 * alone: each parses with a fresh parser (no other type known) to the schema the Java classes use.
 */
class SelfContainedSchemasTest {
    private static Schema shipped(String fullName) throws IOException {
        try (InputStream in = SelfContainedSchemas.class.getResourceAsStream(
                "/" + SelfContainedSchemas.RESOURCE_DIR + "/" + fullName + ".avsc")) {
            assertThat(in).as("%s in the jar", fullName).isNotNull();
            return new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void theInputRecordsParseAloneToTheSchemasTheAppsUse() throws IOException {
        for (Schema schema : List.of(
                GenerationRequest.getClassSchema(), SeedRecord.getClassSchema(), ReviewDecision.getClassSchema())) {
            assertThat(shipped(schema.getFullName())).isEqualTo(schema);
        }
    }

    @Test
    void everySourceRecordIsShipped() throws IOException {
        try (Stream<Path> sources = Files.list(Path.of("src/main/avro"))) {
            assertThat(sources.filter(p -> p.toString().endsWith(".avsc")).count())
                    .isEqualTo(Files.list(Path.of("target/classes", SelfContainedSchemas.RESOURCE_DIR))
                            .count());
        }
    }
}
