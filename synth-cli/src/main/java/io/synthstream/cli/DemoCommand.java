package io.synthstream.cli;

import io.synthstream.avro.DatasetReport;
import io.synthstream.avro.GenerationRequest;
import io.synthstream.avro.RequestStatus;
import io.synthstream.common.quality.QualityPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code synth demo}: the whole pipeline in this process on the bundled example requests. Starts
 * the platform on a fresh data directory, submits the examples, shows a progress bar per request
 * from the ledger, exports each dataset to JSONL, prints the dataset reports, and exits 0.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Run the pipeline on the example requests, export the datasets and print their reports.")
final class DemoCommand implements java.util.concurrent.Callable<Integer> {
    /** The bundled examples, in the jar under /examples. */
    static final List<String> BUNDLED = List.of("sentiment.json", "instruction-evolve.json");

    @Spec
    CommandSpec spec;

    @Option(
            names = "--data-dir",
            defaultValue = ".synth/demo",
            description = "Data directory, emptied at the start (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--out", defaultValue = "out", description = "Where the datasets go (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--examples",
            description = "Directory of request specs to run instead of the bundled examples (*.json, *.yaml).")
    Path examples;

    @Option(
            names = "--timeout",
            defaultValue = "PT15M",
            description = "Give up after this long (ISO-8601 duration, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        List<GenerationRequest> requests = requests();
        deleteRecursively(dataDir);
        w.printf("Starting Kafka, the schema registry and the three apps (data in %s)...%n", dataDir);
        w.flush();
        long started = System.nanoTime();
        try (LocalPlatform platform = LocalPlatform.start(dataDir, LocalPlatform.Ports.FREE, 3, System.getenv());
                DashboardServer dashboard = platform.dashboard(0)) {
            UpCommand.describe(w, platform, dataDir);
            w.printf(
                    "Dashboard         %s%s (while the demo runs)%n",
                    dashboard.url(), dashboard.protectedByToken() ? "#token=<" + DashboardServer.TOKEN_ENV + ">" : "");
            String run = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            Set<String> ids = new LinkedHashSet<>();
            Map<String, Long> datasets = new LinkedHashMap<>();
            for (GenerationRequest request : requests) {
                request.setRequestId(request.getRequestId() + "-" + run);
                SubmitCommand.publish(platform.cluster(), request);
                ids.add(request.getRequestId());
                datasets.merge(request.getDataset(), 0L, Long::sum);
                w.printf(
                        "submitted %s: %d %s samples for dataset %s%n",
                        request.getRequestId(),
                        request.getCount(),
                        request.getTask().getKind(),
                        request.getDataset());
            }
            w.flush();
            Map<String, RequestStatus> done = WatchCommand.watch(
                    platform.cluster(),
                    s -> ids.contains(s.getRequestId()),
                    ids,
                    "demo requests " + ids,
                    timeout,
                    new Progress(w, System.console() != null));
            done.values().forEach(s -> datasets.merge(s.getDataset(), s.getCurated(), Long::sum));
            for (RequestStatus s : done.values()) {
                if (QualityPolicy.TARGETS.get(1).equals(s.getTarget()) && s.getAccepted() != s.getRequested()) {
                    w.printf(
                            "request %s asked for %d accepted samples and got %d (%s)%n",
                            s.getRequestId(),
                            s.getRequested(),
                            s.getAccepted(),
                            s.getNotPlannedReason() == null ? "see its ledger" : s.getNotPlannedReason());
                }
            }
            w.println();
            w.println("Every sample is decided; waiting for the evaluator to score the curated ones...");
            w.flush();
            Map<String, DatasetReport> reports = new LinkedHashMap<>();
            for (Map.Entry<String, Long> dataset : datasets.entrySet()) {
                reports.put(dataset.getKey(), finalReport(platform, dataset.getKey(), dataset.getValue()));
            }
            for (Map.Entry<String, Long> dataset : datasets.entrySet()) {
                Path file = out.resolve(ExportCommand.fileName(dataset.getKey()) + ".jsonl");
                long n = ExportCommand.export(platform.cluster(), dataset.getKey(), ids, file);
                w.printf("wrote %d samples of %s to %s%n", n, dataset.getKey(), file);
            }
            for (DatasetReport report : reports.values()) {
                w.println();
                ReportCommand.print(w, report);
                SteeringEffect.of(ExportCommand.rows(platform.cluster(), report.getDataset(), ids))
                        .print(w);
            }
            w.println();
            ReportCommand.printYield(w, done.values());
            w.println();
            w.printf(
                    "Done in %d s: %d requests, every planned sample accepted, rejected, dead-lettered or surplus"
                            + " (ledgers complete).%n",
                    (System.nanoTime() - started) / 1_000_000_000L, ids.size());
            if ("simulated".equals(platform.provider())) {
                w.println("These samples come from the built-in SIMULATOR, not a language model. Set"
                        + " SYNTH_LLM_BASE_URL (and SYNTH_LLM_API_KEY, SYNTH_LLM_MODEL) to run the same demo on a real"
                        + " model.");
            }
            w.flush();
        }
        return 0;
    }

    /** The dataset's report once it covers every curated sample (reports follow the ledger by a moment). */
    private DatasetReport finalReport(LocalPlatform platform, String dataset, long curated)
            throws InterruptedException {
        // Judging lags the ledger (each curated sample waits for its judge call), so with a real
        // model this can take a while: bounded by the demo's own timeout.
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<DatasetReport> report = Optional.empty();
        while (System.nanoTime() < deadline) {
            report = ReportCommand.latest(platform.cluster(), dataset);
            if (report.isPresent()
                    && report.get().getCurated() >= curated
                    && report.get().getCumulative().getSamples() >= curated) {
                return report.get();
            }
            Thread.sleep(500);
        }
        return report.orElseThrow(() -> new IllegalStateException("No report for dataset " + dataset));
    }

    private List<GenerationRequest> requests() throws IOException {
        List<GenerationRequest> out = new ArrayList<>();
        if (examples != null) {
            try (Stream<Path> files = Files.list(examples)) {
                for (Path f : files.filter(p -> p.toString().matches(".*\\.(json|ya?ml)$"))
                        .sorted()
                        .toList()) {
                    out.add(SpecFiles.load(f));
                }
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("No request specs (*.json, *.yaml) in " + examples);
            }
            return out;
        }
        Path tmp = Files.createTempDirectory("synth-examples");
        try {
            for (String name : BUNDLED) {
                try (InputStream in = DemoCommand.class.getResourceAsStream("/examples/" + name)) {
                    if (in == null) {
                        throw new IllegalStateException("Bundled example " + name + " is missing from the jar");
                    }
                    Path f = tmp.resolve(name);
                    Files.copy(in, f);
                    out.add(SpecFiles.load(f));
                }
            }
        } finally {
            deleteRecursively(tmp);
        }
        return out;
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot empty " + dir, e);
        }
    }
}
