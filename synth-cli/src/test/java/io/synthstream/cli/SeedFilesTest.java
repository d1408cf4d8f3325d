package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedFilesTest {
    @TempDir
    Path dir;

    private record Read(List<SeedFiles.Seed> seeds, List<SeedFiles.Problem> problems) {}

    private static Read read(Path file, Set<String> required) {
        List<SeedFiles.Seed> seeds = new ArrayList<>();
        List<SeedFiles.Problem> problems = new ArrayList<>();
        SeedFiles.read(file, required, new SeedFiles.Visitor() {
            @Override
            public void seed(SeedFiles.Seed seed) {
                seeds.add(seed);
            }

            @Override
            public void problem(SeedFiles.Problem problem) {
                problems.add(problem);
            }
        });
        return new Read(seeds, problems);
    }

    @Test
    void jsonlBadLinesAreReportedWithTheirLineNumbers() throws Exception {
        Path file = dir.resolve("seeds.jsonl");
        Files.writeString(file, """
                {"id": 1, "text": "first", "tags": ["a"]}
                {"id": 2, "text": "second"
                [1, 2]

                {"id": 5, "title": "no text"}
                {"id": 6, "text": "sixth", "score": null}
                """);
        Read read = read(file, Set.of("text"));
        assertThat(read.seeds()).extracting(SeedFiles.Seed::line).containsExactly(1L, 6L);
        assertThat(read.seeds().get(0).fields()).containsEntry("id", "1").containsEntry("tags", "[\"a\"]");
        assertThat(read.seeds().get(1).fields()).doesNotContainKey("score");
        assertThat(read.problems()).extracting(SeedFiles.Problem::line).containsExactly(2L, 3L, 5L);
        assertThat(read.problems().get(0).toString()).startsWith("line 2: not JSON");
        assertThat(read.problems().get(1).toString()).contains("expected a JSON object, got array");
        assertThat(read.problems().get(2).toString()).contains("lacks text");
    }

    @Test
    void csvRowsAreSeedsByHeader() throws Exception {
        Path file = dir.resolve("tickets.csv");
        Files.writeString(
                file, "subject,body,category\nLate parcel,\"Where is it, please?\",shipping\nRefund,,billing\n");
        Read read = read(file, Set.of("body"));
        assertThat(read.seeds()).singleElement().satisfies(s -> {
            assertThat(s.line()).isEqualTo(2);
            assertThat(s.fields()).containsEntry("body", "Where is it, please?").containsEntry("category", "shipping");
        });
        assertThat(read.problems())
                .singleElement()
                .satisfies(p -> assertThat(p.toString()).startsWith("line 3: lacks body"));
    }

    @Test
    void unknownTypesAndMissingFilesAreClearErrors() {
        assertThatThrownBy(() -> SeedFiles.format(Path.of("seeds.txt"))).hasMessageContaining("use .jsonl");
        assertThatThrownBy(() -> read(dir.resolve("none.jsonl"), Set.of())).hasMessageContaining("no such file");
    }
}
