package io.synthstream.evaluator.logic;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Compression ratio (Shaib et al. 2024, "Standardizing the Measurement of Text Diversity"): the
 * UTF-8 bytes of the texts joined by newlines divided by the bytes of their gzip (level 9, as
 * Python's {@code gzip.compress}). Repetitive sets compress better, so higher means less diverse;
 * typical human-written sets score about 2.5–3.
 */
public final class CompressionRatio {
    private CompressionRatio() {}

    /** The ratio, or null for an empty set. */
    public static Double of(List<String> texts) {
        if (texts.isEmpty()) {
            return null;
        }
        byte[] raw = String.join("\n", texts).getBytes(StandardCharsets.UTF_8);
        if (raw.length == 0) {
            return null;
        }
        return (double) raw.length / gzipLength(raw);
    }

    static int gzipLength(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 2 + 64);
        try (OutputStream gzip = new GZIPOutputStream(out) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            gzip.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.size();
    }
}
