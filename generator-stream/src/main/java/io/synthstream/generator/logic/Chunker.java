package io.synthstream.generator.logic;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.IntArrayList;
import io.synthstream.avro.Chunking;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a long seed text into overlapping chunks, each of which becomes a seed of its own.
 *
 * <ul>
 *   <li>{@code chars}: windows of {@code size} characters that start {@code size - overlap} apart;
 *       a window's end moves back to the last whitespace in its final fifth, so words are not cut
 *       where a break is near (a text without one is cut at the size).
 *   <li>{@code tokens}: windows of {@code size} tokens of a tiktoken encoding, counted and cut with
 *       <a href="https://github.com/knuddelsgmbh/jtokkit">jtokkit</a>, then decoded back to text.
 *       Exact for OpenAI models of that encoding; an approximation for other families.
 * </ul>
 *
 * A pure function of the text and the settings, so a replay cuts the same chunks.
 */
public final class Chunker {
    public static final List<String> UNITS = List.of("chars", "tokens");
    public static final List<String> ENCODINGS = List.of("cl100k_base", "o200k_base", "p50k_base", "r50k_base");
    public static final int MIN_SIZE = 16;

    private static final class Registry {
        static final EncodingRegistry INSTANCE = Encodings.newLazyEncodingRegistry();
    }

    private Chunker() {}

    /** The chunks of {@code text}; one chunk (the text) when it fits, none when it is empty. */
    public static List<String> chunks(String text, Chunking settings) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        return "tokens".equals(settings.getUnit())
                ? byTokens(text, settings.getSize(), settings.getOverlap(), encoding(settings.getEncoding()))
                : byChars(text, settings.getSize(), settings.getOverlap());
    }

    /** The encoding named {@code name}; {@link #ENCODINGS} lists the known ones. */
    public static Encoding encoding(String name) {
        return Registry.INSTANCE
                .getEncoding(name)
                .orElseThrow(() -> new IllegalArgumentException("unknown encoding '" + name + "'; use " + ENCODINGS));
    }

    /** The problems of {@code settings}, each naming the field under {@code where}. */
    public static List<String> problems(String where, Chunking settings) {
        List<String> problems = new ArrayList<>();
        if (!UNITS.contains(settings.getUnit())) {
            problems.add(where + ".unit '" + settings.getUnit() + "' is unknown; use " + UNITS);
        }
        if (settings.getSize() < MIN_SIZE) {
            problems.add(where + ".size must be at least " + MIN_SIZE + ", got " + settings.getSize());
        }
        if (settings.getOverlap() < 0 || settings.getOverlap() >= settings.getSize()) {
            problems.add(where + ".overlap must be >= 0 and below size (" + settings.getSize() + "), got "
                    + settings.getOverlap());
        }
        if ("tokens".equals(settings.getUnit()) && !ENCODINGS.contains(settings.getEncoding())) {
            problems.add(where + ".encoding '" + settings.getEncoding() + "' is unknown; use " + ENCODINGS);
        }
        return problems;
    }

    static List<String> byChars(String text, int size, int overlap) {
        List<String> chunks = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + size);
            if (end < text.length()) {
                int floor = end - Math.max(1, size / 5);
                for (int i = end; i > floor && i > start; i--) {
                    if (Character.isWhitespace(text.charAt(i - 1))) {
                        end = i;
                        break;
                    }
                }
            }
            String chunk = text.substring(start, end).strip();
            if (!chunk.isEmpty()) {
                chunks.add(chunk);
            }
            if (end >= text.length()) {
                break;
            }
            start = Math.max(start + 1, end - overlap);
        }
        return chunks;
    }

    static List<String> byTokens(String text, int size, int overlap, Encoding encoding) {
        IntArrayList tokens = encoding.encodeOrdinary(text);
        List<String> chunks = new ArrayList<>();
        int step = size - overlap;
        for (int start = 0; start < tokens.size(); start += step) {
            int end = Math.min(tokens.size(), start + size);
            IntArrayList window = new IntArrayList(end - start);
            for (int i = start; i < end; i++) {
                window.add(tokens.get(i));
            }
            String chunk = encoding.decode(window).strip();
            if (!chunk.isEmpty()) {
                chunks.add(chunk);
            }
            if (end >= tokens.size()) {
                break;
            }
        }
        return chunks;
    }
}
