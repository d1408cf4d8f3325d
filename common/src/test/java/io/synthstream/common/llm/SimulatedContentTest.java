package io.synthstream.common.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SimulatedContentTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldPlantMislabelledAndLowQualityRepliesAtTheirRatesByTheSampleAlone() {
        var rates = new SimulatedContent.Rates(0, 0, 0, 0, 0.1, 0.05);
        int mislabelled = 0;
        int low = 0;
        for (int i = 0; i < 20_000; i++) {
            String plant = SimulatedContent.planted("s-" + i + "/0", rates, true);
            assertThat(plant).isEqualTo(SimulatedContent.planted("s-" + i + "/0", rates, true));
            if (SimulatedContent.MISLABELLED.equals(plant)) {
                mislabelled++;
            } else if (SimulatedContent.LOW_QUALITY.equals(plant)) {
                low++;
            }
        }
        assertThat(mislabelled / 20_000.0).isBetween(0.09, 0.11);
        assertThat(low / 20_000.0).isBetween(0.04, 0.06);
        // Without a label nothing can be mislabelled; the rates do not move the low-quality share.
        assertThat(SimulatedContent.planted("s-1/0", new SimulatedContent.Rates(0, 0, 0, 0, 1, 0), false))
                .isNull();
        assertThat(SimulatedContent.planted(null, rates, true)).isNull();
    }

    @Test
    void shouldWriteAMislabelledTextInAnotherLabelsToneUnderTheWantedLabel() throws Exception {
        ObjectNode schema = JSON.createObjectNode();
        schema.putObject("properties").putObject("text").put("type", "string");
        ((ObjectNode) schema.path("properties"))
                .putObject("label")
                .put("type", "string")
                .putArray("enum")
                .add("positive")
                .add("negative");
        var rates = new SimulatedContent.Rates(0, 0, 0, 0, 1.0, 0);
        var reply = JSON.readTree(SimulatedContent.reply(
                schema, Map.of("label", "positive", SimulatedContent.SAMPLE_HINT, "s-1/0"), 1, rates));
        assertThat(reply.path("label").asText()).isEqualTo("positive");
        String text = reply.path("text").asText().toLowerCase();
        assertThat(SimulatedContent.toneEvidence(text, "negative")).isPositive();
        assertThat(SimulatedContent.toneEvidence(text, "positive")).isZero();

        var salad = JSON.readTree(SimulatedContent.reply(
                schema,
                Map.of("label", "positive", SimulatedContent.SAMPLE_HINT, "s-1/0"),
                1,
                new SimulatedContent.Rates(0, 0, 0, 0, 0, 1.0)));
        assertThat(SimulatedJudge.incoherent(salad.path("text").asText())).isTrue();
        assertThat(SimulatedJudge.incoherent("The baker fixed the lamp. It was wonderful."))
                .isFalse();
    }
}
