package io.synthstream.common.text;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.common.task.Messages;
import io.synthstream.common.task.TaskKinds;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The text of a sample that the heuristics and dedup look at: the values of its dedup fields (see
 * {@link TaskKinds#dedupFields}) joined by newlines, missing fields skipped; a conversation's
 * turns one per line.
 */
public final class DedupText {
    private DedupText() {}

    public static String of(Sample sample, GenerationRequest spec) {
        return TaskKinds.dedupFields(spec).stream()
                .map(name -> text(sample.getFields().get(name), TaskKinds.typeOf(spec, name)))
                .filter(Objects::nonNull)
                .collect(Collectors.joining("\n"));
    }

    /**
     * A field's text: a conversation ({@link TaskKinds#MESSAGES}) is its user and assistant turns
     * (the system prompt, the same in every sample of a request, would make them all alike).
     */
    private static String text(String value, String type) {
        return value != null && TaskKinds.MESSAGES.equals(type) ? Messages.dialogue(value) : value;
    }
}
