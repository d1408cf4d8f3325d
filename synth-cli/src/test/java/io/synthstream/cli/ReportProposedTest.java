package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.Attribute;
import io.synthstream.avro.AttributeValue;
import io.synthstream.avro.GenerationRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code synth report} lists the attribute values the model proposed, as stored in the accepted specs. */
class ReportProposedTest {
    private static List<AttributeValue> values(String... names) {
        return java.util.Arrays.stream(names)
                .map(n -> AttributeValue.newBuilder().setValue(n).build())
                .toList();
    }

    @Test
    void proposedValuesArePrintedPerAttributeAndParentValue() {
        GenerationRequest spec = SpecFiles.read(Path.of("../examples/news-proposed-attributes.yaml"));
        List<Attribute> filled = List.of(
                Attribute.newBuilder(spec.getAttributes().get(0))
                        .setValues(values("wry", "formal"))
                        .setProposedBy("gpt-x")
                        .build(),
                Attribute.newBuilder(spec.getAttributes().get(1))
                        .setValuesBy(Map.of("sports", values("transfers", "injuries"), "science", values("fossils")))
                        .setProposedBy("gpt-x")
                        .build(),
                spec.getAttributes().get(2));
        spec.setAttributes(filled);
        StringWriter out = new StringWriter();
        ReportCommand.proposed(new PrintWriter(out, true), List.of(spec), "news-headlines");
        assertThat(out.toString())
                .contains("proposed style (news-proposed-1, gpt-x)")
                .contains("wry, formal")
                .contains("for label=science")
                .contains("transfers, injuries")
                .doesNotContain("length");
        StringWriter other = new StringWriter();
        ReportCommand.proposed(new PrintWriter(other, true), List.of(spec), "another-dataset");
        assertThat(other.toString()).isEmpty();
    }

    @Test
    void theDatasetsRequestsArePrintedOldestFirstWithWhenTheyWereMadeAndTheirMetadata() {
        GenerationRequest older = SpecFiles.read(Path.of("../examples/news-proposed-attributes.yaml"));
        older.setRequestId("older");
        older.setCreatedAt(java.time.Instant.parse("2026-01-02T03:04:05Z"));
        older.setMetadata(Map.of("owner", "ana\u001b[31m", "recipe", "news"));
        GenerationRequest newer = GenerationRequest.newBuilder(older)
                .setRequestId("newer")
                .setCreatedAt(java.time.Instant.parse("2026-02-01T00:00:00Z"))
                .setMetadata(Map.of())
                .build();
        GenerationRequest elsewhere = GenerationRequest.newBuilder(older)
                .setRequestId("elsewhere")
                .setDataset("another-dataset")
                .build();
        StringWriter out = new StringWriter();
        ReportCommand.requests(new PrintWriter(out, true), List.of(newer, elsewhere, older), "news-headlines");
        assertThat(out.toString())
                .containsSubsequence(
                        "request older", "created 2026-01-02T03:04:05Z, owner=ana?[31m, recipe=news", "request newer")
                .as("a request of another dataset is not listed")
                .doesNotContain("elsewhere")
                .as("no escape sequence from Kafka reaches the terminal")
                .doesNotContain("\u001b");
    }
}
