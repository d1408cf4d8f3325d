package io.synthstream.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code synth up} in a child JVM that a test can {@code kill -9}: the platform on {@code
 * args[0]} (free ports, 3 partitions, the child's {@code SYNTH_*} environment), its bootstrap
 * servers and registry URL written to {@code args[1]} once it runs.
 */
public final class PlatformProcess {
    private PlatformProcess() {}

    public static void main(String[] args) throws Exception {
        LocalPlatform platform = LocalPlatform.start(Path.of(args[0]), LocalPlatform.Ports.FREE, 3, System.getenv());
        Path ready = Path.of(args[1]);
        Path partial = ready.resolveSibling(ready.getFileName() + ".tmp");
        Files.writeString(partial, platform.bootstrapServers() + "\n" + platform.registryUrl() + "\n");
        Files.move(partial, ready);
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Starts the child; its output goes to {@code log}. */
    static Process start(Path dataDir, Path ready, Path log, Map<String, String> env) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(
                java,
                "-Xmx1g",
                "-cp",
                System.getProperty("java.class.path"),
                PlatformProcess.class.getName(),
                dataDir.toString(),
                ready.toString());
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return builder.start();
    }

    /** The child's cluster, once it has written it (or a failure naming its log). */
    static ClusterOptions await(Process child, Path ready, Path log, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(ready)) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the platform child did not start; its log: " + log + "\n"
                        + (Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : ""));
            }
            Thread.sleep(200);
        }
        List<String> lines = Files.readAllLines(ready);
        return ClusterOptions.of(lines.get(0), lines.get(1));
    }
}
