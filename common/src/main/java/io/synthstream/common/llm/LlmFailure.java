package io.synthstream.common.llm;

import io.synthstream.common.dlq.DeadLetterReason;
import java.time.Duration;
import java.util.Optional;

/**
 * Why an LLM call failed, classified once so that retry policy and dead-letter reasons follow
 * from the kind: {@link Kind#retryable()} kinds are retried with backoff, the others end the call.
 */
public final class LlmFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Failure kinds; the dead-letter reason is {@code llm_<kind>} in lower case. */
    public enum Kind {
        /** 400/422: the request itself is wrong; retrying cannot help. */
        BAD_REQUEST(false),
        /** 401/403: missing or wrong API key. */
        AUTH(false),
        /** 404: unknown model or wrong base URL. */
        NOT_FOUND(false),
        /** 429: too many requests or tokens. */
        RATE_LIMITED(true),
        /** 408, 409, 5xx. */
        SERVER_ERROR(true),
        /** Connection refused or reset, broken response stream. */
        CONNECTION(true),
        /** No complete response within the per-call deadline. */
        TIMEOUT(true),
        /** The provider's content filter stopped the reply. */
        CONTENT_FILTER(false),
        /** A 200 response whose body is not a chat completion. */
        MALFORMED_RESPONSE(true);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
        }

        /** The dead-letter reason code of a terminal failure of this kind. */
        public String reason() {
            return deadLetterReason().code();
        }

        /** The dead-letter reason of a terminal failure of this kind. */
        public DeadLetterReason deadLetterReason() {
            return DeadLetterReason.of(this);
        }
    }

    private final Kind kind;
    private final int status;
    private final transient Duration retryAfter;

    public LlmFailure(Kind kind, int status, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public LlmFailure(Kind kind, String message) {
        this(kind, 0, message, null, null);
    }

    /**
     * The failure behind {@code error}: an {@link LlmFailure} as is (unwrapping completion
     * exceptions), a timeout (the JDK client's or {@code orTimeout}'s) as {@link Kind#TIMEOUT},
     * anything else (connection refused or reset, broken stream) as {@link Kind#CONNECTION}.
     */
    public static LlmFailure of(Throwable error) {
        Throwable cause = error;
        while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof LlmFailure failure) {
            return failure;
        }
        if (cause instanceof java.util.concurrent.TimeoutException
                || cause instanceof java.net.http.HttpTimeoutException) {
            return new LlmFailure(Kind.TIMEOUT, 0, "No response within the deadline", null, cause);
        }
        return new LlmFailure(
                Kind.CONNECTION, 0, cause.getClass().getSimpleName() + ": " + cause.getMessage(), null, cause);
    }

    /** The kind of an HTTP error status. */
    public static Kind kindOf(int status) {
        return switch (status) {
            case 400, 422 -> Kind.BAD_REQUEST;
            case 401, 403 -> Kind.AUTH;
            case 404 -> Kind.NOT_FOUND;
            case 429 -> Kind.RATE_LIMITED;
            default -> status == 408 || status == 409 || status >= 500 ? Kind.SERVER_ERROR : Kind.BAD_REQUEST;
        };
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, 0 when there was none. */
    public int status() {
        return status;
    }

    /** The server's {@code Retry-After}, when it sent one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
