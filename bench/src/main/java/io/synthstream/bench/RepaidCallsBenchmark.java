package io.synthstream.bench;

import io.synthstream.avro.DeadLetter;
import io.synthstream.avro.Sample;
import io.synthstream.common.config.SynthConfig;
import io.synthstream.common.streams.SynthSerdes;
import io.synthstream.common.topics.TopicAdmin;
import io.synthstream.common.topics.Topics;
import io.synthstream.generator.app.GeneratorApp;
import io.synthstream.local.EmbeddedPlatform;
import io.synthstream.local.FakeOpenAiServer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;

/**
 * Item 1 of spend control (docs/spend.md, "No paid reply lost"): what five {@code kill -9}s of a
 * generator cost in calls paid again, with replies kept ({@code llm.responses.keep=true}, the
 * default) and, side by side in one run, without ({@code false}: the baseline).
 *
 * <p>The generator is a JVM of its own, configured by environment only, killed with {@code SIGKILL}
 * and restarted on its state directory as a supervisor would, against the OpenAI-compatible fake
 * server over HTTP. The server bills a call when it sends a 200 and tells calls apart by their
 * {@code Idempotency-Key}. Per kill at {@code T} ({@link FakeOpenAiServer.Repaid}): the calls in
 * flight (at the server, no reply billed) at {@code T}; the replies billed after {@code T} (until the
 * next kill) for calls sent before it; and of those, the calls whose reply had been billed before
 * {@code T}: paid twice. The figure is paid after ÷ in flight, summed over the kills: 1.0 means
 * only the calls whose replies never arrived were paid again.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.synthstream.bench.RepaidCallsBenchmark
 * [samples] [kills] [seconds between kills]} (defaults 1000, 5, 3). Without a curator and an
 * evaluator no ledger comes back, so the planner stops at its first window of 1024 samples: keep
 * {@code samples} below it.
 */
public final class RepaidCallsBenchmark {
    private static final Duration APP_START = Duration.ofMinutes(3);
    private static final Duration FINISH = Duration.ofMinutes(10);

    private RepaidCallsBenchmark() {}

