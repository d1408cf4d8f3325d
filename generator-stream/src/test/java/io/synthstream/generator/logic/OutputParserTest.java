package io.synthstream.generator.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synthstream.avro.OutputField;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OutputParserTest {
    private static final List<OutputField> FIELDS = List.of(
            OutputField.newBuilder().setName("text").build(),
            OutputField.newBuilder().setName("tags").setType("list").build());

    @Test
    void readsAPlainObjectAndStringifiesNonText() throws Exception {
        Map<String, String> out = OutputParser.parse("{\"text\": \"hi\", \"tags\": [\"a\", \"b\"], \"x\": 1}", FIELDS);
        assertThat(out).containsExactly(Map.entry("text", "hi"), Map.entry("tags", "[\"a\",\"b\"]"));
    }

    @Test
    void findsTheObjectInsideFencesOrProse() throws Exception {
        assertThat(OutputParser.parse("```json\n{\"text\": \"fenced\"}\n```", FIELDS))
                .containsEntry("text", "fenced");
        assertThat(OutputParser.parse("Sure! {\"text\": \"a } brace\"} Hope that helps.", FIELDS))
                .containsEntry("text", "a } brace");
    }

    @Test
    void keepsTheRationale() throws Exception {
        assertThat(OutputParser.parse("{\"rationale\": \"because\", \"text\": \"t\"}", FIELDS))
                .containsEntry("rationale", "because");
    }

    @Test
    void explainsWhatIsWrong() {
        assertThatThrownBy(() -> OutputParser.parse("{\"text\": \"cut off", FIELDS))
                .hasMessageContaining("cut off");
        assertThatThrownBy(() -> OutputParser.parse("", FIELDS)).hasMessageContaining("empty");
        assertThatThrownBy(() -> OutputParser.parse("{\"other\": 1}", FIELDS))
                .hasMessageContaining("none of the fields");
    }
}
