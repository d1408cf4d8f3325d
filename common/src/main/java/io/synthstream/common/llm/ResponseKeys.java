package io.synthstream.common.llm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The keys of {@code synth.llm-responses} (docs/spend.md). A reply is kept under its call's key,
 * {@code call|<call id>|<hash of the whole request>}, so that the same call re-issued after a
 * restart finds it, and a call of the same id whose request changed does not. With the response
 * cache on it is kept under {@code cache|<hash>} too: a hash of what the server sees (model,
 * messages, sampling parameters, seed, output format, extra parameters) and of the call's place
 * in its request, so that re-running a request finds its replies while two samples of one run
 * that happen to share a prompt do not share a reply.
 */
public final class ResponseKeys {
    public static final String CALL_PREFIX = "call|";
    public static final String CACHE_PREFIX = "cache|";

    private ResponseKeys() {}

    /** The key a reply to call {@code callId} of {@code request} is kept under until it is used. */
    public static String call(String callId, LlmRequest request) {
        return CALL_PREFIX + callId + "|" + hash(null, request, true);
    }

    /**
     * The cache key of {@code request}, asked for at {@code place} (the call's position in its
     * request, the same on a re-run: e.g. condition and sample index and step; empty for calls that
     * depend only on their content, such as a judge's verdict on a text).
     */
    public static String cache(String place, LlmRequest request) {
        return CACHE_PREFIX + hash(place, request, false);
    }

    /** The value of an {@code Idempotency-Key} header for the call kept under {@code callKey}. */
    public static String idempotencyKey(String callKey) {
        return HexFormat.of().formatHex(sha256(callKey.getBytes(StandardCharsets.UTF_8)), 0, 16);
    }

    /**
     * A hex SHA-256 of every field that shapes a reply; {@code hints} (which only the simulator
     * reads, and which name the sample) count only when {@code withHints}.
     */
    static String hash(String place, LlmRequest r, boolean withHints) {
        StringBuilder s = new StringBuilder(256);
        field(s, place);
        field(s, r.provider());
        field(s, r.model());
        for (LlmRequest.Message m : r.messages()) {
            field(s, m.role());
            field(s, m.content());
        }
        field(s, "|");
        field(s, r.temperature() == null ? null : Double.toString(r.temperature()));
        field(s, r.topP() == null ? null : Double.toString(r.topP()));
        field(s, r.maxTokens() == null ? null : Integer.toString(r.maxTokens()));
        field(s, r.seed() == null ? null : Long.toString(r.seed()));
        field(s, r.format().name());
        field(s, r.schema() == null ? null : r.schema().toString());
        sorted(s, r.extra());
        if (withHints) {
            sorted(s, r.hints());
        }
        return HexFormat.of().formatHex(sha256(s.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static void sorted(StringBuilder s, Map<String, String> map) {
        field(s, Integer.toString(map.size()));
        new TreeMap<>(map).forEach((k, v) -> {
            field(s, k);
            field(s, v);
        });
    }

    /** A length-prefixed field, so that no two different requests write the same text. */
    private static void field(StringBuilder s, String value) {
        if (value == null) {
            s.append("-1:");
        } else {
            s.append(value.length()).append(':').append(value);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