    /** One mode's run: the cost of each kill. */
    record Run(boolean keep, List<FakeOpenAiServer.Repaid> kills, long calls, double seconds) {
        FakeOpenAiServer.Repaid total() {
            return kills.stream().reduce(new FakeOpenAiServer.Repaid(0, 0, 0), FakeOpenAiServer.Repaid::plus);
        }
    }

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int kills = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int every = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        PrintStream out = System.out;
        Path dir = Files.createTempDirectory("synth-repaid-");
        out.printf(
                Locale.ROOT,
                "FAKE SERVER (HTTP, lognormal latency median 400 ms): %d samples, %d kill -9s every %d s, one"
                        + " generator JVM, 16 calls in flight; logs in %s%n",
                samples,
                kills,
                every,
                dir);
        List<Run> runs = new ArrayList<>();
        for (boolean keep : List.of(false, true)) { // a platform each: a generator reads every request on it
            try (EmbeddedPlatform platform = EmbeddedPlatform.ephemeral()) {
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", platform.bootstrapServers()))) {
                    TopicAdmin.ensureTopics(admin, Topics.ALL, 3, Optional.empty());
                }
                runs.add(run(platform, dir, keep, samples, kills, every, out));
            }
        }
        out.println();
        out.println("mode                  in flight  paid after  paid twice  paid after / in flight  calls");
        for (Run run : runs) {
            FakeOpenAiServer.Repaid t = run.total();
            out.printf(
                    Locale.ROOT,
                    "%-20s %10d %11d %11d %23.3f %6d%n",
                    run.keep() ? "replies kept" : "baseline (not kept)",
                    t.inFlight(),
                    t.paidAgain(),
                    t.paidTwice(),
                    t.ratio(),
                    run.calls());
        }
        FakeOpenAiServer.Repaid kept = runs.get(1).total();
        FakeOpenAiServer.Repaid baseline = runs.get(0).total();
        out.printf(
                Locale.ROOT,
                "kept / baseline: paid twice %d vs %d; ratio %.3f vs %.3f (goal <= 1.05)%n",
                kept.paidTwice(),
                baseline.paidTwice(),
                kept.ratio(),
                baseline.ratio());
    }

    private static Run run(
            EmbeddedPlatform platform, Path dir, boolean keep, int samples, int kills, int every, PrintStream out)
            throws Exception {
        String mode = keep ? "kept" : "baseline";
        String id = "repaid-" + mode + "-" + Long.toHexString(System.nanoTime());
        try (FakeOpenAiServer server = FakeOpenAiServer.start(
                FakeOpenAiServer.Settings.instant().withLatency(Duration.ofMillis(400), 0.5), 0)) {
            Map<String, String> env = Map.ofEntries(
                    Map.entry("SYNTH_BOOTSTRAP_SERVERS", platform.bootstrapServers()),
                    Map.entry("SYNTH_SCHEMA_REGISTRY_URL", platform.registryUrl()),
                    Map.entry("SYNTH_APPLICATION_ID", "bench-repaid-" + mode),
                    Map.entry("SYNTH_TOPIC_PARTITIONS", "3"),
                    Map.entry("SYNTH_LLM_BASE_URL", server.baseUrl()),
                    Map.entry("SYNTH_LLM_API_KEY", "sk-bench"),
                    Map.entry("SYNTH_LLM_MODEL", "gpt-4o-mini"),
                    Map.entry("SYNTH_LLM_MAX_IN_FLIGHT", "16"),
                    Map.entry("SYNTH_LLM_RESPONSES_KEEP", String.valueOf(keep)));
            long start = System.nanoTime();
            List<Long> killedAt = new ArrayList<>();
            try (AppProcess generator = new AppProcess("generator-" + mode, GeneratorApp.class, env, dir)) {
                generator.start();
                generator.awaitRunning(APP_START);
                SentimentRequest.submit(platform.bootstrapServers(), id, request(id, samples));
                for (int k = 0; k < kills; k++) {
                    Thread.sleep(Duration.ofSeconds(every).toMillis());
                    killedAt.add(System.currentTimeMillis());
                    generator.kill();
                    out.printf(Locale.ROOT, "%s: kill -9 #%d at %d outcomes%n", mode, k + 1, outcomes(platform, id));
                    generator.start();
                    generator.awaitRunning(APP_START);
                }
                long deadline = System.nanoTime() + FINISH.toNanos();
                int done;
                while ((done = outcomes(platform, id)) < samples && System.nanoTime() < deadline) {
                    Thread.sleep(2_000);
                }
                if (done < samples) {
                    throw new IllegalStateException(mode + ": " + done + " of " + samples + " outcomes after " + FINISH
                            + "; log " + generator.log());
                }
            }
            List<FakeOpenAiServer.KeyedCall> calls = server.keyedCalls();
            List<FakeOpenAiServer.Repaid> perKill = new ArrayList<>();
            for (int k = 0; k < killedAt.size(); k++) {
                long until = k + 1 < killedAt.size() ? killedAt.get(k + 1) : Long.MAX_VALUE;
                FakeOpenAiServer.Repaid r = FakeOpenAiServer.Repaid.at(calls, killedAt.get(k), until);
                perKill.add(r);
                out.printf(
                        Locale.ROOT,
                        "%s: kill #%d: %d in flight, %d paid after, %d paid twice%n",
                        mode,
                        k + 1,
                        r.inFlight(),
                        r.paidAgain(),
                        r.paidTwice());
            }
            return new Run(keep, perKill, server.completionsAnswered(), (System.nanoTime() - start) / 1e9);
        }
    }

    private static String request(String id, int count) {
        return """
                {"request_id": "%s", "dataset": "%s",
                 "task": {"kind": "classification", "description": "product reviews",
                          "labels": ["positive", "negative", "neutral"]},
                 "count": %d,
                 "attributes": [{"name": "product", "values": [{"value": "phone"}, {"value": "laptop"}]}],
                 "seed": 3}
                """.formatted(id, id, count);
    }

    /** Distinct samples of the request on synth.samples.raw and synth.dlq, read committed. */
    private static int outcomes(EmbeddedPlatform platform, String id) {
        Set<String> seen = new HashSet<>();
        Map<String, Object> props = Map.of(
                SynthConfig.BOOTSTRAP_SERVERS.key(), platform.bootstrapServers(),
                SynthConfig.SCHEMA_REGISTRY_URL.key(), platform.registryUrl(),
                SynthConfig.APPLICATION_ID.key(), "bench-repaid-reader");
        try (SynthSerdes serdes = SynthSerdes.from(new SynthConfig(SynthConfig.baseDefinition(), props))) {
            TopicReads.read(platform.bootstrapServers(), serdes, Topics.SAMPLES_RAW, (Sample s) -> {
                if (s != null && s.getRequestId().equals(id)) {
                    seen.add(s.getSampleId());
                }
            });
            TopicReads.read(platform.bootstrapServers(), serdes, Topics.DLQ, (DeadLetter d) -> {
                if (d != null && id.equals(d.getRequestId()) && d.getSampleId() != null) {
                    seen.add(d.getSampleId());
                }
            });
        }
        return seen.size();
    }
}
