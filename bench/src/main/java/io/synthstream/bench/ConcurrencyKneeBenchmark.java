package io.synthstream.bench;

import io.synthstream.common.llm.LlmLimits;
import io.synthstream.common.llm.LlmRequest;
import io.synthstream.common.llm.LlmRuntime;
import io.synthstream.common.llm.OpenAiProvider;
import io.synthstream.local.FakeOpenAiServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Does the latency-driven concurrency limit find the knee of a server that queues instead of
 * answering 429? Against the fake server's two bounded capacity models ({@code slots:16}: 16
 * service slots and a FIFO queue; {@code sharing:16}: processor sharing that slows every request
 * past 16 in service), fixed before any tuning, with lognormal service times (median 200 ms, sigma
 * 0.3): the unloaded latency (4 in flight, far below either knee), a sweep of fixed concurrency
 * limits (the 429 rule alone, which never acts here), then the latency-driven limit with a ceiling
 * of 256. The client keeps 512 calls outstanding (closed loop), so the limit alone decides the
 * load. Each run warms up for 3 s (the adaptive ones 15 s: the limit moves once per window of
 * calls) and measures 10 s: completions per second, and the p50 of the time a call spent at the
 * server (queueing included). Printed per limit: throughput ÷ the sweep's best, and p50 ÷ unloaded
 * p50 (goals ≥ 0.9 and ≤ 1.5). Last, the 429 case: an unlimited server answering 1 % of calls 429
 * (Retry-After 1 s) and 2 % 503, as the broker-failure soak does, with a ceiling of 64, the 429
 * rule alone and with the latency-driven limit side by side.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.synthstream.bench.ConcurrencyKneeBenchmark
 * [measureSeconds [pairsOf429Runs [429]]]} (defaults 10, 3; {@code 429} runs the 429 case alone).
 */
public final class ConcurrencyKneeBenchmark {
    private static final int OUTSTANDING = 512;
    private static final Duration MEDIAN = Duration.ofMillis(200);
    private static final double SIGMA = 0.3;
    /** Warm-up of a fixed limit; an adaptive one gets longer to converge (it moves once per window). */
    private static final int FIXED_WARMUP = 3;

    private static final int ADAPTIVE_WARMUP = 15;

    private ConcurrencyKneeBenchmark() {}

    /** One run's figures. */
    record Run(String label, double throughput, double p50Millis, int finalLimit, int peakInService) {}

