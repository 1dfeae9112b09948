package io.canary.launcher.demo;

import io.canary.launcher.client.CliException;
import io.canary.launcher.client.DataPlaneClient;
import io.canary.launcher.http.api.RolloutStatusView;
import io.canary.launcher.http.api.StateView;
import io.canary.launcher.client.Formats;
import io.canary.launcher.client.LoadGenerator;
import io.canary.launcher.client.LoadStats;
import io.canary.launcher.client.NodeAddress;
import io.canary.launcher.client.RolloutProgressPrinter;
import io.canary.launcher.LauncherException;
import io.canary.launcher.client.NodeAddresses;
import io.canary.launcher.node.InProcessCluster;
import io.canary.launcher.node.NodeConsole;
import io.canary.launcher.node.NodeProcess;
import io.canary.log.LogHistory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Runs the demo: an {@link InProcessCluster} on loopback, open-loop traffic, a rollout through the HTTP API followed
 * live, and a summary. Returns whether the rollout ended as the scenario expects.
 */
public final class DemoRun {
    private static final long POLL_NANOS = 250_000_000L;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration START_RETRY_FOR = Duration.ofSeconds(15);
    private static final int TRAFFIC_LINE_EVERY_SECONDS = 4;

    private final DemoScenario scenario;
    private final PrintWriter out;
    private final boolean nodeLines;
    private final boolean referencePorts;
    private final Path dataDir;
    private final DataPlaneClient client = new DataPlaneClient(Duration.ofSeconds(10), Map.of());

    /**
     * @param nodeLines print the nodes' own lines (start-up, commits, verdicts)
     * @param referencePorts listen on 60001-60003 / 50051-50053 (else ephemeral ports)
     * @param dataDir where to keep the state logs; null for a temp dir deleted at the end
     */
    public DemoRun(DemoScenario scenario, PrintWriter out, boolean nodeLines, boolean referencePorts, Path dataDir) {
        this.scenario = scenario;
        this.out = out;
        this.nodeLines = nodeLines;
        this.referencePorts = referencePorts;
        this.dataDir = dataDir;
    }

    /** Runs the whole demo; true if the rollout ended in the expected phase on every node. */
    public boolean run() throws InterruptedException {
        say("Canary demo: 3 nodes on 127.0.0.1 over real sockets; v1 is stable, v2 is a "
                + (scenario.badCanary() ? "BAD canary (30% errors, 3x slower)" : "healthy canary") + ".");
        Path dir = dataDir != null ? createDirectories(dataDir) : createTempDirectory();
        long start = System.nanoTime();
        try (InProcessCluster cluster = InProcessCluster.builder().referencePorts(referencePorts).models(scenario.models())
                .nodeConfig(scenario.nodeConfig()).dataDir(dir)
                .consoles(id -> nodeLines ? new NodeConsole(id, this::nodeLine) : NodeConsole.silent(id))
                .start()) {
            return runOn(cluster, dir, start);
        } finally {
            say("Stopped the nodes.");
            if (dataDir == null) {
                deleteRecursively(dir);
            }
        }
    }

