package io.synthstream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code synth} command. */
@Command(
        name = "synth",
        mixinStandardHelpOptions = true,
        versionProvider = SynthCli.Version.class,
        description = "SynthStream: LLM-driven synthetic data generation, curation and evaluation on Kafka.",
        subcommands = {
            UpCommand.class,
            DemoCommand.class,
            SubmitCommand.class,
            StopCommand.class,
            WatchCommand.class,
            ExportCommand.class,
            ReportCommand.class,
            EvaluateCommand.class,
            CompareCommand.class,
            DecontaminateCommand.class,
            CorpusCommand.class,
            ReviewCommand.class,
            TopicsCommand.class,
            CommandLine.HelpCommand.class
        })
public final class SynthCli {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests execute it in-process. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SynthCli()).setExecutionExceptionHandler((error, cmd, parsed) -> {
            // A user mistake or an unreachable cluster: one clear line, not a stack trace.
            cmd.getErr().println(cmd.getColorScheme().errorText("synth: " + error.getMessage()));
            return 1;
        });
        // picocli lets a help option win over an unknown word ("synth reveiw --help" printed the
        // usage and exited 0): a word that is no command is an error, whatever follows it.
        CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
        return cli.setExecutionStrategy(parsed -> {
            if (!parsed.hasSubcommand() && !parsed.unmatched().isEmpty()) {
                return unknownCommand(cli, parsed.unmatched().get(0));
            }
            return run.execute(parsed);
        });
    }

    private static int unknownCommand(CommandLine cli, String word) {
        cli.getErr()
                .println(cli.getColorScheme()
                        .errorText("synth: unknown command '" + word + "'; the commands are "
                                + String.join(", ", cli.getSubcommands().keySet())
                                + " (synth --help)"));
        return 2;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = SynthCli.class.getPackage().getImplementationVersion();
            return new String[] {"synth " + (version == null ? "(development build)" : version)};
        }
    }
}
