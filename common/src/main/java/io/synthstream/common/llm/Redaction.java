package io.synthstream.common.llm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Removes secrets from text that came from a server before it reaches a log, a metric, a dead
 * letter or an exception. Providers echo keys in their error bodies, whole or in part ("Incorrect
 * API key provided: sk-abc..."), so every run of {@value #MIN_FRAGMENT} or more characters of a
 * secret is replaced, not only the whole secret.
 */
public final class Redaction {
    /** The shortest run of a secret's characters that is removed. */
    public static final int MIN_FRAGMENT = 8;

    static final String MASK = "[redacted]";

    private Redaction() {}

    /** {@code text} with every secret, and every run of {@value #MIN_FRAGMENT}+ of its characters, masked. */
    public static String redact(String text, Collection<String> secrets) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String redacted = text;
        for (String fragment : fragments(secrets)) {
            redacted = redacted.replace(fragment, MASK);
        }
        return redacted;
    }

    /** Every run of {@value #MIN_FRAGMENT} or more characters of the secrets, longest first. */
    private static List<String> fragments(Collection<String> secrets) {
        List<String> fragments = new ArrayList<>();
        for (String secret : secrets) {
            if (secret == null || secret.length() < MIN_FRAGMENT) {
                continue;
            }
            for (int length = secret.length(); length >= MIN_FRAGMENT; length--) {
                for (int start = 0; start + length <= secret.length(); start++) {
                    fragments.add(secret.substring(start, start + length));
                }
            }
        }
        fragments.sort(Comparator.comparingInt(String::length).reversed());
        return fragments;
    }
}
