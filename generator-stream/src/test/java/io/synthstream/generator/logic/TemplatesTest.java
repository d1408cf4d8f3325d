package io.synthstream.generator.logic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplatesTest {
    @Test
    void rendersJinjaStyleSyntaxWithoutEscaping() {
        String out = Templates.render(
                "{{ tone }} <{{ q.text }}> {% if ctx %}ctx{% endif %}{{ labels | join(\", \") }}",
                Map.of("tone", "warm & dry", "q", Map.of("text", "hi"), "ctx", "", "labels", List.of("a", "b")));
        assertThat(out).isEqualTo("warm & dry <hi> a, b");
    }

    @Test
    void anUnknownPlaceholderFails() {
        assertThatThrownBy(() -> Templates.render("Write about {{ topik }}", Map.of("topic", "x")))
                .isInstanceOf(Templates.TemplateException.class)
                .hasMessageContaining("topik");
    }

    @Test
    void anUnknownFieldOfAnEarlierStepFails() {
        assertThatThrownBy(() -> Templates.render("{{ q.answr }}", Map.of("q", Map.of("answer", "x"))))
                .isInstanceOf(Templates.TemplateException.class);
    }
}
