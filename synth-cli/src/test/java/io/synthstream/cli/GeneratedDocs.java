package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Parts of {@code docs/} rendered from the code (settings, the request fields): a test renders the
 * page as it should read and fails when the file differs, or rewrites the file when run with
 * {@code -Dsynth.docs.update=true}.
 */
final class GeneratedDocs {
    private GeneratedDocs() {}

    /** The text between {@code open} and {@code close} in {@code page} replaced by {@code body}. */
    static String replaceBetween(String page, String open, String close, String body) {
        int start = page.indexOf(open);
        int end = page.indexOf(close);
        assertThat(start).as("%s in the page", open.trim()).isNotNegative();
        assertThat(end).as("%s after %s", close, open.trim()).isGreaterThan(start);
        return page.substring(0, start + open.length()) + body + page.substring(end);
    }

    /** {@code text} as one Markdown table cell: pipes escaped, angle brackets as entities, on one line. */
    static String cell(String text) {
        return text.replace("|", "\\|")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\n", " ");
    }

    /** Fails unless {@code file} reads {@code expected} (or rewrites it when asked to). */
    static void assertInStep(Path file, String expected) throws IOException {
        String actual = Files.readString(file);
        if (Boolean.getBoolean("synth.docs.update")) {
            Files.writeString(file, expected);
            actual = expected;
        }
        assertThat(actual)
                .as("%s differs from the code; rerun this test with -Dsynth.docs.update=true to rewrite it", file)
                .isEqualTo(expected);
    }
}
