package io.synthstream.generator.logic;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.loader.StringLoader;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Prompt templates with <a href="https://pebbletemplates.io">Pebble</a>, a maintained Java engine
 * with Jinja/Twig syntax: {@code {{ tone }}}, {@code {{ question.question }}}, {@code {% if context
 * %}...{% endif %}}, {@code {% for x in labels %}...{% endfor %}}, filters such as {@code {{ labels |
 * join(", ") }}} and {@code {{ text | upper }}}. Variables are strict: a placeholder that names
 * nothing fails, which is how requests with a typo are rejected before any call. No HTML
 * escaping. Compiled templates are cached by their text.
 */
public final class Templates {
    private static final PebbleEngine ENGINE = new PebbleEngine.Builder()
            .loader(new StringLoader())
            .strictVariables(true)
            .autoEscaping(false)
            .newLineTrimming(false)
            .build();

    private Templates() {}

    /** Thrown for a template that does not parse or names an unknown variable. */
    public static final class TemplateException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        TemplateException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Renders {@code template} with {@code variables}. */
    public static String render(String template, Map<String, Object> variables) {
        try {
            PebbleTemplate compiled = ENGINE.getTemplate(template);
            StringWriter out = new StringWriter();
            compiled.evaluate(out, variables);
            return out.toString();
        } catch (PebbleException e) {
            throw new TemplateException(describe(e), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new TemplateException(e.getMessage(), e);
        }
    }

    private static String describe(PebbleException e) {
        String message = e.getPebbleMessage() == null ? e.getMessage() : e.getPebbleMessage();
        return e.getLineNumber() == null ? message : message + " (line " + e.getLineNumber() + ")";
    }
}
