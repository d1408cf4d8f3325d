package io.synthstream.generator.logic;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Deterministic record ids: a replay of a request produces the same ids. */
public final class Ids {
    private Ids() {}

    /** {@code <request_id>#<index>}: readable and unique per request. */
    public static String conditionId(String requestId, long conditionIndex) {
        return requestId + "#" + conditionIndex;
    }

    /** The first 96 bits of SHA-256 over (request id, condition index, sample index), in hex. */
    public static String sampleId(String requestId, long conditionIndex, int sampleIndex) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] hash = digest.digest(
                    (requestId + '\u0000' + conditionIndex + '\u0000' + sampleIndex).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
