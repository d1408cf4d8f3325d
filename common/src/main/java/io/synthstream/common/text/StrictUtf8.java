package io.synthstream.common.text;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes that must be UTF-8 text, refused when they are not. {@code new String(bytes, UTF_8)} and
 * Kafka's {@code StringDeserializer} replace malformed bytes with U+FFFD, so a record with broken
 * bytes would be read as a different record instead of being refused.
 */
public final class StrictUtf8 {
    private StrictUtf8() {}

    /** Bytes that are not UTF-8 text: the message gives the offset of the first bad byte. */
    public static final class NotUtf8Exception extends Exception {
        private static final long serialVersionUID = 1L;

        NotUtf8Exception(String message) {
            super(message);
        }
    }

    public static String decode(byte[] data) throws NotUtf8Exception {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(data);
        try {
            return decoder.decode(in).toString();
        } catch (CharacterCodingException e) {
            throw new NotUtf8Exception(
                    "the record is not UTF-8 text: malformed input at byte " + in.position() + " of " + data.length);
        }
    }
}
