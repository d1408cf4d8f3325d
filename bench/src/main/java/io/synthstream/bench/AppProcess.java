package io.synthstream.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One instance of an app as it is deployed: a JVM of its own running the app's {@code main},
 * configured only through {@code SYNTH_*} environment variables, its state in a directory of its
 * own, its output appended to {@code <name>.log}. {@link #kill} is a real {@code SIGKILL}; {@link
 * #start} again reuses the state directory, as a supervisor restarting the pod does.
 */
final class AppProcess implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final String mainClass;
    private final Map<String, String> env;
    private final Path log;
    private final int port;
    private Process process;

    /**
     * @param env the instance's settings; {@code SYNTH_STATE_DIR} and {@code SYNTH_HTTP_PORT} are
     *     set here
     */
    AppProcess(String name, Class<?> mainClass, Map<String, String> env, Path directory) {
        this.name = name;
        this.mainClass = mainClass.getName();
        this.port = freePort();
        this.env = new HashMap<>(env);
        this.env.put("SYNTH_STATE_DIR", directory.resolve(name).toString());
        this.env.put("SYNTH_HTTP_PORT", String.valueOf(port));
        this.log = directory.resolve(name + ".log");
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    synchronized void start() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(
                java, "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), mainClass);
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + name, e);
        }
    }

    /** Waits until the app's {@code /health} says its Kafka Streams state is RUNNING. */
    void awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(2))
                .build();
        while (System.nanoTime() < deadline) {
            Process current;
            synchronized (this) {
                current = process;
            }
            if (current == null || !current.isAlive()) {
                throw new IllegalStateException(name + " exited; its log: " + log + "\n" + tail());
            }
            try {
                HttpResponse<String> response = HTTP.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"RUNNING\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " not RUNNING after " + timeout + "; its log: " + log);
    }

    /** {@code SIGKILL}: no shutdown hook, no leave-group, transactions left open. */
    void kill() throws InterruptedException {
        Process current;
        synchronized (this) {
            current = process;
            process = null;
        }
        if (current != null) {
            current.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Kills the instance if it runs: at the end of a run its state is thrown away. */
    @Override
    public void close() throws InterruptedException {
        kill();
    }

    private String tail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.substring(Math.max(0, text.length() - 4000));
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port", e);
        }
    }
}
