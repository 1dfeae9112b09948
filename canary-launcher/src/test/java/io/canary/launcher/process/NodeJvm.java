package io.canary.launcher.process;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code canary node} in its own JVM, started the way a user starts it (same main class, same
 * options), with its stdout and stderr captured line by line.
 */
final class NodeJvm implements AutoCloseable {
    private static final Pattern DATA_PLANE = Pattern.compile("\\] Data plane on [^:]+:(\\d+)$");

    private final List<String> command;
    private final Process process;
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final Path outFile;
    private final Path errFile;

    private NodeJvm(List<String> command, Process process, Path outFile, Path errFile) {
        this.command = command;
        this.process = process;
        this.outFile = outFile;
        this.errFile = errFile;
    }

    /** Starts {@code canary node <args>} with the test classpath, in {@code workDir}. */
    static NodeJvm start(Path workDir, List<String> nodeArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Small, quick-starting JVMs: the nodes do little work and the machine has two cores.
        cmd.addAll(List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "-Djava.net.preferIPv4Stack=true"));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.canary.launcher.CanaryCli", "node"));
        cmd.addAll(nodeArgs);
        return launch(workDir, cmd);
    }

    private static NodeJvm launch(Path workDir, List<String> cmd) {
        try {
            // Files, not pipes: what a process writes while it exits (its shutdown hook's lines) can
            // be lost on a pipe when the JDK's reaper drains it at exit.
            int run = RUNS.incrementAndGet();
            Path out = workDir.resolve("node-" + run + ".out");
            Path err = workDir.resolve("node-" + run + ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().remove("CANARY_ADMIN_TOKEN");
            return new NodeJvm(List.copyOf(cmd), pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The same command again (an operator rerunning it after a crash). */
    NodeJvm restart(Path workDir) {
        return launch(workDir, command);
    }

    /** A free loopback port (bound and released: good enough for a test's control ports). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for the start-up line naming the data plane and returns its port. */
    int awaitDataPort() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .failFast("node exited: " + this, () -> !process.isAlive())
                .until(() -> dataPortOrZero() > 0);
        return dataPortOrZero();
    }

    private int dataPortOrZero() {
        for (String line : stdout()) {
            Matcher m = DATA_PLANE.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        return 0;
    }

    List<String> stdout() {
        return lines(outFile);
    }

    List<String> stderr() {
        return lines(errFile);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** {@code kill -9}: no shutdown hook runs. */
    void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** SIGTERM; returns the exit code. */
    int terminate() {
        process.destroy();
        return waitFor();
    }

    int waitFor() {
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            waitFor();
        }
    }

    @Override
    public String toString() {
        return "stdout:\n  " + String.join("\n  ", stdout()) + "\nstderr:\n  " + String.join("\n  ", stderr());
    }
}
