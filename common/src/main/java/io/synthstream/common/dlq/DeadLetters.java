package io.synthstream.common.dlq;

import io.synthstream.avro.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Builds {@link DeadLetter} records: one place that decides how an exception and its input become
 * a message a user can act on. Used by the Streams exception handlers and by app logic that
 * dead-letters input on purpose (invalid requests, terminal LLM failures). Reasons are always a
 * {@link DeadLetterReason}.
 */
public final class DeadLetters {
    private DeadLetters() {}

    /** Where the failed input came from; any part may be unknown (null). */
    public record Origin(String topic, Integer partition, Long offset, byte[] key, byte[] value) {
        public static final Origin NONE = new Origin(null, null, null, null, null);
    }

    /**
     * A dead letter for a failure with an exception.
     *
     * @param app the application id
     * @param stage where it failed (deserialization, processing, ingest, generate, judge...)
     * @param reason why
     * @param error the failure; its class and message chain are kept
     */
    public static DeadLetter.Builder forException(
            String app, String stage, DeadLetterReason reason, Throwable error, Origin origin, Instant now) {
        return forMessage(app, stage, reason, describe(error), origin, now)
                .setErrorClass(error.getClass().getName());
    }

    /**
     * The most bytes of an original value a dead letter keeps: a record near its topic's size limit
     * must not make a dead letter too large for synth.dlq (a failed dead letter would stop the app).
     */
    public static final int MAX_ORIGINAL_VALUE = 256 * 1024;

    /** A dead letter for a failure described in words (no exception). */
    public static DeadLetter.Builder forMessage(
            String app, String stage, DeadLetterReason reason, String message, Origin origin, Instant now) {
        byte[] value = origin.value();
        if (value != null && value.length > MAX_ORIGINAL_VALUE) {
            message = message + " (original value cut to its first " + MAX_ORIGINAL_VALUE + " of " + value.length
                    + " bytes)";
            value = java.util.Arrays.copyOf(value, MAX_ORIGINAL_VALUE);
        }
        return DeadLetter.newBuilder()
                .setApp(app)
                .setStage(stage)
                .setReason(reason.code())
                .setMessage(message)
                .setOriginTopic(origin.topic())
                .setOriginPartition(origin.partition())
                .setOriginOffset(origin.offset())
                .setOriginalKey(origin.key() == null ? null : ByteBuffer.wrap(origin.key()))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setFailedAt(now);
    }

    /**
     * A dead letter for one sample's failure (an LLM call, an unreadable reply, a missing spec):
     * keyed by the sample id, with the raw reply kept when there is one.
     */
    public static DeadLetter forSample(
            String app,
            String stage,
            SampleFailure failure,
            String sampleId,
            String requestId,
            String dataset,
            Instant now) {
        String reply = failure.rawReply();
        return forMessage(
                        app,
                        stage,
                        failure.reason(),
                        failure.message(),
                        new Origin(
                                null,
                                null,
                                null,
                                sampleId.getBytes(StandardCharsets.UTF_8),
                                reply == null ? null : reply.getBytes(StandardCharsets.UTF_8)),
                        now)
                .setRequestId(requestId)
                .setSampleId(sampleId)
                .setDataset(dataset)
                .setSamples(failure.samples())
                .setAttempts(Math.max(1, failure.attempts()))
                .setSpend(failure.spend())
                .build();
    }

    /**
     * The messages of an exception and its causes, outermost first, without repeats: "Could not
     * deserialize: Unknown magic byte 0x7b ...".
     */
    public static String describe(Throwable error) {
        StringBuilder text = new StringBuilder();
        String previous = null;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (previous == null || !previous.contains(message)) {
                if (text.length() > 0) {
                    text.append(": ");
                }
                text.append(message);
            }
            previous = message;
        }
        return text.toString();
    }
}
