package io.canary.bench.scale;

import io.canary.CanaryNode;
import io.canary.NodeConfig;
import io.canary.PeerStatus;
import io.canary.bench.load.LatencySamples;
import io.canary.model.Weights;
import io.canary.net.ControlPort;
import io.canary.net.HostPort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Commit latency against cluster size: N nodes on loopback TCP (the socket transport), each with its
 * own fsynced state log, default timings; one closed-loop client proposes weights on the coordinator
 * ({@code proposeWeights}, no HTTP). Nodes run in this JVM, except that a cluster bigger than
 * {@code --nodes-per-jvm} is split across helper JVMs ({@link ScaleHost}): N nodes hold N(N-1)
 * loopback connections, two file descriptors each, and 100 nodes would not fit one process's limit.
 * Memory per node: heap used after GC with the slice running, minus before, over the slice's nodes.
 */
@Command(name = "scale-bench", mixinStandardHelpOptions = true, description = "Commit latency for growing clusters.")
public final class ScaleBench implements Callable<Integer> {
    @Option(names = "--sizes", split = ",", defaultValue = "3,10,30,100") List<Integer> sizes;
    @Option(names = "--commits", defaultValue = "300", description = "measured commits per size") int commits;
    @Option(names = "--max-seconds", defaultValue = "60", description = "stop measuring a size after this long") int maxSeconds;
    @Option(names = "--nodes-per-jvm", defaultValue = "34") int nodesPerJvm;
    @Option(names = "--dir", required = true, description = "scratch directory for the state logs") Path dir;
    @Option(names = "--prepare-timeout", description = "node timing override, e.g. 10s") String prepareTimeout;
    @Option(names = "--heartbeat-interval", description = "node timing override") String heartbeatInterval;
    @Option(names = "--peer-timeout", description = "node timing override") String peerTimeout;
    @Option(names = "--health-interval", description = "node timing override") String healthInterval;
    @Option(names = "--label", defaultValue = "defaults", description = "copied into the RESULT line") String label;
    @Option(names = "--warmup-commits", defaultValue = "10", description = "unmeasured commits before each kind")
    int warmupCommits;
    @Option(names = "--warmup-seconds", defaultValue = "0",
            description = "and keep warming up (unmeasured commits) until this long has passed: the JVMs' JIT compiles the"
                    + " commit path in the first tens of seconds, which a long-running node pays once")
    int warmupSeconds;
    @Option(names = "--kinds", split = ",", defaultValue = "promote,lower",
            description = "which commits to measure, each in turn on the same cluster: promote (v2's share goes up each"
                    + " time: needs every node's YES) and/or lower (it goes down each time: a majority may suffice)")
    List<Kind> kinds;
    /** The CPU of this run's JVMs (set once the cluster is up). */
    private CpuMeter cpu;
    /** The coordinator's id when it runs in a helper JVM (proposals then go through a local node), else null. */
    private String coordinatorRemote;

    /** Which way each measured commit moves the canary's share: a promotion needs every vote, a lowering a majority. */
    enum Kind {
        promote, lower;

        /** The weights of the {@code seq}-th commit of this kind: every one a real change in this direction. */
        Weights weights(long seq) {
            int v2 = this == promote ? 1000 + (int) (seq % 4000) : 5000 - (int) (seq % 4000);
            return Weights.ofBasisPoints(Map.of("v1", 10_000 - v2, "v2", v2));
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ScaleBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        for (int n : sizes) {
            run(n);
        }
        return 0;
    }

    /** The node timings: defaults unless overridden (the overrides are passed on to helper JVMs). */
    private List<String> timingArgs() {
        List<String> args = new ArrayList<>();
        if (prepareTimeout != null) {
            args.add("prepareTimeout=" + prepareTimeout);
        }
        if (heartbeatInterval != null) {
            args.add("heartbeatInterval=" + heartbeatInterval);
        }
        if (peerTimeout != null) {
            args.add("peerTimeout=" + peerTimeout);
        }
        if (healthInterval != null) {
            args.add("healthInterval=" + healthInterval);
        }
        return args;
    }

