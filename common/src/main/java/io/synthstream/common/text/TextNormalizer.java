package io.synthstream.common.text;

import java.text.Normalizer;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.datasketches.hash.MurmurHash3;

/**
 * The canonical form of text for deduplication: Unicode NFKC (so full-width letters, ligatures and
 * compatibility characters compare equal), lower case, punctuation turned into spaces, and runs of
 * whitespace folded into one space. Two texts that differ only in case, spacing, punctuation or
 * Unicode presentation normalise to the same string.
 */
public final class TextNormalizer {
    private static final Pattern PUNCTUATION = Pattern.compile("\\p{P}+");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");
    private static final long HASH_SEED = 0x5EED_0F_D0_0DL;

    private TextNormalizer() {}

    /** The normalised form of {@code text}. */
    public static String normalize(String text) {
        String folded = Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
        folded = PUNCTUATION.matcher(folded).replaceAll(" ");
        return WHITESPACE.matcher(folded).replaceAll(" ").strip();
    }

    /** The words of an already normalised text. */
    public static List<String> words(String normalized) {
        return normalized.isEmpty() ? List.of() : List.of(normalized.split(" "));
    }

    /**
     * A 128-bit hash (32 hex characters) of the normalised text: the exact-dedup key. MurmurHash3
     * from DataSketches; collisions between distinct texts are negligible at 128 bits.
     */
    public static String exactHash(String text) {
        return hashNormalized(normalize(text));
    }

    /** {@link #exactHash} of a text that is already normalised. */
    public static String hashNormalized(String normalized) {
        long[] hash = MurmurHash3.hash(normalized.toCharArray(), HASH_SEED);
        return HexFormat.of().toHexDigits(hash[0]) + HexFormat.of().toHexDigits(hash[1]);
    }
}
