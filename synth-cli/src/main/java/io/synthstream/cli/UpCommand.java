package io.synthstream.cli;

import io.synthstream.common.app.StreamsApp;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code synth up}: broker, registry and the three apps in this process, until Ctrl-C. */
@Command(
        name = "up",
        mixinStandardHelpOptions = true,
        description = "Run Kafka (KRaft), the schema registry and the three apps in one process until Ctrl-C.")
final class UpCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", defaultValue = ".synth", description = "Data directory (default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Broker port (default ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(
            names = "--registry-port",
            defaultValue = "8081",
            description = "Schema registry port (default ${DEFAULT-VALUE}).")
    int registryPort;

    @Option(
            names = "--partitions",
            defaultValue = "3",
            description = "Partitions of new topics (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(
            names = "--app-ports",
            defaultValue = "8091",
            description = "HTTP port (/health, /metrics) of the generator; the curator and the evaluator take the"
                    + " next two; 0 picks free ports (default ${DEFAULT-VALUE}).")
    int appPorts;

    @Option(
            names = "--dashboard-port",
            defaultValue = "8090",
            description = "Port of the live dashboard (default ${DEFAULT-VALUE}).")
    int dashboardPort;

    @Option(
            names = "--dashboard-host",
            defaultValue = "127.0.0.1",
            description = "Interface the dashboard listens on (default ${DEFAULT-VALUE}: this host only; 0.0.0.0 for"
                    + " every interface, then set SYNTH_DASHBOARD_TOKEN).")
    String dashboardHost;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (appPorts < 0 || appPorts > 65533) {
            throw new IllegalArgumentException("--app-ports " + appPorts + " is not a port (0-65533)");
        }
        LocalPlatform.Ports ports = new LocalPlatform.Ports(
                kafkaPort, registryPort, appPorts, appPorts == 0 ? 0 : appPorts + 1, appPorts == 0 ? 0 : appPorts + 2);
        CountDownLatch stopped = new CountDownLatch(1);
        LocalPlatform platform = LocalPlatform.start(dataDir, ports, partitions, System.getenv());
        DashboardServer dashboard;
        try {
            dashboard = platform.dashboard(dashboardHost, dashboardPort, System.getenv(DashboardServer.TOKEN_ENV));
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        }
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            dashboard.close();
                            platform.close();
                            stopped.countDown();
                        },
                        "synth-up-shutdown"));
        describe(out, platform, dataDir);
        out.printf(
                "Dashboard         %s%s%n",
                dashboard.url(),
                dashboard.protectedByToken() ? "#token=<" + DashboardServer.TOKEN_ENV + "> (token required)" : "");
        if (!"127.0.0.1".equals(dashboardHost) && !"localhost".equals(dashboardHost) && !dashboard.protectedByToken()) {
            out.printf(
                    "WARNING: the dashboard listens on %s without a token: whoever reaches this host sees request"
                            + " ids, dataset names and metrics. Set %s to require one.%n",
                    dashboardHost, DashboardServer.TOKEN_ENV);
        }
        out.println("Running until Ctrl-C.");
        out.flush();
        stopped.await();
        return 0;
    }

    static void describe(PrintWriter out, LocalPlatform platform, Path dataDir) {
        out.printf("Kafka bootstrap   %s (data in %s)%n", platform.bootstrapServers(), dataDir.resolve("kafka"));
        out.printf("Schema registry   %s%n", platform.registryUrl());
        for (StreamsApp app : platform.apps()) {
            out.printf("%-17s http://127.0.0.1:%d/metrics  /health%n", app.applicationId(), app.httpPort());
        }
        if ("simulated".equals(platform.provider())) {
            out.println("LLM provider      SIMULATOR: samples are synthetic placeholders, not model output."
                    + " Set SYNTH_LLM_BASE_URL (and SYNTH_LLM_API_KEY, SYNTH_LLM_MODEL) to use a real model.");
        } else {
            out.printf("LLM provider      %s%n", platform.provider());
        }
    }
}
