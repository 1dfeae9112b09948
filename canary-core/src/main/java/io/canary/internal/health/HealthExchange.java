package io.canary.internal.health;

import io.canary.ClusterHealth;
import io.canary.NodeConfig;
import io.canary.health.ClusterHealthView;
import io.canary.health.HealthRecorder;
import io.canary.health.HealthSnapshot;
import io.canary.health.VersionWindow;
import io.canary.internal.node.NodeContext;
import io.canary.internal.node.NodeExtension;
import io.canary.internal.protocol.Succession;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.time.Scheduler;
import io.canary.transport.Message;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * A node's health: measures its own traffic ({@link HealthRecorder}), sends its snapshot each health
 * interval to the coordinator and its warm successors ({@link Succession#healthTargets}: N messages
 * per interval, not N²), and keeps the snapshots it receives ({@link ClusterHealthView}).
 *
 * <p>What each node knows: the coordinator and its {@link Succession#WARM_SUCCESSORS} successors hold
 * every node's latest snapshot (the judge reads the coordinator's merged view; a successor that takes
 * over judges at once on the same evidence); any other member holds its own snapshot and those of
 * nodes that still count it a hub (e.g. during an election), so its {@link #clusterHealth()} is
 * partial. With three members every node is a hub and every view is complete.
 *
 * <p>The versions measured follow the committed routing state (plus the versions the node declares
 * servable); when the weights change, every window restarts, so a node's health always describes
 * traffic routed under the weights it serves now. A rollout step is judged on exactly that.
 *
 * <p>Threading: {@link #recorder()} records from any thread; {@link #clusterHealth()} and
 * {@link #health()} read from any thread; the extension callbacks run on the protocol thread.
 */
public final class HealthExchange implements NodeExtension {
    private final String nodeId;
    private final String preferredCoordinator;
    private final NodeConfig config;
    private final Set<String> servable;
    private final LongSupplier clock;
    private final HealthRecorder recorder;
    private final ClusterHealthView view;
    private NodeContext context;
    private Weights weights;
    private Scheduler.Cancellable reports;
    private Succession succession;

    /**
     * @param servable versions the node declares it can serve (empty: only those of the routing state)
     * @param initial the state the node starts from before its log is replayed
     * @param clock the node's clock, epoch milliseconds
     */
    public HealthExchange(String nodeId, NodeConfig config, Set<String> servable, RoutingState initial, LongSupplier clock) {
        this(nodeId, "", config, servable, initial, clock);
    }

    /**
     * @param preferredCoordinator first in the succession order ("" for the first member)
     * @param servable versions the node declares it can serve (empty: only those of the routing state)
     * @param initial the state the node starts from before its log is replayed
     * @param clock the node's clock, epoch milliseconds
     */
    public HealthExchange(String nodeId, String preferredCoordinator, NodeConfig config, Set<String> servable,
                          RoutingState initial, LongSupplier clock) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.preferredCoordinator = Objects.requireNonNull(preferredCoordinator, "preferredCoordinator");
        this.config = Objects.requireNonNull(config, "config");
        this.servable = Set.copyOf(servable);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.recorder = new HealthRecorder(nodeId, config.healthWindow(), VersionWindow.DEFAULT_SUB_WINDOWS, clock);
        this.view = new ClusterHealthView(config.healthWindow());
        track(initial);
    }

    /** Where {@code record()} goes. */
    public HealthRecorder recorder() {
        return recorder;
    }

    /** This node's health over its window, now. */
    public HealthSnapshot health() {
        return recorder.snapshot();
    }

    /** Every node that reported within the window (this one with a fresh snapshot), merged. */
    public ClusterHealth clusterHealth() {
        long now = clock.getAsLong();
        view.update(recorder.snapshot(), now);
        return view.merged(now);
    }

    /** Like {@link #clusterHealth()}, but only reports that arrived at or after {@code since}: one rollout step's. */
    public ClusterHealth clusterHealthSince(long since) {
        long now = clock.getAsLong();
        view.update(recorder.snapshot(), now);
        return view.mergedSince(since, now);
    }

    /**
     * The current step's cumulative evidence merged over every node that counts step {@code key}
     * (see {@link io.canary.health.StepCounts#keyOf}), this node's own counts fresh.
     */
    public ClusterHealth stepHealth(String key) {
        long now = clock.getAsLong();
        view.update(recorder.snapshot(), now);
        return view.mergedStep(key, now);
    }

    @Override
    public void start(NodeContext ctx, List<LogRecord> replayed) {
        this.context = ctx;
        this.succession = new Succession(ctx.members(),
                preferredCoordinator.isEmpty() ? ctx.members().get(0) : preferredCoordinator);
        track(ctx.committed());
        reports = ctx.every(config.healthInterval(), this::report);
    }

    @Override
    public void onMessage(String from, Message message) {
        // A report speaks for its sender only: one naming another node is ignored.
        if (message instanceof Message.HealthReport r && r.snapshot().nodeId().equals(from) && !from.equals(nodeId)) {
            view.update(r.snapshot(), clock.getAsLong());
        }
    }

    @Override
    public void onCommitted(RoutingState state) {
        track(state);
    }

    @Override
    public void close() {
        if (reports != null) {
            reports.cancel();
        }
    }

    private void report() {
        HealthSnapshot own = recorder.snapshot();
        view.update(own, clock.getAsLong());
        Message.HealthReport report = new Message.HealthReport(own);
        for (String to : succession.healthTargets(nodeId, context.coordinatorId())) {
            context.send(to, report);
        }
    }

    private void track(RoutingState state) {
        Set<String> versions = new TreeSet<>(state.weights().versions());
        versions.addAll(servable);
        if (!state.rollout().canary().isEmpty()) {
            versions.add(state.rollout().canary());
        }
        recorder.trackVersions(versions);
        String key = io.canary.health.StepCounts.keyOf(state);
        if (!key.equals(recorder.stepKey())) {
            recorder.startStep(key); // restarts the windows too
        } else if (weights != null && !weights.equals(state.weights())) {
            recorder.truncate();
        }
        weights = state.weights();
    }
}
