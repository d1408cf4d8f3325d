package io.synthstream.common.dlq;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends records that cannot be deserialized to {@code synth.dlq} as a {@code DeadLetter} with the
 * error and the origin topic, partition, offset and raw bytes, and lets the app keep running.
 *
 * <p>If the dead letter itself cannot be built (e.g. the schema registry is down), the handler
 * answers FAIL: the stream thread stops, the transaction aborts and the record is read again after
 * the thread is replaced, so the input is never skipped without a trace.
 */
public final class DeadLetterDeserializationHandler implements DeserializationExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterDeserializationHandler.class);
    public static final String STAGE = "deserialization";

    private DeadLetterWriter writer;

    @Override
    public void configure(Map<String, ?> configs) {
        writer = new DeadLetterWriter(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception error) {
        DeadLetters.Origin origin = new DeadLetters.Origin(
                record.topic(), record.partition(), record.offset(), record.key(), record.value());
        try {
            var letter = DeadLetters.forException(
                            writer.app(), STAGE, DeadLetterReason.DESERIALIZATION_ERROR, error, origin, Instant.now())
                    .build();
            log.warn(
                    "Dead-lettering undeserializable record {}-{}@{}: {}",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    letter.getMessage());
            return Response.resume(List.of(writer.toRecord(letter, record.key())));
        } catch (RuntimeException dlqFailure) {
            log.error(
                    "Could not dead-letter record {}-{}@{}; failing so that it is retried",
                    record.topic(),
                    record.partition(),
                    record.offset(),
                    dlqFailure);
            return Response.fail();
        }
    }
}
