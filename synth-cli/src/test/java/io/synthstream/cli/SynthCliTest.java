package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SynthCliTest {
    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cli = SynthCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void anUnknownCommandIsAnErrorNamingTheCommandsEvenWithHelp() {
        Run typo = run("reveiw", "--help");
        assertThat(typo.exit()).isEqualTo(2);
        assertThat(typo.err())
                .contains("unknown command 'reveiw'")
                .contains("report")
                .contains("export");
        assertThat(typo.out()).doesNotContain("Usage:");

        assertThat(run("reveiw").exit()).isNotZero();
        assertThat(run("--help").exit()).isZero();
        assertThat(run("report", "--help").exit()).isZero();
    }

    @Test
    void upRefusesAnAppPortOutOfRange() {
        Run bad = run("up", "--app-ports", "70000", "--data-dir", "target/never");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("--app-ports 70000");
    }

    @Test
    void submitWithASeedFileChecksEveryLineBeforePublishingAnything(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Run missing = run("submit", "--dry-run", "../examples/documents-qa.yaml");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("pass the file with --seeds FILE, or name it in seeds.file");

        // seeds.file names the file instead, relative to the spec's directory
        java.nio.file.Path named = dir.resolve("named.yaml");
        java.nio.file.Files.createDirectories(dir.resolve("seeds"));
        java.nio.file.Files.copy(
                java.nio.file.Path.of("../examples/seeds/articles.jsonl"), dir.resolve("seeds/articles.jsonl"));
        java.nio.file.Files.writeString(
                named,
                java.nio.file.Files.readString(java.nio.file.Path.of("../examples/documents-qa.yaml"))
                        .replace("  source: file ", "  source: file\n  file: seeds/articles.jsonl "));
        Run byName = run("submit", "--dry-run", named.toString());
        assertThat(byName.exit()).as(byName.err()).isZero();
        assertThat(byName.out()).contains("12 seeds from " + dir.resolve("seeds/articles.jsonl"));

        Run good = run(
                "submit", "--dry-run", "../examples/documents-qa.yaml", "--seeds", "../examples/seeds/articles.jsonl");
        assertThat(good.exit()).as(good.err()).isZero();
        assertThat(good.out()).contains("12 seeds");

        java.nio.file.Path bad = dir.resolve("bad.jsonl");
        java.nio.file.Files.writeString(bad, """
                {"id": "a", "title": "A", "text": "Fine."}
                {"id": "b", "title": "B"}
                not json
                """);
        // unreachable brokers: the refusal comes before any connection
        Run refused = run("submit", "../examples/documents-qa.yaml", "--seeds", bad.toString(), "-b", "127.0.0.1:1");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err())
                .contains("2 of 3 records are not usable seeds")
                .contains("line 2: lacks text")
                .contains("line 3: not JSON")
                .contains("Nothing was published")
                .contains("--skip-bad");

        java.nio.file.Path noField = dir.resolve("nofield.jsonl");
        java.nio.file.Files.writeString(noField, "{\"id\": \"a\", \"body\": \"x\"}\n");
        Run absent = run("submit", "--dry-run", "../examples/documents-qa.yaml", "--seeds", noField.toString());
        assertThat(absent.exit()).isEqualTo(1);
        assertThat(absent.err()).contains("no seed has [text, title]").contains("the file's fields are [body, id]");
    }
}
