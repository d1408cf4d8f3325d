package io.synthstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code synth} command in-process: {@code demo} end to end on the bundled examples, and the
 * mistakes a user makes (a bad spec, an unreachable broker, an unknown dataset) ending in one
 * clear line and a non-zero exit.
 */
class SynthCommandsIT {
    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SynthCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void demoRunsTheBundledExamplesExportsThemAndPrintsTheirReports() throws Exception {
        Run demo = run(
                "demo",
                "--data-dir",
                dir.resolve("data").toString(),
                "--out",
                dir.resolve("out").toString());

        assertThat(demo.exit()).as(demo.out() + demo.err()).isZero();
        assertThat(demo.out())
                .contains("LLM provider      SIMULATOR")
                .contains("complete")
                .contains("Dataset product-reviews")
                .contains("Dataset coding-instructions")
                .contains("faithfulness (judge, 1-5)")
                .contains("Vendi")
                .contains("These samples come from the built-in SIMULATOR");
        List<String> lines = Files.readAllLines(dir.resolve("out").resolve("product-reviews.jsonl"));
        assertThat(lines).hasSizeGreaterThan(250); // 300 requested, a few rejected
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.path("fields").path("text").asText()).isNotBlank();
        assertThat(first.path("attributes").has("product")).isTrue();
        assertThat(first.path("scores").path("faithfulness_status").asText()).isIn("judged", "unjudged");
        assertThat(first.path("provenance").path("simulated").asBoolean()).isTrue();
        assertThat(lines.stream().map(l -> l.substring(0, l.indexOf(',')))).doesNotHaveDuplicates();
        assertThat(Files.readAllLines(dir.resolve("out").resolve("coding-instructions.jsonl")))
                .hasSizeGreaterThan(800);
        // The weighted example asks for 2:1 beginner tasks and a coverage target per cell: steering
        // moves what is planned after its first update towards the under-covered intermediate tasks.
        java.util.regex.Matcher steered = java.util.regex.Pattern.compile(
                        "share of difficulty \\(own -> steered\\)\\s+beginner ([0-9.]+) -> ([0-9.]+),"
                                + " intermediate ([0-9.]+) -> ([0-9.]+)")
                .matcher(demo.out());
        assertThat(steered.find()).as(demo.out()).isTrue();
        assertThat(Double.parseDouble(steered.group(4)))
                .as("intermediate share under steering")
                .isGreaterThan(Double.parseDouble(steered.group(3)) + 0.1);
        assertThat(demo.out()).containsPattern("[0-9]+ of [0-9]+ accepted samples planned under steering");
    }

    @Test
    void submitReportsSyntaxErrorsWithTheirLineAndSchemaErrorsWithTheirPath() throws Exception {
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "request_id: r-1\ndataset: [unclosed\ncount: 3\n");
        Path wrongType = Files.writeString(
                dir.resolve("wrong.json"),
                "{\"request_id\": \"r-1\", \"dataset\": \"d\", \"task\": {\"kind\": \"qa\"}, \"count\": \"many\","
                        + " \"model\": {}}");
        Path invalid = Files.writeString(
                dir.resolve("invalid.json"),
                "{\"request_id\": \"r-1\", \"dataset\": \"d\", \"task\": {\"kind\": \"classification\"}, \"count\": 0,"
                        + " \"model\": {}}");

        Run syntax = run("submit", "--dry-run", broken.toString());
        Run type = run("submit", "--dry-run", wrongType.toString());
        Run semantic = run("submit", "--dry-run", invalid.toString());
        Run ok =
                run("submit", "--dry-run", Path.of("../examples/sentiment.json").toString());

        assertThat(syntax.exit()).isNotZero();
        assertThat(syntax.err()).contains("broken.yaml:").containsPattern("broken.yaml:\\d+:\\d+");
        assertThat(type.exit()).isNotZero();
        assertThat(type.err()).contains("count");
        assertThat(semantic.exit()).isNotZero();
        assertThat(semantic.err())
                .contains("count must be at least 1")
                .contains("task.labels is required for classification");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("is valid").contains("300 samples");
        assertThat(syntax.err() + type.err() + semantic.err()).doesNotContain("\tat ");
    }

    @Test
    void clientCommandsFailWithOneLineWhenTheBrokerIsUnreachable() {
        Run watch = run("watch", "r-1", "--bootstrap-servers", "127.0.0.1:1", "--timeout", "PT5S");
        Run report = run("report", "d", "-b", "127.0.0.1:1");

        assertThat(watch.exit()).isNotZero();
        assertThat(watch.err()).contains("unreachable").doesNotContain("\tat ");
        assertThat(report.exit()).isNotZero();
        assertThat(report.err()).contains("unreachable");
    }

    @Test
    void upKeepsTopicsAndUnfinishedWorkAcrossARestart() throws Exception {
        Path data = dir.resolve("up");
        // A slow simulator, so that the request is still running when the platform stops.
        Map<String, String> env = Map.of(
                "SYNTH_LLM_SIM_LATENCY_MEDIAN_MS",
                "300",
                "SYNTH_LLM_MAX_IN_FLIGHT",
                "8",
                "SYNTH_GENERATOR_PLAN_BATCH_SIZE",
                "10");
        GenerationRequest request = SpecFiles.load(Path.of("../examples/sentiment.json"));
        request.setRequestId("restart-1");
        request.setCount(200);
        long before;
        try (LocalPlatform first = LocalPlatform.start(data, LocalPlatform.Ports.FREE, 3, env)) {
            SubmitCommand.publish(first.cluster(), request);
            RequestStatus partial = waitFor(first.cluster(), s -> s.getCurated() + s.getRejected() >= 20);
            before = partial.getCurated() + partial.getRejected() + partial.getFailed();
            assertThat(partial.getComplete()).isFalse();
        }

        try (LocalPlatform second = LocalPlatform.start(data, LocalPlatform.Ports.FREE, 3, env)) {
            RequestStatus done = waitFor(second.cluster(), RequestStatus::getComplete);
            // The example targets 200 accepted samples: exactly 200 on synth.dataset, the ledger balanced.
            assertThat(done.getAccepted()).isEqualTo(200);
            assertThat(io.synthstream.evaluator.logic.Ledger.accounted(done))
                    .isEqualTo(done.getPlanned())
                    .isGreaterThan(before);
            Path export = dir.resolve("restart.jsonl");
            long exported = ExportCommand.export(second.cluster(), request.getDataset(), Set.of("restart-1"), export);
            assertThat(exported)
                    .as("every accepted sample on synth.dataset once, across the restart")
                    .isEqualTo(done.getAccepted());

            // The dataset's accumulators were folded before and after the restart: nothing twice, nothing skipped.
            long reported = -1;
            long reportDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (reported != done.getCurated() && System.nanoTime() < reportDeadline) {
                reported = ReportCommand.latest(second.cluster(), request.getDataset())
                        .map(r -> r.getCumulative().getSamples())
                        .orElse(-1L);
                Thread.sleep(500);
            }
            assertThat(reported).as("samples in the cumulative report").isEqualTo(done.getCurated());

            Run unknown = run("report", "no-such-dataset", "-b", second.bootstrapServers(), "-r", second.registryUrl());
            assertThat(unknown.exit()).isNotZero();
            assertThat(unknown.err()).contains("No report for dataset 'no-such-dataset'");
        }
    }

    /** The first ledger record of restart-1 that satisfies {@code done}. */
    private static RequestStatus waitFor(ClusterOptions cluster, java.util.function.Predicate<RequestStatus> done) {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        java.util.concurrent.atomic.AtomicReference<RequestStatus> found =
                new java.util.concurrent.atomic.AtomicReference<>();
        try (TopicTail<RequestStatus> tail = new TopicTail<>(
                cluster,
                io.synthstream.common.topics.Topics.REQUEST_STATUS.name(),
                cluster.serdes()
                        .value(io.synthstream.common.topics.Topics.REQUEST_STATUS)
                        .deserializer())) {
            while (found.get() == null && System.nanoTime() < deadline) {
                tail.poll(Duration.ofMillis(200), r -> {
                    if (found.get() == null && r.key().equals("restart-1") && done.test(r.value())) {
                        found.set(r.value());
                    }
                });
            }
        }
        assertThat(found.get()).as("a ledger record of restart-1 in time").isNotNull();
        return found.get();
    }
}
