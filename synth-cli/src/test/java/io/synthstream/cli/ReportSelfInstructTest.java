package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.Sample;
import io.synthstream.avro.SelfInstructDecision;
import io.synthstream.schemas.TestRecords;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code synth report} prints a Self-Instruct request's rounds from its samples' decisions. */
class ReportSelfInstructTest {
    private static Sample sample(
            String requestId, long round, int position, boolean joined, String filtered, int pool) {
        Sample s = TestRecords.sample(requestId + "-" + round + "-" + position);
        s.setRequestId(requestId);
        s.getTrace()
                .setSelfInstruct(SelfInstructDecision.newBuilder()
                        .setRound(round)
                        .setCandidate(position)
                        .setInstruction("instruction " + round + "." + position)
                        .setJoined(joined)
                        .setFiltered(filtered)
                        .setPoolSize(pool)
                        .build());
        return s;
    }

    @Test
    void eachRoundShowsWhatJoinedWhatWasFilteredAndThePoolAfterIt() {
        GenerationRequest spec = SpecFiles.read(Path.of("../examples/self-instruct.json"));
        String id = spec.getRequestId();
        List<Sample> samples = new ArrayList<>(List.of(
                sample(id, 0, 0, true, null, 0),
                sample(id, 0, 1, false, "not_novel: ROUGE-L 0.81 against x", 1),
                sample(id, 0, 2, true, null, 1),
                sample(id, 0, 3, false, "missing: the reply listed 3 of 4 instructions", 2),
                sample(id, 1, 1, false, "excluded_word: names 'map'", 3),
                sample(id, 1, 0, true, null, 2),
                sample("another-request", 1, 0, true, null, 9)));
        samples.add(samples.get(0)); // read twice (a topic read again): counted once
        StringWriter out = new StringWriter();
        ReportCommand.selfInstruct(new PrintWriter(out, true), List.of(spec), samples, spec.getDataset());
        assertThat(out.toString())
                .contains("self-instruct " + id)
                .contains("2 of 25 rounds decided, 6 instructions: 3 joined the pool, 1 not novel (ROUGE-L >= 0.70),"
                        + " 1 by the heuristics")
                .containsPattern("\\n\\s+0\\s+4\\s+2\\s+0\\s+1\\s+0\\s+1\\s+2\\s+50\\.0%")
                .containsPattern("\\n\\s+1\\s+2\\s+1\\s+0\\s+0\\s+1\\s+0\\s+3\\s+50\\.0%");

        StringWriter other = new StringWriter();
        ReportCommand.selfInstruct(new PrintWriter(other, true), List.of(spec), samples, "another-dataset");
        assertThat(other.toString()).isEmpty();
    }
}
