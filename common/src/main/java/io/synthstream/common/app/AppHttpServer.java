package io.synthstream.common.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The small HTTP endpoint each app serves: {@code /health} and {@code /metrics} (Prometheus text
 * format), plus any routes an app adds (the dashboard). The JDK's built-in server is enough for a
 * handful of low-traffic routes and adds no dependency.
 */
public final class AppHttpServer implements AutoCloseable {
    /** What a route answers. */
    public record Response(int status, String contentType, String body) {}

    private final HttpServer server;
    private final ExecutorService executor;

    private AppHttpServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds {@code host:port} (0 picks a free port) and starts serving. */
    public static AppHttpServer start(String host, int port) {
        try {
            HttpServer server =
                    io.synthstream.schemas.registry.HttpServers.create(new InetSocketAddress(host, port), 16);
            ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
                Thread t = new Thread(r, "synth-http");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            server.start();
            return new AppHttpServer(server, executor);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind the HTTP endpoint on " + host + ":" + port, e);
        }
    }

    /** Serves GET {@code path} with what {@code handler} answers at each request. */
    public AppHttpServer route(String path, Supplier<Response> handler) {
        server.createContext(path, exchange -> respond(exchange, handler));
        return this;
    }

    /** Serves {@code path} with a raw JDK handler (static files, streaming). */
    public AppHttpServer route(String path, HttpHandler handler) {
        server.createContext(path, handler);
        return this;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static void respond(HttpExchange exchange, Supplier<Response> handler) throws IOException {
        try (exchange) {
            Response response;
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                response = new Response(405, "text/plain", "Method Not Allowed\n");
            } else {
                try {
                    response = handler.get();
                } catch (RuntimeException e) {
                    response = new Response(500, "text/plain", "Internal error: " + e.getMessage() + "\n");
                }
            }
            byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(response.status(), head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }
}