    private void run(int n) throws Exception {
        NodeConfig config = Timings.config(timingArgs());
        Path dataDir = Files.createDirectories(dir.resolve("scale-" + n));
        long heapBefore = heapAfterGc();
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        Map<String, HostPort> members = new LinkedHashMap<>();
        Map<String, ControlPort> local = new LinkedHashMap<>();
        List<List<String>> remoteSlices = new ArrayList<>();
        List<ControlPort> toRelease = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            String id = "n" + i;
            ControlPort port = ControlPort.bind("127.0.0.1", 0);
            members.put(id, port.address());
            if (i <= nodesPerJvm) {
                local.put(id, port);
            } else {
                toRelease.add(port);
                int slice = (i - nodesPerJvm - 1) / nodesPerJvm;
                while (remoteSlices.size() <= slice) {
                    remoteSlices.add(new ArrayList<>());
                }
                remoteSlices.get(slice).add(id);
            }
        }
        List<Process> helpers = new ArrayList<>();
        try {
            // Helpers bind their ports again the moment we let go of them.
            toRelease.forEach(ControlPort::close);
            long t0 = System.nanoTime();
            for (List<String> slice : remoteSlices) {
                helpers.add(startHelper(dataDir, members, slice));
            }
            progress(n, "helper JVMs up", t0);
            try (NodeSlice mine = new NodeSlice(members, local, dataDir, config)) {
                progress(n, "local nodes started", t0);
                CanaryNode first = mine.nodes().get(0);
                long connectStart = System.nanoTime();
                while (!allReachable(first, n)) {
                    if (System.nanoTime() - connectStart > TimeUnit.SECONDS.toNanos(120)) {
                        System.out.println("RESULT scale nodes=" + n + " error=not-all-reachable-after-120s");
                        return;
                    }
                    Thread.sleep(100);
                }
                double connectSeconds = (System.nanoTime() - connectStart) / 1e9;
                // Proposals go to the node that coordinates, so no commit pays a forwarding hop, and the coordinator's
                // CPU is read from its own threads. n1 usually wins (the fresh-start deference), but a helper JVM that
                // came up first may hold a node that won before n1 was heard; then it is not in this JVM.
                CanaryNode coordinator = localCoordinator(mine, first, n);
                if (coordinator == null) {
                    return;
                }
                Thread.sleep(2_000); // a couple of health rounds, so memory includes peers' snapshots
                long heapPerNode = (heapAfterGc() - heapBefore) / local.size();
                int threadsPerNode = (ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore) / local.size();
                cpu = new CpuMeter(helpers.stream().map(Process::pid).toList(), coordinator.id());
                idleCpu(n, "idle");
                measure(n, 1 + remoteSlices.size(), coordinator, connectSeconds, heapPerNode, threadsPerNode, local.size());
                progress(n, "measured, closing", t0);
            }
            progress(n, "local nodes closed", t0);
        } finally {
            for (Process p : helpers) {
                p.getOutputStream().close();
            }
            for (Process p : helpers) {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            deleteTree(dataDir);
        }
    }

    /** The cluster's background CPU (heartbeats, health reports, timers) with no commit running, over 2 s. */
    private void idleCpu(int n, String kind) throws InterruptedException {
        CpuMeter.Reading before = cpu.read();
        Thread.sleep(2_000);
        CpuMeter.Reading used = cpu.read().minus(before);
        System.out.println(String.format(Locale.ROOT, "RESULT scale-cpu nodes=%d kind=%s seconds=%.2f %s", n, kind,
                used.atNanos() / 1e9, used.describe(used.atNanos() / 1e9, "second")));
    }

    private static void progress(int n, String what, long since) {
        System.err.println(String.format(Locale.ROOT, "scale %d: %s after %.1fs", n, what, (System.nanoTime() - since) / 1e9));
    }

    private void measure(int n, int jvms, CanaryNode coordinator, double connectSeconds, long heapPerNode,
                         int threadsPerNode, int localNodes) throws Exception {
        for (Kind kind : kinds) {
            measure(kind, n, jvms, coordinator, connectSeconds, heapPerNode, threadsPerNode, localNodes);
        }
        rollbackEverywhere(n, coordinator);
        idleCpu(n, "idle-after"); // with the JIT warm: the background's steady cost
    }

