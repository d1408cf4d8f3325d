package io.synthstream.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.CurationSettings;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.schemas.TestRecords;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text heuristics and dedup read: a request's dedup_fields choose which fields it is made of. */
class DedupTextTest {
    @Test
    void dedupFieldsChooseTheFieldsThatAreComparedInTheirOrder() {
        GenerationRequest spec = TestRecords.request("r");
        Sample sample = TestRecords.sample("s");
        sample.setFields(Map.of("question", "Why is the sky blue?", "answer", "Rayleigh scattering.", "label", "x"));

        spec.setCuration(CurationSettings.newBuilder()
                .setDedupFields(List.of("question"))
                .build());
        assertThat(DedupText.of(sample, spec)).isEqualTo("Why is the sky blue?");

        spec.setCuration(CurationSettings.newBuilder()
                .setDedupFields(List.of("answer", "missing", "question"))
                .build());
        assertThat(DedupText.of(sample, spec)).isEqualTo("Rayleigh scattering.\nWhy is the sky blue?");
    }
}
