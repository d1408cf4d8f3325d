package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.IndirectEvaluation;
import io.synthstream.avro.RequestStatus;
import io.synthstream.avro.TrainedModelScore;
import io.synthstream.cli.indirect.RealCorpus;
import io.synthstream.cli.indirect.SpamAssassinCorpus;
import io.synthstream.common.topics.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code synth evaluate} end to end: the spam-or-ham example generated on the embedded platform
 * (simulator), its accepted samples read from synth.dataset, classifiers trained on them and on
 * real mail (the SpamAssassin corpus), tested on real mail; the result printed, published to
 * synth.evaluations and shown by {@code synth report}.
 */
class EvaluateCommandIT {
    @TempDir
    Path dir;

    private static String[] args(ClusterOptions cluster, String... rest) {
        String[] all = new String[rest.length + 4];
        all[0] = "-b";
        all[1] = cluster.bootstrapServers;
        all[2] = "-r";
        all[3] = cluster.schemaRegistryUrl;
        System.arraycopy(rest, 0, all, 4, rest.length);
        return all;
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(Object command, String[] args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = new CommandLine(command)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void aGeneratedDatasetIsTrainedOnAndTestedOnRealMailAndTheResultReachesTheReport() throws Exception {
        Map<String, List<SpamAssassinCorpus.Message>> real = SpamAssassinCorpus.split(RealCorpus.messages(), 0.3, 42);
        Path test = dir.resolve("real-test.jsonl");
        Path train = dir.resolve("real-train.jsonl");
        SpamAssassinCorpus.writeJsonl(real.get("test").subList(0, 200), test);
        SpamAssassinCorpus.writeJsonl(real.get("train").subList(0, 200), train);

        try (LocalPlatform platform = LocalPlatform.start(dir.resolve("data"), LocalPlatform.Ports.FREE, 3, Map.of())) {
            ClusterOptions cluster = platform.cluster();
            GenerationRequest request = SpecFiles.load(Path.of("../examples/spam-or-ham.json"));
            request.setCount(40);
            SubmitCommand.publish(cluster, request);
            // A second version of the dataset, for synth compare.
            GenerationRequest other = SpecFiles.load(Path.of("../examples/spam-or-ham.json"));
            other.setRequestId("spam-or-ham-b-1");
            other.setDataset("spam-or-ham-b");
            other.setCount(30);
            other.setSeed(7L);
            SubmitCommand.publish(cluster, other);
            RequestStatus done = PipelineReads.completed(cluster, request.getRequestId(), Duration.ofMinutes(3));
            PipelineReads.first(cluster, Topics.REPORTS, "spam-or-ham", r -> r.getAccepted() == done.getAccepted());

            Run evaluate = run(
                    new EvaluateCommand(),
                    args(
                            cluster,
                            "spam-or-ham",
                            "--real-test",
                            test.toString(),
                            "--real-train",
                            train.toString(),
                            "--curve",
                            "0.5,1",
                            // The hook for any benchmark: here, one that scores an export by its line count.
                            "--benchmark",
                            "echo counting; wc -l < \"$SYNTH_EXPORT\"",
                            "--benchmark-name",
                            "lines"));

            assertThat(evaluate.exit()).as(evaluate.out() + evaluate.err()).isZero();
            assertThat(evaluate.out())
                    .contains("Indirect evaluation of spam-or-ham")
                    .contains("trained on " + done.getAccepted() + " synthetic samples")
                    .contains("tested on 200 real texts")
                    .containsPattern("synthetic\\s+tfidf\\s+" + done.getAccepted() + " ")
                    .containsPattern("real\\s+tfidf\\s+200 ")
                    .containsPattern("synthetic\\s+embeddings\\s+" + done.getAccepted() + " ")
                    .contains("gap to real data (tfidf): macro-F1 ")
                    .contains("confusion matrix (rows: real label, columns: predicted), tfidf")
                    .contains("learning curve")
                    .contains("published to synth.evaluations");
            assertThat(evaluate.err()).contains("synth evaluate: tfidf: training on " + done.getAccepted());

            IndirectEvaluation published = PipelineReads.first(cluster, Topics.EVALUATIONS, "spam-or-ham", e -> true);
            assertThat(published.getLabels()).containsExactly("spam", "ham");
            assertThat(published.getRealTest()).isEqualTo("real-test.jsonl");
            assertThat(published.getRealTestSize()).isEqualTo(200);
            assertThat(published.getRealTrainSize()).isEqualTo(200);
            assertThat(published.getSyntheticSize()).isEqualTo((int) done.getAccepted());
            assertThat(published.getScores())
                    .extracting(s -> s.getTrainedOn() + "/" + s.getFeatures())
                    .contains("synthetic/tfidf", "real/tfidf", "synthetic/embeddings", "real/embeddings");
            // Trained on real mail, the classifier is a real baseline; the simulator's text is not mail.
            TrainedModelScore realTfidf = published.getScores().stream()
                    .filter(s ->
                            s.getTrainedOn().equals("real") && s.getFeatures().equals("tfidf"))
                    .findFirst()
                    .orElseThrow();
            assertThat(realTfidf.getMacroF1()).isGreaterThan(0.8);
            assertThat(published.getLearningCurve()).hasSize(4);
            assertThat(published.getBenchmark().getName()).isEqualTo("lines");
            assertThat(published.getBenchmark().getScore()).isEqualTo((double) done.getAccepted());

            Run report = run(new ReportCommand(), args(cluster, "spam-or-ham"));
            assertThat(report.exit()).as(report.out() + report.err()).isZero();
            assertThat(report.out())
                    .contains("indirect evaluation")
                    .contains("tested on 200 real texts (real-test.jsonl)")
                    .containsPattern("benchmark lines\\s+" + done.getAccepted() + "\\.0 \\(")
                    .containsPattern("trained on real \\(tfidf\\)\\s+200 examples: accuracy [0-9.]+, macro-F1 [0-9.]+");

            // synth compare: both versions side by side, then trained on each and tested on the same real mail.
            RequestStatus doneB = PipelineReads.completed(cluster, "spam-or-ham-b-1", Duration.ofMinutes(3));
            PipelineReads.first(cluster, Topics.REPORTS, "spam-or-ham-b", r -> r.getAccepted() == doneB.getAccepted());
            Run compare = run(
                    new CompareCommand(),
                    args(cluster, "spam-or-ham", "spam-or-ham-b", "--real-test", test.toString()));
            assertThat(compare.exit()).as(compare.out() + compare.err()).isZero();
            assertThat(compare.out())
                    .containsPattern("accepted samples\\s+" + done.getAccepted() + "\\s+" + doneB.getAccepted() + "\\s+"
                            + String.format("%+d", doneB.getAccepted() - done.getAccepted()))
                    .contains("yield (accepted / planned)")
                    .contains("Vendi score")
                    .contains("coverage entropy of topic (bits)")
                    .contains("trained on each, tested on 200 real texts (real-test.jsonl)")
                    .containsPattern("macro-F1 \\(tfidf\\)\\s+[0-9.]+\\s+[0-9.]+")
                    .containsPattern("better \\(tfidf\\): (spam-or-ham|spam-or-ham-b|neither) \\(macro-F1");
            // Two versions of a request: each request's own ledger and samples.
            Run byRequest = run(
                    new CompareCommand(),
                    args(
                            cluster,
                            "--by-request",
                            request.getRequestId(),
                            "spam-or-ham-b-1",
                            "--real-test",
                            test.toString()));
            assertThat(byRequest.exit()).as(byRequest.out() + byRequest.err()).isZero();
            assertThat(byRequest.out())
                    .containsPattern("dataset\\s+spam-or-ham\\s+spam-or-ham-b")
                    .containsPattern("accepted samples\\s+" + done.getAccepted() + "\\s+" + doneB.getAccepted())
                    .contains("diversity and faithfulness are measured per dataset")
                    .containsPattern("macro-F1 \\(tfidf\\)\\s+[0-9.]+\\s+[0-9.]+");
            assertThat(run(new CompareCommand(), args(cluster, "spam-or-ham", "nope"))
                            .err())
                    .contains("No report for nope in synth.reports");

            // Decontamination: ten of B's accepted mails registered as the real test set of a dataset C.
            // Every curator instance takes them in (its checks of C's samples say "decontamination"); a
            // sample of C repeating one is rejected as CONTAMINATED naming it (the simulator's mails
            // for another request differ, so whether any does is not fixed: CuratorTopologyTest
            // proves the rejection itself).
            List<com.fasterxml.jackson.databind.node.ObjectNode> rowsB =
                    ExportCommand.rows(cluster, "spam-or-ham-b", List.of());
            Path leaked = dir.resolve("leaked.jsonl");
            StringBuilder lines = new StringBuilder();
            java.util.Set<String> leakedIds = new java.util.TreeSet<>();
            for (var row : rowsB.subList(0, 10)) {
                var line = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
                line.put("id", row.path("sample_id").asText());
                line.put("text", row.path("fields").path("text").asText());
                lines.append(line).append('\n');
                leakedIds.add(row.path("sample_id").asText());
            }
            java.nio.file.Files.writeString(leaked, lines.toString());
            Run register = run(
                    new DecontaminateCommand(),
                    args(cluster, "spam-or-ham-c", "--test", leaked.toString(), "--id-field", "id"));
            assertThat(register.exit()).as(register.out() + register.err()).isZero();
            assertThat(register.out()).contains("registered 10 test records of leaked.jsonl for dataset spam-or-ham-c");
            Thread.sleep(2000); // the curators' global thread takes the records in before C's samples arrive
            GenerationRequest third = SpecFiles.load(Path.of("../examples/spam-or-ham.json"));
            third.setRequestId("spam-or-ham-c-1");
            third.setDataset("spam-or-ham-c");
            third.setCount(30);
            third.setSeed(7L);
            SubmitCommand.publish(cluster, third);
            RequestStatus doneC = PipelineReads.completed(cluster, "spam-or-ham-c-1", Duration.ofMinutes(3));
            List<io.synthstream.avro.Sample> curatedC = PipelineReads.readAll(cluster, Topics.SAMPLES_CURATED).stream()
                    .map(r -> r.value())
                    .filter(v -> v.getRequestId().equals("spam-or-ham-c-1"))
                    .toList();
            assertThat(curatedC)
                    .isNotEmpty()
                    .allSatisfy(
                            v -> assertThat(v.getCuration().getChecksPassed()).contains("decontamination"));
            List<io.synthstream.avro.Rejection> contaminated =
                    PipelineReads.readAll(cluster, Topics.SAMPLES_REJECTED).stream()
                            .map(r -> r.value())
                            .filter(r -> r.getRequestId().equals("spam-or-ham-c-1")
                                    && r.getReason() == io.synthstream.avro.RejectionReason.CONTAMINATED)
                            .toList();
            assertThat(contaminated)
                    .hasSize((int) (long) doneC.getRejectedByReason().getOrDefault("CONTAMINATED", 0L));
            assertThat(contaminated)
                    .allSatisfy(r -> assertThat(leakedIds)
                            .anySatisfy(id ->
                                    assertThat(r.getDetail()).endsWith("occur in test record " + id + " > 0.50")));
            Run unregister = run(new DecontaminateCommand(), args(cluster, "spam-or-ham-c", "--remove"));
            assertThat(unregister.out()).contains("unregistered 10 test records of spam-or-ham-c");

            // A real test set whose labels are not the task's is one clear error, and nothing is published.
            Path foreign = dir.resolve("foreign.jsonl");
            java.nio.file.Files.writeString(
                    foreign, "{\"text\": \"a\", \"label\": \"spam\"}\n{\"text\": \"b\", \"label\": \"phishing\"}\n");
            CommandLine cli = SynthCli.commandLine();
            StringWriter err = new StringWriter();
            cli.setErr(new PrintWriter(err, true));
            cli.setOut(new PrintWriter(new StringWriter(), true));
            List<String> foreignArgs = new java.util.ArrayList<>(List.of("evaluate"));
            foreignArgs.addAll(
                    List.of(args(cluster, "spam-or-ham", "--real-test", foreign.toString(), "--features", "tfidf")));
            int exit = cli.execute(foreignArgs.toArray(String[]::new));
            assertThat(exit).isEqualTo(1);
            assertThat(err.toString()).doesNotContain("Exception");
            Run failing = run(
                    new EvaluateCommand(),
                    args(cluster, "spam-or-ham", "--benchmark", "echo no score here; exit 3", "--no-publish"));
            assertThat(failing.exit()).isEqualTo(1);
            assertThat(failing.err()).contains("the benchmark exited with 3; its last output: no score here");
            assertThat(err.toString())
                    .contains("synth: the real test set (foreign.jsonl) has labels that are not the task's [spam, ham]:"
                            + " [phishing]");
        }
    }
}
