package io.synthstream.common.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.StreamsBuilder;
import org.junit.jupiter.api.Test;

class AppLauncherTest {
    @Test
    void shouldExitWithOneLineNamingTheKeyWhenConfigIsInvalid() {
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = AppLauncher.run(
                    SynthConfig.baseDefinition(),
                    Map.of(SynthConfig.APPLICATION_ID.key(), "synth-test"),
                    config -> new StreamsBuilder().build(),
                    config -> List.of(Topics.DLQ),
                    Map.of("SYNTH_NUM_STREAM_THREADS", "many"));
        } finally {
            System.setErr(originalErr);
        }

        assertThat(code).isEqualTo(AppLauncher.EXIT_BAD_CONFIG);
        String message = err.toString(StandardCharsets.UTF_8);
        assertThat(message).startsWith("Invalid configuration: ").contains("num.stream.threads");
        assertThat(message.lines()).hasSize(1);
    }
}