    private boolean runOn(InProcessCluster cluster, Path dir, long start) throws InterruptedException {
        List<NodeAddress> nodes = addresses(cluster);
        say("");
        for (NodeProcess n : cluster.nodes()) {
            say(String.format("  %-7s %-11s control 127.0.0.1:%-5d  data %s", n.nodeId(),
                    n.settings().isCoordinator() ? "coordinator" : "participant", n.controlPort(), n.dataUrl()));
        }
        say("  state logs in " + dir + (dataDir == null ? " (deleted at the end)" : ""));
        say("  dashboard: " + cluster.nodes().get(0).dataUrl() + "/ (open it in a browser: members, weights, steps, verdicts, live charts)");
        say("  while it runs, try in another terminal: ./canary query"
                + (referencePorts ? "" : " --nodes " + NodeAddresses.format(nodes)));
        say("");
        awaitReady(cluster, start);

        AtomicBoolean stopTraffic = new AtomicBoolean();
        LoadGenerator load = new LoadGenerator(client, nodes,
                new LoadGenerator.Plan(scenario.rps(), scenario.deadline().plusSeconds(30), DemoScenario.KEYS, 512), Duration.ofSeconds(10));
        AtomicReference<Throwable> loadFailure = new AtomicReference<>();
        Thread traffic = new Thread(() -> {
            try {
                load.run(p -> {
                    if (p.elapsed().toSeconds() % TRAFFIC_LINE_EVERY_SECONDS == 0) {
                        say("  traffic " + LoadGenerator.progressLine(p));
                    }
                }, stopTraffic::get);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                loadFailure.set(e);
            }
        }, "canary-demo-traffic");
        traffic.setDaemon(true);
        say("Traffic: " + scenario.rps() + " requests/s over the 3 nodes (open loop), " + DemoScenario.KEYS + " sticky user keys.");
        long started = System.nanoTime();
        traffic.start();
        say("Warming up for " + DemoScenario.WARM_UP.toSeconds() + "s (all traffic on v1)...");
        LockSupport.parkNanos(DemoScenario.WARM_UP.toNanos());

        String phase;
        try {
            startRollout(nodes.get(Math.min(1, nodes.size() - 1)));
            phase = follow(nodes.get(0));
        } finally {
            stopTraffic.set(true);
            traffic.join(Duration.ofSeconds(15).toMillis());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return summarize(cluster, dir, load.stats(), phase, seconds, loadFailure.get());
    }

    private static List<NodeAddress> addresses(InProcessCluster cluster) {
        List<NodeAddress> nodes = new ArrayList<>();
        cluster.dataUrls().forEach((id, url) -> nodes.add(new NodeAddress(id, URI.create(url))));
        return nodes;
    }

    private void awaitReady(InProcessCluster cluster, long start) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!cluster.allReady()) {
            if (System.nanoTime() > deadline) {
                throw new CliException("the nodes did not become ready within " + READY_TIMEOUT.toSeconds() + "s");
            }
            LockSupport.parkNanos(50_000_000L);
        }
        say(String.format("All 3 nodes are ready (replayed their logs and synced) %.1fs after start.", (System.nanoTime() - start) / 1e9));
    }

    private void startRollout(NodeAddress through) {
        say("Starting the rollout through " + through.nodeId() + " (a participant: it forwards to the coordinator), the same as:");
        say("  " + scenario.rolloutCommandLine() + " --node " + through.nodeId());
        say("");
        long deadline = System.nanoTime() + START_RETRY_FOR.toNanos();
        while (true) {
            try {
                client.startRollout(through, scenario.rolloutRequest());
                return;
            } catch (CliException.Refused e) {
                // Right after start-up a node may not have heard from every peer yet, and a promotion
                // needs all of them: try again for a while, then give up with the node's reason.
                if (System.nanoTime() > deadline || e.status() == 400) {
                    throw new CliException("the rollout could not start: " + e.error());
                }
                LockSupport.parkNanos(POLL_NANOS);
            }
        }
    }

    /** Follows the rollout until it ends (or aborts it at the deadline); returns the final phase. */
    private String follow(NodeAddress coordinator) {
        RolloutProgressPrinter printer = new RolloutProgressPrinter(out, "");
        long deadline = System.nanoTime() + scenario.deadline().toNanos();
        while (true) {
            RolloutStatusView status = client.rollout(coordinator);
            StateView state = client.state(coordinator);
            printer.update(status, state);
            if (!status.rollout().isActive()) {
                return status.rollout().phase().name();
            }
            if (System.nanoTime() > deadline) {
                say("The rollout did not finish within " + scenario.deadline().toSeconds() + "s: aborting it.");
                client.controlRollout(coordinator, "abort");
                return "TIMED_OUT";
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    private boolean summarize(InProcessCluster cluster, Path dir, LoadStats stats, String phase, double seconds, Throwable loadFailure) {
        List<NodeAddress> nodes = addresses(cluster);
        say("");
        say("=".repeat(72));
        say("Summary");
        say("=".repeat(72));
        StateView agreed = awaitAgreement(nodes);
        boolean agree = agreed != null;
        if (agree) {
            say("Every node is on routing state v" + agreed.version() + ": " + Formats.pyWeights(agreed.weights()));
        } else {
            say("The nodes did NOT agree on the final state:");
        }
        for (NodeAddress n : nodes) {
            StateView s = client.state(n);
            say(String.format("  %-7s v%d %s  rollout %s", n.nodeId(), s.version(), Formats.pyWeights(s.weights()), s.rollout().phase()));
        }
        say("");
        say(String.format("Traffic over %.0fs (client side):", seconds));
        for (String line : stats.summary(seconds).split("\n")) {
            say("  " + line);
        }
        if (loadFailure != null) {
            say("  the traffic generator failed: " + loadFailure.getMessage());
        }
        say("");
        say("node-a's state log (last records), as ./canary log show prints it:");
        List<String> history = LogHistory.read(dir.resolve(nodes.get(0).nodeId() + ".log")).lines();
        history.subList(Math.max(0, history.size() - 8), history.size()).forEach(l -> say("  " + l));
        say("");
        double canaryShare = agree ? agreed.weights().getOrDefault("v2", 0.0) * 100 : -1;
        boolean expected = agree && scenario.expectedPhase().equals(phase);
        say("Outcome: " + phase + (agree ? ", v2 serves " + Formats.trimmed(canaryShare) + "% on every node" : "")
                + " (expected: " + scenario.expectedPhase() + ")" + (expected ? "" : "  <-- NOT AS EXPECTED"));
        return expected;
    }

    /** The state every node reports once they agree (commits reach nodes milliseconds apart), or null. */
    private StateView awaitAgreement(List<NodeAddress> nodes) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            StateView first = null;
            boolean same = true;
            for (NodeAddress n : nodes) {
                StateView s = client.state(n);
                if (first == null) {
                    first = s;
                } else if (!first.agreementKey().equals(s.agreementKey())) {
                    same = false;
                }
            }
            if (same) {
                return first;
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            LockSupport.parkNanos(100_000_000L);
        }
    }

    private static Path createTempDirectory() {
        try {
            return Files.createTempDirectory("canary-demo-");
        } catch (IOException e) {
            throw LauncherException.environment("cannot create a temp directory for the state logs: " + e.getMessage(), e);
        }
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw LauncherException.environment("cannot create the data directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // A file left in the temp dir is harmless.
        }
    }

    /** A node's own line; its verdict lines are left out: the progress printer shows each verdict once. */
    private void nodeLine(String line) {
        if (!line.contains("] Verdict ")) {
            say("  " + line);
        }
    }

    private void say(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
