package io.synthstream.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.synthstream.common.topics.Topics;
import io.synthstream.evaluator.logic.ReviewDecisions;
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
 *
 * <p>What comes from Kafka (request ids, dataset names, reasons) is data for the page, never
 * markup: the script renders it as text, and every response carries a Content-Security-Policy that
 * allows only this server's own scripts and styles, so even a rendering mistake could not run a
 * script from a record. With a token ({@code SYNTH_DASHBOARD_TOKEN}), {@code /api/*} answers only
 * requests bearing it; the page and its scripts hold no data and stay open.
 */
final class DashboardServer implements AutoCloseable {
    static final String CHART_JS = "/META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js";
    /** The environment variable holding the dashboard's optional bearer token. */
    static final String TOKEN_ENV = "SYNTH_DASHBOARD_TOKEN";
    /** Only this server's own files; no inline script or style, no frames, no other origins. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    private static final Logger log = LoggerFactory.getLogger(DashboardServer.class);
    private static final int MAX_DECISION_BYTES = ReviewDecisions.MAX_JSON_BYTES;

    private final HttpServer server;
    private final DashboardState state;
    private final ScheduledExecutorService sampler;
    private final Thread follower;
    private final Thread evaluationFollower;
    private volatile boolean running = true;

    private final byte[] token;
    private final ClusterOptions cluster;

    private DashboardServer(HttpServer server, DashboardState state, ClusterOptions cluster, String token) {
        this.server = server;
        this.cluster = cluster;
        this.token = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
        this.state = state;
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "synth-dashboard-sampler"));
        this.follower = daemon(() -> follow(cluster, Topics.REQUEST_STATUS, state::status), "synth-dashboard-ledger");
        this.evaluationFollower =
                daemon(() -> follow(cluster, Topics.EVALUATIONS, state::evaluation), "synth-dashboard-evaluations");
    }

    /**
     * @param host the interface to listen on (127.0.0.1 unless the dashboard should be reachable
     *     from other hosts)
     * @param token the bearer token {@code /api/*} requires, or null for none
     */
    static DashboardServer start(
            String host, int port, String token, Collection<MeterRegistry> registries, ClusterOptions cluster) {
        try {
            HttpServer server = HttpServers.create(new InetSocketAddress(host, port), 0);
            DashboardServer dashboard = new DashboardServer(server, new DashboardState(registries), cluster, token);
            server.createContext("/", dashboard::handle);
            server.start();
            dashboard.sampler.scheduleAtFixedRate(
                    () -> dashboard.state.sample(System.currentTimeMillis()), 0, 1, TimeUnit.SECONDS);
            dashboard.follower.start();
            dashboard.evaluationFollower.start();
            return dashboard;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the dashboard on " + host + ":" + port, e);
        }
    }

    /** The page's address; with a token, open it as {@code <url>#token=<token>}. */
    String url() {
        var address = server.getAddress();
        String host = address.getAddress().isAnyLocalAddress()
                ? "127.0.0.1"
                : address.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort() + "/";
    }

    boolean protectedByToken() {
        return token != null;
    }

    /** Whether the request bears the token (compared in constant time), or no token is set. */
    private boolean authorized(HttpExchange exchange) {
        if (token == null) {
            return true;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        byte[] given = header != null && header.startsWith("Bearer ")
                ? header.substring("Bearer ".length()).trim().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        return java.security.MessageDigest.isEqual(given, token);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/", "/index.html" -> resource(exchange, "/dashboard/index.html", "text/html; charset=utf-8");
                case "/dashboard.js" -> resource(exchange, "/dashboard/dashboard.js", "text/javascript; charset=utf-8");
                case "/dashboard.css" -> resource(exchange, "/dashboard/dashboard.css", "text/css; charset=utf-8");
                case "/chart.umd.js" -> resource(exchange, CHART_JS, "text/javascript; charset=utf-8");
                case "/review", "/review.html" ->
                    resource(exchange, "/dashboard/review.html", "text/html; charset=utf-8");
                case "/review.js" -> resource(exchange, "/dashboard/review.js", "text/javascript; charset=utf-8");
                case "/api/state" -> {
                    if (unauthorized(exchange)) {
                        return;
                    }
                    send(
                            exchange,
                            200,
                            "application/json",
                            state.json().toString().getBytes(StandardCharsets.UTF_8));
                }
                case "/api/review" -> {
                    if (unauthorized(exchange)) {
                        return;
                    }
                    String dataset = query(exchange, "dataset");
                    send(
                            exchange,
                            200,
                            "application/json",
                            ReviewApi.queue(cluster, dataset, java.time.Instant.now())
                                    .toString()
                                    .getBytes(StandardCharsets.UTF_8));
                }
                case "/api/review/decision" -> {
                    if (unauthorized(exchange)) {
                        return;
                    }
                    String refusal = crossSiteRefusal(exchange);
                    if (refusal != null) {
                        send(exchange, 403, "application/json", error(refusal));
                        return;
                    }
                    byte[] body = exchange.getRequestBody().readNBytes(MAX_DECISION_BYTES + 1);
                    if (body.length > MAX_DECISION_BYTES) {
                        send(
                                exchange,
                                413,
                                "application/json",
                                error("a decision is at most " + MAX_DECISION_BYTES + " bytes"));
                        return;
                    }
                    try {
                        ReviewApi.Answer answer = ReviewApi.decide(cluster, body);
                        send(
                                exchange,
                                answer.status(),
                                "application/json",
                                answer.body().toString().getBytes(StandardCharsets.UTF_8));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        send(exchange, 503, "application/json", error("interrupted"));
                    } catch (IllegalStateException e) {
                        send(exchange, 502, "application/json", error(e.getMessage()));
                    }
                }
                default -> send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** Answers 401 and returns true when the request lacks the token. */
    private boolean unauthorized(HttpExchange exchange) throws IOException {
        if (authorized(exchange)) {
            return false;
        }
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
        send(
                exchange,
                401,
                "application/json",
                error("this dashboard needs its token: open it as /#token=<SYNTH_DASHBOARD_TOKEN>"));
        return true;
    }

    /**
     * Why a decision may not come from this request, or null: only a POST of JSON from this page.
     * A JSON body needs a CORS preflight that this server never grants, and the browser's {@code
     * Origin} and {@code Sec-Fetch-Site} must name this origin: another site cannot make a visitor's
     * browser decide, even without a token.
     */
    private static String crossSiteRefusal(HttpExchange exchange) {
        if (!"POST".equals(exchange.getRequestMethod())) {
            return "decisions are POSTed";
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            return "a decision is sent as application/json";
        }
        String site = exchange.getRequestHeaders().getFirst("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return "a decision comes from this page only";
        }
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (origin != null && (host == null || !origin.equals("http://" + host))) {
            return "a decision comes from this page only";
        }
        return null;
    }

    private static String query(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                String value = java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                return value.isBlank() ? null : value;
            }
        }
        return null;
    }

    private static byte[] error(String message) {
        return new com.fasterxml.jackson.databind.ObjectMapper()
                .createObjectNode()
                .put("error", message)
                .toString()
                .getBytes(StandardCharsets.UTF_8);
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
        exchange.getResponseHeaders().set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * Follows {@code topic} from its beginning into {@code sink}: the latest ledger of every request
     * for the progress table, the latest indirect evaluation of every dataset. A topic not there yet
     * (the evaluator creates synth.evaluations at start) is waited for quietly.
     */
    private <V> void follow(
            ClusterOptions cluster,
            io.synthstream.common.topics.TopicSpec<String, V> topic,
            java.util.function.Consumer<V> sink) {
        while (running) {
            try (TopicTail<V> tail = new TopicTail<>(
                    cluster, topic.name(), cluster.serdes().value(topic).deserializer())) {
                while (running) {
                    tail.poll(Duration.ofMillis(500), r -> {
                        if (r.value() != null) {
                            sink.accept(r.value());
                        }
                    });
                }
            } catch (RuntimeException e) {
                if (running) {
                    if (e.getMessage() == null || !e.getMessage().contains("does not exist")) {
                        log.warn("Dashboard reader of {} failed ({}); retrying", topic.name(), e.toString());
                    }
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
            evaluationFollower.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
