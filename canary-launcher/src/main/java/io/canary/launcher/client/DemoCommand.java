package io.canary.launcher.client;

import io.canary.launcher.ExitCodes;
import io.canary.launcher.DurationConverter;
import io.canary.launcher.Durations;
import io.canary.launcher.demo.DemoRun;
import io.canary.launcher.demo.DemoScenario;
import io.canary.launcher.node.ReferenceLayout;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code canary demo [--bad-canary] [--fast]}. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the whole system on this machine in about a minute: three nodes on 127.0.0.1 in this JVM, "
                + "talking over real sockets, with simulated models v1 (stable) and v2 (canary); open-loop traffic; "
                + "a rollout of v2 through 5, 25, 50 and 100 percent with each verdict printed as it happens; and a "
                + "summary.",
                "A healthy canary ends at 100%% (COMPLETED); with --bad-canary (30%% errors, 3x slower) it is rolled "
                + "back (ROLLED_BACK). Exits 0 when the rollout ended as expected, 1 otherwise.",
                "It uses the reference ports (60001-60003, 50051-50053) when they are free, so ./canary query works "
                + "from another terminal meanwhile; otherwise free ports."})
public final class DemoCommand extends ClientCommand {

    @Option(names = "--bad-canary", description = "Make v2 fail 30%% of its requests and run 3x slower: it must be rolled back.")
    boolean badCanary;

    @Option(names = "--fast", description = "2s steps and more traffic: over in about 15 seconds.")
    boolean fast;

    @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Analysis period of each step (default: 8s, or 2s with --fast).")
    Duration interval;

    @Option(names = "--rps", paramLabel = "N", description = "Traffic in requests per second (default: 150, or 300 with --fast).")
    Integer rps;

    @Option(names = "--ephemeral-ports", description = "Always listen on free ports, never the reference ones.")
    boolean ephemeralPorts;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the state logs in DIR, a new or empty directory (default: a temp dir, deleted at the end).")
    Path dataDir;

    @Option(names = "--quiet", description = "Do not print the nodes' own lines (start-up, commits).")
    boolean quiet;

    @Override
    protected int execute() throws InterruptedException {
        DemoScenario scenario = DemoScenario.of(badCanary, fast);
        if (interval != null) {
            if (interval.toMillis() < 200) {
                throw new IllegalArgumentException("--interval must be at least 200ms, got " + Durations.format(interval));
            }
            scenario = scenario.withStepInterval(interval);
        }
        if (rps != null) {
            if (rps < 10 || rps > 5000) {
                throw new IllegalArgumentException("--rps must be in [10,5000], got " + rps);
            }
            scenario = scenario.withRps(rps);
        }
        refuseUsedDataDir();
        quietLibraryLogging();
        boolean reference = !ephemeralPorts && referencePortsFree();
        boolean ok = new DemoRun(scenario, out(), !quiet, reference, dataDir).run();
        return ok ? 0 : ExitCodes.FAILURE;
    }

    /**
     * The demo tells the story of a fresh cluster: logs of an earlier run would replay it (v2 already
     * the baseline), and the rollout of v2 could not even start.
     */
    private void refuseUsedDataDir() {
        if (dataDir == null) {
            return;
        }
        for (String id : ReferenceLayout.NODE_IDS) {
            Path log = dataDir.resolve(id + ".log");
            if (Files.isRegularFile(log)) {
                throw new IllegalArgumentException("--data-dir " + dataDir + " already holds " + log.getFileName()
                        + " from an earlier run; the demo starts a fresh cluster: give a new or empty directory");
            }
        }
    }

    /**
     * The demo prints its own story; the transport's and the core's INFO lines (connections,
     * readiness) would bury it. Warnings still show. Must run before the first logger is created.
     */
    private static void quietLibraryLogging() {
        if (System.getProperty("org.slf4j.simpleLogger.log.io.canary") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.io.canary", "warn");
        }
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(java.util.logging.Level.WARNING);
        for (java.util.logging.Handler h : root.getHandlers()) {
            h.setLevel(java.util.logging.Level.WARNING);
        }
    }

    /** True if all six reference ports can be bound on loopback right now. */
    private static boolean referencePortsFree() {
        for (int i = 0; i < ReferenceLayout.NODE_IDS.size(); i++) {
            for (int port : new int[] {ReferenceLayout.FIRST_CONTROL_PORT + i, ReferenceLayout.FIRST_DATA_PORT + i}) {
                try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    return false;
                }
            }
        }
        return true;
    }
}
