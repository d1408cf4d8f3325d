package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code synth} command in-process: {@code demo} end to end on the bundled examples, and the
 * mistakes a user makes (a bad spec, an unreachable broker, an unknown dataset) ending in one
 * clear line and a non-zero exit.
 */
class SynthCommandsIT {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SynthCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void demoRunsTheBundledExamplesExportsThemAndPrintsTheirReports() throws Exception {
        Run demo = run(
                "demo",
                "--data-dir",
                dir.resolve("data").toString(),
                "--out",
                dir.resolve("out").toString());

        assertThat(demo.exit()).as(demo.out() + demo.err()).isZero();
        assertThat(demo.out())
                .contains("LLM provider      SIMULATOR")
                .contains("complete")
                .contains("Dataset product-reviews")
                .contains("Dataset coding-instructions")
                .contains("faithfulness (judge, 1-5)")
                .contains("Vendi")
                .contains("These samples come from the built-in SIMULATOR");
        List<String> lines = Files.readAllLines(dir.resolve("out").resolve("product-reviews.jsonl"));
        assertThat(lines).hasSizeGreaterThan(250); // 300 requested, a few rejected
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.path("fields").path("text").asText()).isNotBlank();
        assertThat(first.path("attributes").has("product")).isTrue();
        assertThat(first.path("scores").path("faithfulness_status").asText()).isIn("judged", "unjudged");
        assertThat(first.path("provenance").path("simulated").asBoolean()).isTrue();
        assertThat(lines.stream().map(l -> l.substring(0, l.indexOf(',')))).doesNotHaveDuplicates();
        assertThat(Files.readAllLines(dir.resolve("out").resolve("coding-instructions.jsonl")))
                .hasSizeGreaterThan(80);
    }

    @Test
    void submitReportsSyntaxErrorsWithTheirLineAndSchemaErrorsWithTheirPath() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "request_id: r-1\ndataset: [unclosed\ncount: 3\n");
        Path wrongType = Files.writeString(
                dir.resolve("wrong.json"),
                "{\"request_id\": \"r-1\", \"dataset\": \"d\", \"task\": {\"kind\": \"qa\"}, \"count\": \"many\","
                        + " \"model\": {}}");
        Path invalid = Files.writeString(
                dir.resolve("invalid.json"),
                "{\"request_id\": \"r-1\", \"dataset\": \"d\", \"task\": {\"kind\": \"classification\"}, \"count\": 0,"
                        + " \"model\": {}}");

        Run syntax = run("submit", "--dry-run", broken.toString());
        Run type = run("submit", "--dry-run", wrongType.toString());
        Run semantic = run("submit", "--dry-run", invalid.toString());
        Run ok =
                run("submit", "--dry-run", Path.of("../examples/sentiment.json").toString());

        assertThat(syntax.exit()).isNotZero();
        assertThat(syntax.err()).contains("broken.yaml:").containsPattern("broken.yaml:\\d+:\\d+");
        assertThat(type.exit()).isNotZero();
        assertThat(type.err()).contains("count");
        assertThat(semantic.exit()).isNotZero();
        assertThat(semantic.err())
                .contains("count must be at least 1")
                .contains("task.labels is required for classification");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("is valid").contains("300 samples");
        assertThat(syntax.err() + type.err() + semantic.err()).doesNotContain("\tat ");
    }

    @Test
    void clientCommandsFailWithOneLineWhenTheBrokerIsUnreachable() {
        Run watch = run("watch", "r-1", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "PT5S");
        Run report = run("report", "d", "-b", "127.0.0.1:1");

        assertThat(watch.exit()).isNotZero();
        assertThat(watch.err()).contains("unreachable").doesNotContain("\tat ");
        assertThat(report.exit()).isNotZero();
        assertThat(report.err()).contains("unreachable");
    }
}
