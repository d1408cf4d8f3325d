package io.synthstream.common.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.DeadLetter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
    @Test
    void shouldDescribeTheCauseChainWithoutRepeats() {
        Exception error = new IllegalStateException(
                "Could not read sample", new IOException("Unknown magic byte", new IOException("Unknown magic byte")));

        assertThat(DeadLetters.describe(error)).isEqualTo("Could not read sample: Unknown magic byte");
        assertThat(DeadLetters.describe(new NullPointerException())).isEqualTo("NullPointerException");
    }

    @Test
    void shouldKeepOriginAndErrorClass() {
        DeadLetters.Origin origin = new DeadLetters.Origin(
                "synth.samples.raw", 2, 17L, "k".getBytes(StandardCharsets.UTF_8), new byte[] {9});

        DeadLetter letter = DeadLetters.forException(
                        "app",
                        "deserialization",
                        DeadLetterReason.DESERIALIZATION_ERROR,
                        new IOException("bad"),
                        origin,
                        Instant.EPOCH)
                .build();

        assertThat(letter.getOriginTopic()).isEqualTo("synth.samples.raw");
        assertThat(letter.getOriginPartition()).isEqualTo(2);
        assertThat(letter.getOriginOffset()).isEqualTo(17L);
        assertThat(letter.getOriginalValue().array()).containsExactly(9);
        assertThat(letter.getErrorClass()).isEqualTo("java.io.IOException");
        assertThat(letter.getMessage()).isEqualTo("bad");
    }

    @Test
    void shouldAllowUnknownOrigin() {
        DeadLetter letter = DeadLetters.forMessage(
                        "app",
                        "ingest",
                        DeadLetterReason.INVALID_REQUEST,
                        "count must be > 0",
                        DeadLetters.Origin.NONE,
                        Instant.EPOCH)
                .build();

        assertThat(letter.getOriginTopic()).isNull();
        assertThat(letter.getOriginalKey()).isNull();
        assertThat(letter.getErrorClass()).isNull();
    }
}
