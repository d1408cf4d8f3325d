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
}
