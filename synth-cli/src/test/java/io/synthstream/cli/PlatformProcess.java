package io.synthstream.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The three apps of {@code synth up} in a child JVM that a test can {@code kill -9}, against the
 * test's broker and registry ({@code args[2]}, {@code args[3]}): state under {@code args[0]}
 * (free ports, 3 partitions, the child's {@code SYNTH_*} environment); {@code args[1]} is written
 * once they run. The broker stays up, as brokers do when an app instance dies.
 */
public final class PlatformProcess {
    private PlatformProcess() {}

    public static void main(String[] args) throws Exception {
        LocalPlatform apps =
                LocalPlatform.apps(args[2], args[3], Path.of(args[0]), LocalPlatform.Ports.FREE, 3, System.getenv());
        Path ready = Path.of(args[1]);
        Path partial = ready.resolveSibling(ready.getFileName() + ".tmp");
        Files.writeString(partial, apps.bootstrapServers() + "\n" + apps.registryUrl() + "\n");
        Files.move(partial, ready);
        Thread.sleep(Long.MAX_VALUE);
    }

    /** Starts the child; its output goes to {@code log}. */
    static Process start(Path dataDir, Path ready, Path log, Map<String, String> env, ClusterOptions cluster)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(
                java,
                "-Xmx1g",
                "-cp",
                System.getProperty("java.class.path"),
                PlatformProcess.class.getName(),
                dataDir.toString(),
                ready.toString(),
                cluster.bootstrapServers,
                cluster.schemaRegistryUrl);
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return builder.start();
    }

    /** The child's cluster, once its apps run (or a failure naming its log). */
    static ClusterOptions await(Process child, Path ready, Path log, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(ready)) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the apps' child did not start; its log: " + log + "\n"
                        + (Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : ""));
            }
            Thread.sleep(200);
        }
        List<String> lines = Files.readAllLines(ready);
        return ClusterOptions.of(lines.get(0), lines.get(1));
    }
}