    public static void main(String[] args) throws Exception {
        int measure = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        boolean only429 = args.length > 2 && args[2].equals("429");
        for (String model : only429 ? List.<String>of() : List.of("slots:16", "sharing:16")) {
            FakeOpenAiServer.Settings settings = FakeOpenAiServer.Settings.instant()
                    .withLatency(MEDIAN, SIGMA)
                    .withCapacity(model);
            Run unloaded = run(settings, 4, "none", OUTSTANDING, measure, FIXED_WARMUP, "unloaded");
            System.out.printf(Locale.ROOT, "%n== %s, unloaded p50 %.0f ms ==%n", model, unloaded.p50Millis());
            List<Run> sweep = new ArrayList<>();
            for (int c : new int[] {4, 8, 12, 16, 20, 24, 32, 48, 64, 128}) {
                Run r = run(settings, c, "none", OUTSTANDING, measure, FIXED_WARMUP, "fixed " + c);
                sweep.add(r);
                print(r, null, unloaded);
            }
            Run best = Collections.max(sweep, java.util.Comparator.comparingDouble(Run::throughput));
            System.out.printf(Locale.ROOT, "best fixed: %s, %.1f/s%n", best.label(), best.throughput());
            for (String limit : List.of("vegas")) {
                print(
                        run(settings, 256, limit, OUTSTANDING, measure, ADAPTIVE_WARMUP, limit + " (ceiling 256)"),
                        best,
                        unloaded);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%n== 429 case: unlimited server, 1 %% answered 429 and 2 %% 503 (as the soak), ceiling 64 ==%n");
        FakeOpenAiServer.Settings limited = FakeOpenAiServer.Settings.instant()
                .withLatency(MEDIAN, SIGMA)
                .withRates(Map.of(FakeOpenAiServer.Fault.RATE_LIMITED, 0.01, FakeOpenAiServer.Fault.UNAVAILABLE, 0.02));
        // The 429 rule alone is noisy here (random 429s cut it at random times): pairs of runs
        // alternate, and the ratio is of the sums.
        double rule = 0;
        double vegas = 0;
        for (int i = 0; i < repeats; i++) {
            Run base = run(limited, 64, "none", OUTSTANDING, measure, ADAPTIVE_WARMUP, "429 rule only");
            print(base, null, null);
            Run with = run(limited, 64, "vegas", OUTSTANDING, measure, ADAPTIVE_WARMUP, "429 rule + vegas");
            print(with, null, null);
            rule += base.throughput();
            vegas += with.throughput();
        }
        System.out.printf(
                Locale.ROOT,
                "over %d pairs: 429 rule only %.1f/s, with vegas %.1f/s: ratio %.2f%n",
                repeats,
                rule / repeats,
                vegas / repeats,
                vegas / rule);
    }

    private static void print(Run r, Run best, Run unloaded) {
        System.out.printf(
                Locale.ROOT,
                "%-28s %7.1f/s  p50 %6.0f ms  limit %3d  peak in service %3d%s%s%n",
                r.label(),
                r.throughput(),
                r.p50Millis(),
                r.finalLimit(),
                r.peakInService(),
                best == null
                        ? ""
                        : String.format(Locale.ROOT, "  throughput/best %.2f", r.throughput() / best.throughput()),
                unloaded == null
                        ? ""
                        : String.format(Locale.ROOT, "  p50/unloaded %.2f", r.p50Millis() / unloaded.p50Millis()));
    }

    /** Runs {@code outstanding} calls in a closed loop through a runtime with these limits. */
    static Run run(
            FakeOpenAiServer.Settings settings,
            int ceiling,
            String latencyLimit,
            int outstanding,
            int measureSeconds,
            int warmupSeconds,
            String label)
            throws InterruptedException {
        try (FakeOpenAiServer server = FakeOpenAiServer.start(settings, 0);
                LlmRuntime runtime = new LlmRuntime(
                        new OpenAiProvider(
                                server.baseUrl(),
                                null,
                                "fake-model",
                                Map.of(),
                                LlmRequest.ResponseFormat.JSON_SCHEMA,
                                Duration.ofSeconds(5)),
                        new LlmLimits(
                                ceiling,
                                0,
                                0,
                                10,
                                Duration.ofMillis(100),
                                Duration.ofSeconds(2),
                                Duration.ofSeconds(60),
                                true,
                                25,
                                latencyLimit))) {
            LlmRuntime.Client client = runtime.client("bench");
            LlmRequest request = FakeOpenAiServer.textRequest();
            long next = 0;
            long warmupEnd =
                    System.nanoTime() + Duration.ofSeconds(warmupSeconds).toNanos();
            long end = warmupEnd + Duration.ofSeconds(measureSeconds).toNanos();
            long done = 0;
            boolean measuring = false;
            while (System.nanoTime() < end) {
                while (client.outstanding() < outstanding) {
                    client.submit("c" + next++, request);
                }
                List<LlmRuntime.Completion> finished = client.drain(Integer.MAX_VALUE);
                if (!measuring && System.nanoTime() >= warmupEnd) {
                    measuring = true;
                    server.drainServedMicros();
                } else if (measuring) {
                    done += finished.stream()
                            .filter(LlmRuntime.Completion::succeeded)
                            .count();
                }
                Thread.sleep(2);
            }
            List<Long> served = server.drainServedMicros();
            Collections.sort(served);
            double p50 = served.isEmpty() ? Double.NaN : served.get(served.size() / 2) / 1000.0;
            return new Run(
                    label, done / (double) measureSeconds, p50, runtime.concurrencyLimit(), server.peakInService());
        }
    }
}
