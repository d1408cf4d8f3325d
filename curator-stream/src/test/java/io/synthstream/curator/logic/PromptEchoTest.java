package io.synthstream.curator.logic;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.RejectionReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptEchoTest {
    private static final String DEMONSTRATION =
            "The hinge snapped after a week and support never answered my emails about it.";

    @Test
    void shouldRejectAnOutputThatRepeatsADemonstration() {
        String leaked = "The hinge snapped after a week and support never answered my emails.";

        assertThat(PromptEcho.check(leaked, List.of("Write a review about laptops.", DEMONSTRATION), 0.5))
                .get()
                .satisfies(v -> assertThat(v.reason()).isEqualTo(RejectionReason.PROMPT_ECHO))
                .extracting(Verdict::detail)
                .asString()
                .contains("reference 1");
    }

    @Test
    void shouldKeepAnOriginalOutput() {
        String original = "Battery life is superb, though the keyboard feels a little shallow for long sessions.";

        assertThat(PromptEcho.check(original, List.of("Write a review about laptops.", DEMONSTRATION), 0.5))
                .isEmpty();
        assertThat(PromptEcho.check("Too short", List.of("Too short"), 0.5)).isEmpty();
        assertThat(PromptEcho.check(original, List.of(), 0.5)).isEmpty();
    }
}
