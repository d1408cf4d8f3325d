package io.synthstream.common.dlq;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records whose processing threw an exception to {@code synth.dlq}, with the processor that
 * failed, the error and the raw source bytes, and lets the app keep running. Expected outcomes
 * (duplicates, low quality) are rejections in the apps' logic, never exceptions; this handler is
 * for bugs and bad data that slipped past validation.
 *
 * <p>As with {@link DeadLetterDeserializationHandler}, a failure to build the dead letter answers
 * FAIL so the input is retried rather than lost.
 */
public final class DeadLetterProcessingHandler implements ProcessingExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterProcessingHandler.class);
    public static final String STAGE = "processing";

    private DeadLetterWriter writer;

    @Override
    public void configure(Map<String, ?> configs) {
        writer = new DeadLetterWriter(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception error) {
        DeadLetters.Origin origin = new DeadLetters.Origin(
                context.topic(),
                context.partition(),
                context.offset(),
                context.sourceRawKey(),
                context.sourceRawValue());
        try {
            var letter = DeadLetters.forException(
                            writer.app(),
                            STAGE,
                            DeadLetterReason.PROCESSING_ERROR,
                            new ProcessorFailure(context.processorNodeId(), error),
                            origin,
                            Instant.now())
                    .setErrorClass(error.getClass().getName())
                    .build();
            log.warn(
                    "Dead-lettering record {}-{}@{} after a processing error in {}",
                    context.topic(),
                    context.partition(),
                    context.offset(),
                    context.processorNodeId(),
                    error);
            return Response.resume(List.of(writer.toRecord(letter, context.sourceRawKey())));
        } catch (RuntimeException dlqFailure) {
            log.error(
                    "Could not dead-letter a record that failed in {}; failing", context.processorNodeId(), dlqFailure);
            return Response.fail();
        }
    }

    /** Prefixes the message chain with the processor's name. */
    private static final class ProcessorFailure extends RuntimeException {
        ProcessorFailure(String processor, Exception cause) {
            super("in processor " + processor, cause, false, false);
        }
    }
}
