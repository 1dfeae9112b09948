package io.canary;

import io.canary.health.HealthSnapshot;
import io.canary.internal.health.HealthExchange;
import io.canary.internal.rollout.RolloutExtension;
import io.canary.internal.node.NodeExtension;
import io.canary.internal.node.NodeRuntime;
import io.canary.internal.node.NodeSettings;
import io.canary.log.StateLog;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.Judge;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.ThresholdJudge;
import io.canary.time.ExecutorScheduler;
import io.canary.time.Scheduler;
import io.canary.transport.Message;
import io.canary.transport.Transport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One member of a Canary cluster, embeddable in any Java service: it routes requests between
 * versions by the committed weights, measures each version's health, and takes part in the
 * two-phase commit of every weight change (the coordinator also runs rollouts).
 *
 * <pre>{@code
 * CanaryNode node = CanaryNode.builder().nodeId("node-b").members(List.of("node-a", "node-b", "node-c"))
 *         .transport(transport).dataDir(Path.of("logs")).build().start();
 * String version = node.route(userId);              // hot path: lock-free, allocation-free
 * node.record(version, latencyNanos, ok);
 * node.proposeWeights(Weights.split("v1", "v2", 10)).join();
 * }</pre>
 *
 * <p>Threading: every method is safe from any thread. {@link #route}, {@link #record} and the read
 * accessors never block and never touch the protocol thread. Changes ({@link #proposeWeights},
 * {@link #startRollout}, {@link #controlRollout}) return at once with a future that completes on the
 * node's protocol thread: do not block in its callbacks, or in a listener, since that stalls the
 * node's two-phase commit. Only {@link #start()} and {@link #close()} block.
 *
 * <p>Failure: a change that does not commit completes its future exceptionally with a
 * {@link ProposalFailedException} whose message says why (who voted NO and their reason, who did not
 * answer); a {@link ProposalTimeoutException} means no outcome arrived in time and the change may
 * still commit. Every future completes: at the latest after the request timeout plus the prepare
 * timeout of {@link NodeConfig}, or when the node closes.
 */
public final class CanaryNode implements AutoCloseable {

    private final NodeRuntime runtime;
    private final NodeSettings settings;
    private final HealthExchange health;
    private final RolloutExtension rollout;

    private CanaryNode(NodeSettings settings, HealthExchange health, RolloutExtension rollout) {
        this.settings = settings;
        this.health = health;
        this.rollout = rollout;
        this.runtime = new NodeRuntime(settings);
    }

    /** A builder with the defaults named on each of its setters. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Replays the state log on the calling thread (blocking for its I/O), starts the transport, and
     * queues the protocol's start on the protocol thread; returns before the node is ready (see
     * {@link #isReady()}). Call once.
     *
     * @return this node
     * @throws io.canary.log.LogDamagedException if the state log is damaged before its end (only a
     *     torn final line is dropped); its message names the file and line and says what to do
     * @throws java.io.UncheckedIOException if the state log cannot be read or written
     * @throws io.canary.transport.TransportException if the transport cannot start
     * @throws IllegalStateException if the node was started before
     */
    public CanaryNode start() {
        runtime.start();
        return this;
    }

    /** This node's id. */
    public String id() {
        return settings.nodeId();
    }

    /**
     * True while this node is the cluster's coordinator (it runs every transaction and rollout).
     * Dynamic: the role moves with elections (see {@link #coordination()}).
     */
    public boolean isCoordinator() {
        return runtime.isCoordinator();
    }

    /**
     * Who coordinates now as this node sees it, in which term, and whether this node routes
     * fail-safe (every request to the baseline, because it has no valid lease). Thread-safe, never
     * blocks: a snapshot published by the protocol thread after every event.
     */
    public CoordinationStatus coordination() {
        return runtime.coordination();
    }

    /**
     * The version for a request with this sticky key (the same key stays on one version while the
     * weights stand); a null key routes at random. Lock-free, allocation-free; never throws.
     */
    public String route(String key) {
        return runtime.router().route(key);
    }

    /** The version for a request without a key: uniform at random by the weights. Lock-free. */
    public String route() {
        return route(null);
    }

    /**
     * Records one request's outcome for a version. Lock-free, allocation-free; never throws. A version
     * that no committed state names (nor {@link Builder#servableVersions}) is ignored.
     */
    public void record(String version, long latencyNanos, boolean ok) {
        health.recorder().record(version, latencyNanos, ok);
    }

    /**
     * Records the outcome of a mirrored request: a copy of a real request sent to {@code version}
     * whose answer no user saw (traffic mirroring, shadow analysis). Kept apart from
     * {@link #record}: it appears in {@link HealthSnapshot#mirrors()} and {@link ClusterHealth#mirrors()}
     * only, never in a version's user traffic. Lock-free, allocation-free; never throws.
     */
    public void recordMirror(String version, long latencyNanos, boolean ok) {
        health.recorder().recordMirror(version, latencyNanos, ok);
    }

    /** The committed state this node routes on (one volatile read). */
    public RoutingState state() {
        return runtime.router().state();
    }

    /**
     * True while the node holds a valid lease: it is current with a coordinator backed by a majority
     * (or is that coordinator). False while it routes fail-safe (see {@link #coordination()}): after a
     * start until it has learned the committed state from a majority, while cut off from the majority
     * for longer than the lease timeout, and once closed. A node that is not ready still serves,
     * every request on the baseline.
     */
    public boolean isReady() {
        return runtime.isReady();
    }

    /**
     * Proposes new weights through two-phase commit, from any node (a participant forwards to the
     * current coordinator). Returns at once. Every change needs a durable YES from a majority of the
     * members; raising a non-baseline share needs a YES from every member, while lowering it goes on
     * without members that are unreachable, do not vote in time, or cannot take part (their disk
     * fails, they are closing).
     *
     * @return completes with the committed state, or exceptionally with a
     *     {@link ProposalFailedException} saying why (a {@link ProposalTimeoutException} when the
     *     outcome is unknown); fails at once on a closed node
     */
    public CompletableFuture<RoutingState> proposeWeights(Weights weights) {
        Objects.requireNonNull(weights, "weights");
        return command(new Message.ProposeWeights(weights));
    }

    /**
     * Like {@link #proposeWeights}, telling the caller whether its change is the one committed or was
     * superseded: weight sets queued at the coordinator are merged into one transaction (the last one's
     * weights win, as if each ran in turn), and every caller of such a batch learns the committed version
     * that carries its change or the later change that superseded it. Returns at once.
     *
     * @return completes with the {@link WeightChange}, or exceptionally like {@link #proposeWeights}
     *     (every caller of a batch that fails learns the failure)
     */
    public CompletableFuture<WeightChange> setWeights(Weights weights) {
        Objects.requireNonNull(weights, "weights");
        CompletableFuture<io.canary.internal.protocol.Outcome.Success> detailed = new CompletableFuture<>();
        Message.Command command = new Message.ProposeWeights(weights);
        runtime.call(callId -> runtime.protocol().command(callId, command, runtimeNow()), detailed);
        return detailed.thenApply(s -> new WeightChange(s.state(), s.supersededBy()));
    }

    /**
     * Starts a rollout (forwarded to the coordinator). Returns at once.
     *
     * @return completes with the committed state of the first step, or exceptionally with a
     *     {@link ProposalFailedException} (e.g. a rollout is already running)
     */
    public CompletableFuture<RoutingState> startRollout(RolloutPlan plan) {
        Objects.requireNonNull(plan, "plan");
        return command(new Message.StartRollout(plan));
    }

    /**
     * Pauses, resumes, promotes or aborts the running rollout (forwarded to the coordinator). Returns
     * at once.
     *
     * @return completes with the committed state after the action, or exceptionally with a
     *     {@link ProposalFailedException} (e.g. no rollout is running)
     */
    public CompletableFuture<RoutingState> controlRollout(RolloutAction action) {
        Objects.requireNonNull(action, "action");
        return command(new Message.ControlRollout(action));
    }

    private CompletableFuture<RoutingState> command(Message.Command command) {
        return runtime.call(callId -> runtime.protocol().command(callId, command, runtimeNow()));
    }

    private long runtimeNow() {
        return settings.scheduler().monotonicMillis();
    }

    /** The rollout as this node sees it: progress from the committed state, the plan and the last verdicts. Never blocks. */
    public RolloutStatus rolloutStatus() {
        return rollout.status(state());
    }

    /** This node's health per version over its window. Never blocks. */
    public HealthSnapshot health() {
        return health.health();
    }

    /** Health merged over every node that reported within the window (histograms merged, not averaged). Never blocks. */
    public ClusterHealth clusterHealth() {
        return health.clusterHealth();
    }

    /** Every member as this node sees it (reachable, stale, committed version), itself included. Never blocks. */
    public List<PeerStatus> cluster() {
        return runtime.cluster();
    }

    /**
     * Calls {@code listener} on the protocol thread with each state this node commits or syncs to,
     * after it is durable and routing follows it. It must not block; an exception it throws is logged
     * and ignored.
     */
    public void addListener(Consumer<RoutingState> listener) {
        runtime.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Stops the node; idempotent, from any thread, blocking at most a few seconds. With its own
     * protocol thread (the default scheduler, or an {@link ExecutorScheduler} given), messages already
     * queued are handled first, in closing mode: a Prepare among them gets a NO saying the node is
     * shutting down, and callers queued at the coordinator are told it is closing. Then the timers,
     * the transport and the protocol thread (if the node owns it) stop and the state log is closed,
     * only once no protocol task is running. Callers still waiting fail with a
     * {@link ProposalFailedException}.
     */
    @Override
    public void close() {
        runtime.close();
    }

    @Override
    public String toString() {
        return "CanaryNode[" + id() + (isCoordinator() ? ", coordinator" : "") + ", version " + state().version() + "]";
    }

    /** Builds a node; {@link #build()} validates and names what is missing or wrong. Not thread-safe. */
    public static final class Builder {
        private String nodeId;
        private List<String> members;
        private String coordinatorId;
        private Transport transport;
        private Path dataDir = Path.of("logs");
        private StateLog stateLog;
        private RoutingState initialState = RoutingState.initial("v1", "v2");
        private Set<String> servableVersions = Set.of();
        private NodeConfig config = NodeConfig.ofDefaults();
        private Scheduler scheduler;
        private final List<NodeExtension> extensions = new ArrayList<>();
        private Judge judge;

        private Builder() {
        }

        /** This node's id, e.g. {@code node-b}. Required. */
        public Builder nodeId(String nodeId) {
            this.nodeId = nodeId;
            return this;
        }

        /** Every member's id, this node's included. Required. */
        public Builder members(List<String> memberIds) {
            this.members = memberIds == null ? null : List.copyOf(memberIds);
            return this;
        }

        /** The coordinator's id; defaults to the first member. */
        public Builder coordinatorId(String coordinatorId) {
            this.coordinatorId = coordinatorId;
            return this;
        }

        /** How messages reach the peers. Required; the node starts it and closes it. */
        public Builder transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        /** Directory of the state log {@code <dataDir>/<nodeId>.log}; default {@code ./logs}. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
            return this;
        }

        /** A state log to use instead of the file in {@link #dataDir} (e.g. a MemoryStateLog in tests); the node closes it. */
        public Builder stateLog(StateLog stateLog) {
            this.stateLog = stateLog;
            return this;
        }

        /** The state of a fresh cluster; default version 1, {@code {v1: 1.0, v2: 0.0}}, baseline v1. */
        public Builder initialState(RoutingState initial) {
            this.initialState = Objects.requireNonNull(initial, "initialState");
            return this;
        }

        /** Versions this node can serve; a proposal giving traffic to others gets a NO. Default: any. */
        public Builder servableVersions(Set<String> versions) {
            this.servableVersions = Set.copyOf(Objects.requireNonNull(versions, "servableVersions"));
            return this;
        }

        /** Protocol timings; default {@link NodeConfig#ofDefaults()}. */
        public Builder config(NodeConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * The node's clock and protocol thread; default a new {@link ExecutorScheduler} that the node
         * stops on close. A scheduler given here is not stopped by the node.
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /**
         * A judge for every rollout, instead of the one each plan names ({@link RolloutPlan#judge()}:
         * the anytime-valid {@link io.canary.rollout.SequentialJudge} by default, or the
         * {@link ThresholdJudge}). Only the coordinator's judge is used. See {@link Judge} for the
         * contract (pure, fast).
         */
        public Builder judge(Judge judge) {
            this.judge = Objects.requireNonNull(judge, "judge");
            return this;
        }

        /** INTERNAL SPI: plugs a part of the node (health exchange, rollout controller) into its runtime. */
        public Builder extension(NodeExtension extension) {
            extensions.add(Objects.requireNonNull(extension, "extension"));
            return this;
        }

        /**
         * Validates the settings and opens the state log (taking its file lock, so a second node with
         * the same id and data directory fails here); the node is not started yet.
         *
         * @throws IllegalArgumentException naming the missing or wrong setting
         * @throws java.io.UncheckedIOException if the state log in the data directory cannot be opened
         */
        public CanaryNode build() {
            NodeAssembly.Parts parts = NodeAssembly.assemble(new NodeAssembly.Wanted(nodeId, members, coordinatorId,
                    transport, dataDir, stateLog, initialState, servableVersions, config, scheduler, judge, extensions));
            return new CanaryNode(parts.settings(), parts.health(), parts.rollout());
        }
    }
}
