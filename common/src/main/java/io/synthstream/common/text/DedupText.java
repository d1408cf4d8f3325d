package io.synthstream.common.text;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.common.task.TaskKinds;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The text of a sample that the heuristics and dedup look at: the values of its dedup fields (see
 * {@link TaskKinds#dedupFields}) joined by newlines, missing fields skipped.
 */
public final class DedupText {
    private DedupText() {}

    public static String of(Sample sample, GenerationRequest spec) {
        return TaskKinds.dedupFields(spec).stream()
                .map(sample.getFields()::get)
                .filter(Objects::nonNull)
                .collect(Collectors.joining("\n"));
    }
}
