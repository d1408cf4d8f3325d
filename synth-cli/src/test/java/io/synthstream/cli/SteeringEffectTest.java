package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The steering lines of a report: value shares with the request's weights and under steering. */
class SteeringEffectTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode row(String difficulty, Long version) {
        ObjectNode row = JSON.createObjectNode();
        row.putObject("attributes").put("difficulty", difficulty);
        ObjectNode provenance = row.putObject("provenance");
        if (version != null) {
            provenance.put("steering_version", version);
        }
        return row;
    }

    private static String printed(List<ObjectNode> rows) {
        StringWriter out = new StringWriter();
        SteeringEffect.of(rows).print(new PrintWriter(out, true));
        return out.toString();
    }

    @Test
    void sharesAreSplitByWhetherASteeringUpdatePlannedTheSample() {
        List<ObjectNode> rows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rows.add(row(i < 4 ? "beginner" : "intermediate", null)); // 2:1 as the request weighs them
        }
        for (int i = 0; i < 4; i++) {
            rows.add(row(i < 1 ? "beginner" : "intermediate", i < 2 ? 1L : 2L)); // steered towards intermediate
        }
        assertThat(printed(rows))
                .contains("4 of 10 accepted samples planned under steering (updates 1-2)")
                .contains("share of difficulty (own -> steered)")
                .contains("beginner 0.67 -> 0.25, intermediate 0.33 -> 0.75");
    }

    @Test
    void aDatasetNeverSteeredSaysSoAndValuesFromKafkaArePrintedAsText() {
        assertThat(printed(List.of(row("beginner", null)))).contains("no accepted sample was planned under a steering");
        assertThat(printed(List.of(row("x\u001b[2Jy", 3L))))
                .contains("1 of 1 accepted samples planned under steering (update 3)")
                .contains("x?[2Jy 0.00 -> 1.00")
                .doesNotContain("\u001b");
    }
}
