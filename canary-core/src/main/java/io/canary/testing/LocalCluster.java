package io.canary.testing;

import io.canary.CanaryNode;
import io.canary.NodeConfig;
import io.canary.log.MemoryStateLog;
import io.canary.model.RoutingState;
import io.canary.time.ManualScheduler;
import io.canary.transport.local.LocalNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * A whole Canary cluster inside one JVM and one thread, for tests: nodes {@code node-a},
 * {@code node-b}, ... (node-a coordinates) on one {@link ManualScheduler} (virtual time that moves
 * only when told), one {@link LocalNetwork} (with fault injection) and one {@link MemoryStateLog}
 * per node (which survives a crash the way a disk does). Everything is deterministic for a given
 * seed: no sleeps, no threads, no flakiness.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().nodes(3).build()) {
 *     cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(5));
 *     CompletableFuture<RoutingState> f = cluster.node("node-b").proposeWeights(Weights.split("v1", "v2", 10));
 *     cluster.advanceUntil(f::isDone, Duration.ofSeconds(5));
 *     cluster.crash("node-a");
 *     cluster.restart("node-a");
 * }
 * }</pre>
 *
 * <p>Copy it into your own tests freely. Threading: drive it from one thread (the test's); the
 * nodes' protocol work runs on that thread inside {@link #advance} and friends, so nothing here
 * blocks or waits in real time. Failure: a node's protocol task that throws is kept in
 * {@link #failures()} (a test should assert it stays empty); a change that fails completes its future
 * exceptionally, as on a real node, once virtual time has moved far enough.
 */
public final class LocalCluster implements AutoCloseable {

    /** Default config: short timings, so that tests read naturally in virtual seconds. */
    public static final NodeConfig DEFAULT_CONFIG = NodeConfig.custom()
            .prepareTimeout(Duration.ofSeconds(1)).retryInterval(Duration.ofMillis(100))
            .heartbeatInterval(Duration.ofMillis(100)).peerTimeout(Duration.ofMillis(500))
            .electionTimeout(Duration.ofMillis(600)).electionStagger(Duration.ofMillis(200))
            .leaseTimeout(Duration.ofMillis(1500))
            .syncTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(5)).build();

    private final ManualScheduler scheduler;
    private final LocalNetwork network;
    private final List<String> ids;
    private final Builder settings;
    private final Map<String, MemoryStateLog> logs = new HashMap<>();
    private final Map<String, CanaryNode> nodes = new LinkedHashMap<>();

    private LocalCluster(Builder b) {
        this.settings = b;
        this.scheduler = new ManualScheduler(b.startMillis);
        this.network = new LocalNetwork(scheduler, b.seed);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < b.nodes; i++) {
            names.add(nodeId(i));
        }
        this.ids = List.copyOf(names);
        for (String id : ids) {
            logs.put(id, new MemoryStateLog(id));
        }
    }

    /** {@code node-a} for 0, {@code node-b} for 1, ..., {@code node-z}, then {@code node-27} and on. */
    public static String nodeId(int index) {
        return index < 26 ? "node-" + (char) ('a' + index) : "node-" + (index + 1);
    }

    /** A builder: three nodes, {@link #DEFAULT_CONFIG}, seed 1. */
    public static Builder builder() {
        return new Builder();
    }

    private LocalCluster startAll() {
        for (String id : ids) {
            startNode(id);
        }
        scheduler.runPending();
        return this;
    }

    private CanaryNode startNode(String id) {
        CanaryNode.Builder b = CanaryNode.builder().nodeId(id).members(ids).coordinatorId(ids.get(0))
                .transport(network.transport(id)).stateLog(logs.get(id)).scheduler(scheduler)
                .initialState(settings.initialState).config(settings.config);
        Set<String> servable = settings.servable.get(id);
        if (servable != null) {
            b.servableVersions(servable);
        }
        settings.customizer.accept(id, b);
        CanaryNode node = b.build().start();
        nodes.put(id, node);
        return node;
    }

    /** The running node with this id. */
    public CanaryNode node(String id) {
        CanaryNode node = nodes.get(id);
        if (node == null) {
            throw new IllegalArgumentException("no node " + id + " in " + ids);
        }
        return node;
    }

    /** Every node, coordinator first (crashed ones included, until restarted). */
    public List<CanaryNode> nodes() {
        return List.copyOf(nodes.values());
    }

    /** Every node's id, coordinator first. */
    public List<String> ids() {
        return ids;
    }

    /** The log of a node: it outlives crashes and restarts. */
    public MemoryStateLog log(String id) {
        MemoryStateLog log = logs.get(id);
        if (log == null) {
            throw new IllegalArgumentException("no node " + id + " in " + ids);
        }
        return log;
    }

    /** The one scheduler of every node: virtual time. */
    public ManualScheduler scheduler() {
        return scheduler;
    }

    /** The network, for finer faults than {@link #partition}, {@link #isolate} and {@link #heal}. */
    public LocalNetwork network() {
        return network;
    }

    /** Moves virtual time forward, running everything that falls due. */
    public void advance(Duration by) {
        scheduler.advance(by);
    }

    /**
     * Moves virtual time forward event by event until {@code condition} holds or {@code max} has
     * passed. Returns whether it holds.
     */
    public boolean advanceUntil(BooleanSupplier condition, Duration max) {
        scheduler.runPending();
        // On the virtual (monotonic) timeline the tasks are due on: the wall clock may have been stepped.
        long deadline = scheduler.monotonicMillis() + max.toMillis();
        while (!condition.getAsBoolean()) {
            OptionalLong next = scheduler.nextTaskTime();
            long now = scheduler.monotonicMillis();
            if (now >= deadline) {
                return false;
            }
            scheduler.advanceTo(next.isPresent() ? Math.min(Math.max(next.getAsLong(), now), deadline) : deadline);
        }
        return true;
    }

    /** The node that coordinates now (elected, past its recovery round), if any running node does. */
    public java.util.Optional<CanaryNode> coordinator() {
        return nodes.values().stream().filter(CanaryNode::isCoordinator).findFirst();
    }

    /**
     * Loses a crashed (or closed) node's data directory: its log comes back empty, as after a disk
     * replacement or a wiped volume. Restart it with {@link #restart}.
     */
    public void wipe(String id) {
        node(id).close();
        logs.put(id, new MemoryStateLog(id));
    }

    /**
     * Gives a crashed (or closed) node's data directory back holding only {@code records}, durable:
     * a restored backup, or a disk whose fsync lied and lost the rest. Restart it with {@link #restart}.
     */
    public void restoreLog(String id, List<io.canary.log.LogRecord> records) {
        node(id).close();
        MemoryStateLog restored = new MemoryStateLog(id);
        for (io.canary.log.LogRecord r : records) {
            restored.append(r, true);
        }
        logs.put(id, restored);
    }

    /**
     * The operator's remedy for a member lost for good: a new node started under its name on an empty data dir
     * (what {@link #wipe} then {@link #restart} do, in one step). A node that restarted amnesiac (empty or restored
     * log) votes and serves the canary only once it heard every member, so a lost member it never heard must be
     * replaced for elections to resume (ARCHITECTURE, "Amnesia").
     */
    public CanaryNode replace(String id) {
        wipe(id);
        return restart(id);
    }

    /** True when every node is ready and running. */
    public boolean allReady() {
        return nodes.values().stream().allMatch(CanaryNode::isReady);
    }

    /** Kills a node: what its log had not made durable is lost, and it stops at once. */
    public void crash(String id) {
        crash(id, false);
    }

    /** Kills a node, also tearing the last durable record of its log if {@code tearLastRecord} (a crash mid-write). */
    public void crash(String id, boolean tearLastRecord) {
        log(id).crash(tearLastRecord);
        node(id).close();
    }

    /** Starts a new node on a crashed (or closed) node's log, as a process restart would. */
    public CanaryNode restart(String id) {
        CanaryNode old = node(id);
        old.close();
        CanaryNode node = startNode(id);
        scheduler.runPending();
        return node;
    }

    /** Cuts every link between the two sides, both ways. */
    public void partition(Set<String> sideA, Set<String> sideB) {
        network.partition(sideA, sideB);
    }

    /** Cuts a node off from every other. */
    public void isolate(String id) {
        network.isolate(id);
    }

    /** Removes every network fault. */
    public void heal() {
        network.heal();
    }

    /** Failures of tasks run by the scheduler (a node's protocol code threw); should stay empty. */
    public List<Throwable> failures() {
        return scheduler.failures();
    }

    /** Closes every node (nothing to wait for: no thread runs). Idempotent. */
    @Override
    public void close() {
        for (CanaryNode node : nodes.values()) {
            node.close();
        }
    }

    /** Configures a cluster; {@link #build()} starts it. */
    public static final class Builder {
        private int nodes = 3;
        private long seed = 1;
        private long startMillis = 1_700_000_000_000L;
        private NodeConfig config = DEFAULT_CONFIG;
        private RoutingState initialState = RoutingState.initial("v1", "v2");
        private final Map<String, Set<String>> servable = new HashMap<>();
        private BiConsumer<String, CanaryNode.Builder> customizer = (id, b) -> { };

        private Builder() {
        }

        /** How many nodes, named node-a, node-b, ...; default 3. */
        public Builder nodes(int count) {
            if (count < 1) {
                throw new IllegalArgumentException("nodes must be >= 1, got " + count);
            }
            this.nodes = count;
            return this;
        }

        /** Seeds the network's faults (loss, delay, duplication); default 1. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Where virtual time starts, in epoch milliseconds; default 1,700,000,000,000 (November 2023). */
        public Builder startMillis(long startMillis) {
            this.startMillis = startMillis;
            return this;
        }

        /** Every node's config; default {@link #DEFAULT_CONFIG}. */
        public Builder config(NodeConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The state of a fresh cluster; default version 1, {@code {v1: 1.0, v2: 0.0}}, baseline v1. */
        public Builder initialState(RoutingState initialState) {
            this.initialState = Objects.requireNonNull(initialState, "initialState");
            return this;
        }

        /** The versions {@code nodeId} can serve (default: any). */
        public Builder servableVersions(String nodeId, Set<String> versions) {
            servable.put(nodeId, Set.copyOf(versions));
            return this;
        }

        /** Last word on each node's builder (e.g. to plug an extension in); runs at every (re)start. */
        public Builder customize(BiConsumer<String, CanaryNode.Builder> customizer) {
            this.customizer = Objects.requireNonNull(customizer, "customizer");
            return this;
        }

        /** Builds and starts every node (they have not heard from each other yet: advance time). */
        public LocalCluster build() {
            return new LocalCluster(this).startAll();
        }
    }
}