    private void measure(Kind kind, int n, int jvms, CanaryNode coordinator, double connectSeconds, long heapPerNode,
                         int threadsPerNode, int localNodes) throws Exception {
        long seq = 0;
        int warmupFailures = 0;
        // The first commit of a kind may be the other kind (from wherever the previous one left the share).
        long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
        for (int i = 0; i < warmupCommits || System.nanoTime() < warmupEnd; i++) {
            try {
                coordinator.proposeWeights(kind.weights(seq++)).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                warmupFailures++;
            }
        }
        LatencySamples samples = new LatencySamples(commits);
        CpuMeter.Reading cpuBefore = cpu.read();
        int failed = 0;
        String firstFailure = null;
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(maxSeconds);
        for (int i = 0; i < commits && System.nanoTime() < deadline; i++) {
            long t0 = System.nanoTime();
            try {
                coordinator.proposeWeights(kind.weights(seq++)).get(30, TimeUnit.SECONDS);
                samples.add(System.nanoTime() - t0);
            } catch (Exception e) {
                failed++;
                if (firstFailure == null) {
                    firstFailure = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        CpuMeter.Reading used = cpu.read().minus(cpuBefore);
        int done = Math.max(1, samples.size() + failed);
        System.out.println(String.format(Locale.ROOT, "RESULT scale-cpu nodes=%d kind=%s commits=%d machine_cores_busy=%.2f %s"
                        + " cpu_ms_per_node_per_commit=%.3f", n, kind, done, (used.userMs() + used.kernelMs()) / (seconds * 1000),
                used.describe(done, "commit"), (used.userMs() + used.kernelMs()) / done / n));
        System.out.println(String.format(Locale.ROOT,
                "RESULT scale nodes=%d kind=%s jvms=%d ok=%d failed=%d seconds=%.2f per_second=%.1f p50_ms=%.3f p99_ms=%.3f "
                        + "mean_ms=%.3f max_ms=%.3f connect_s=%.1f heap_per_node_kb=%d threads_per_node=%d measured_on=%d_nodes "
                        + "warmup_failed=%d warmup_commits=%d timings=%s coordinator=%s",
                n, kind, jvms, samples.size(), failed, seconds, samples.size() / seconds, samples.percentileMillis(50),
                samples.percentileMillis(99), samples.meanMillis(), samples.percentileMillis(100), connectSeconds,
                heapPerNode / 1024, threadsPerNode, localNodes, warmupFailures, seq - samples.size() - failed, label,
                coordinatorRemote == null ? coordinator.id() : coordinatorRemote + "(remote,via-" + coordinator.id() + ")"));
        if (firstFailure != null) {
            System.out.println("first failure: " + firstFailure);
        }
    }

    /**
     * A canary at 10%, then a rollback to 0%: the time from asking until every member reports the rolled
     * back version in the coordinator's view (its heartbeats; the view refreshes every 200 ms or so).
     */
    private void rollbackEverywhere(int n, CanaryNode coordinator) throws Exception {
        try {
            coordinator.proposeWeights(Weights.split("v1", "v2", 10)).get(30, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            long version = coordinator.proposeWeights(Weights.split("v1", "v2", 0)).get(30, TimeUnit.SECONDS).version();
            double committedMs = (System.nanoTime() - t0) / 1e6;
            long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline
                    && !coordinator.cluster().stream().allMatch(p -> p.committedVersion() >= version)) {
                Thread.sleep(10);
            }
            boolean all = coordinator.cluster().stream().allMatch(p -> p.committedVersion() >= version);
            System.out.println(String.format(Locale.ROOT, "RESULT scale-rollback nodes=%d committed_ms=%.1f everywhere_ms=%s",
                    n, committedMs, all ? String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e6) : "not-within-30s"));
        } catch (Exception e) {
            System.out.println("RESULT scale-rollback nodes=" + n + " error=" + e.getMessage());
        }
    }

    /** The local node that coordinates, once one does; the first local node (forwarding) if it is remote; null if none in 30 s. */
    private CanaryNode localCoordinator(NodeSlice mine, CanaryNode first, int n) throws InterruptedException {
        coordinatorRemote = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            var id = first.coordination().coordinator();
            if (id.isPresent() && first.isReady()) {
                for (CanaryNode node : mine.nodes()) {
                    if (node.id().equals(id.get())) {
                        return node;
                    }
                }
                coordinatorRemote = id.get();
                System.out.println("RESULT scale-note nodes=" + n + " coordinator=" + id.get() + " is in a helper JVM:"
                        + " proposals go through " + first.id() + " (one forwarding hop), coordinator_threads_ms reads "
                        + first.id() + "'s threads");
                return first;
            }
            Thread.sleep(50);
        }
        System.out.println("RESULT scale nodes=" + n + " error=no-coordinator-after-30s");
        return null;
    }

    private static boolean allReachable(CanaryNode coordinator, int n) {
        List<PeerStatus> peers = coordinator.cluster();
        return peers.size() == n && peers.stream().allMatch(PeerStatus::reachable);
    }

    private Process startHelper(Path dataDir, Map<String, HostPort> members, List<String> slice) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Xss256k", "-Djava.net.preferIPv4Stack=true"));
        // The helpers run their nodes on the same JIT as this JVM's (e.g. -XX:TieredStopAtLevel=1, BENCHMARKS §5e).
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:TieredStopAtLevel=") || a.equals("-XX:-TieredCompilation")).forEach(cmd::add);
        // More options for the helpers only (e.g. a JFR recording of a helper's nodes): SCALE_HELPER_JAVA_OPTS.
        String extra = System.getenv().getOrDefault("SCALE_HELPER_JAVA_OPTS", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.replace("{first}", slice.get(0)).split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ScaleHost.class.getName(), dataDir.toString(),
                String.join(",", timingArgs()) + ","));
        members.forEach((id, a) -> cmd.add(id + "=" + a.port()));
        cmd.add("--mine");
        cmd.addAll(slice);
        Process p = new ProcessBuilder(cmd).redirectError(dataDir.resolve("helper-" + slice.get(0) + ".err").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        while (line != null && line.startsWith("[")) {
            line = out.readLine(); // the JVM's own log lines (e.g. a JFR recording's start) come first
        }
        if (line == null || !line.startsWith("READY")) {
            p.destroyForcibly();
            throw new IOException("helper JVM for " + slice.get(0) + ".. did not start (see " + dataDir + ")");
        }
        return p;
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
