package io.synthstream.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.synthstream.avro.RequestStatus;
import io.synthstream.common.topics.Topics;
import io.synthstream.schemas.registry.HttpServers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard of {@code synth up}: a static page with Chart.js (from its WebJar on the
 * classpath: no build step, no external network) that polls {@code /api/state} every second.
 */
final class DashboardServer implements AutoCloseable {
    static final String CHART_JS = "/META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js";
    private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);

    private final HttpServer server;
    private final DashboardState state;
    private final ScheduledExecutorService sampler;
    private final Thread follower;
    private volatile boolean running = true;

    private DashboardServer(HttpServer server, DashboardState state, ClusterOptions cluster) {
        this.server = server;
        this.state = state;
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "synth-dashboard-sampler"));
        this.follower = daemon(() -> follow(cluster), "synth-dashboard-ledger");
    }

    static DashboardServer start(int port, Collection<MeterRegistry> registries, ClusterOptions cluster) {
        try {
            HttpServer server = HttpServers.create(new InetSocketAddress("127.0.0.1", port), 0);
            DashboardServer dashboard = new DashboardServer(server, new DashboardState(registries), cluster);
            server.createContext("/", dashboard::handle);
            server.start();
            dashboard.sampler.scheduleAtFixedRate(
                    () -> dashboard.state.sample(System.currentTimeMillis()), 0, 1, TimeUnit.SECONDS);
            dashboard.follower.start();
            return dashboard;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the dashboard on port " + port, e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/", "/index.html" -> resource(exchange, "/dashboard/index.html", "text/html; charset=utf-8");
                case "/dashboard.js" -> resource(exchange, "/dashboard/dashboard.js", "text/javascript; charset=utf-8");
                case "/chart.umd.js" -> resource(exchange, CHART_JS, "text/javascript; charset=utf-8");
                case "/api/state" ->
                    send(
                            exchange,
                            200,
                            "application/json",
                            state.json().toString().getBytes(StandardCharsets.UTF_8));
                default -> send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void resource(HttpExchange exchange, String name, String type) throws IOException {
        try (InputStream in = DashboardServer.class.getResourceAsStream(name)) {
            if (in == null) {
                send(exchange, 500, "text/plain", ("missing resource " + name).getBytes(StandardCharsets.UTF_8));
                return;
            }
            send(exchange, 200, type, in.readAllBytes());
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** Keeps the latest ledger of every request, for the progress table. */
    private void follow(ClusterOptions cluster) {
        while (running) {
            try (TopicTail<RequestStatus> tail = new TopicTail<>(
                    cluster.bootstrapServers,
                    Topics.REQUEST_STATUS.name(),
                    cluster.serdes().value(Topics.REQUEST_STATUS).deserializer())) {
                while (running) {
                    tail.poll(Duration.ofMillis(500), r -> {
                        if (r.value() != null) {
                            state.status(r.value());
                        }
                    });
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.warn("Dashboard ledger reader failed ({}); retrying", e.toString());
                    try {
                        Thread.sleep(2000);
                    } catch (InterruptedException interrupted) {
                        return;
                    }
                }
            }
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        running = false;
        sampler.shutdownNow();
        server.stop(0);
        try {
            follower.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
