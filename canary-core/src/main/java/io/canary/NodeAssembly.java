package io.canary;

import io.canary.internal.health.HealthExchange;
import io.canary.internal.node.NodeExtension;
import io.canary.internal.node.NodeSettings;
import io.canary.internal.rollout.RolloutExtension;
import io.canary.log.FileStateLog;
import io.canary.log.StateLog;
import io.canary.model.RoutingState;
import io.canary.rollout.Judge;
import io.canary.time.ExecutorScheduler;
import io.canary.time.Scheduler;
import io.canary.transport.Transport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * What {@link CanaryNode.Builder#build()} does: validates the builder's settings (naming what is
 * missing or wrong), opens the state log, and wires the node's parts (its runtime settings, the
 * health exchange and the rollout controller, then the extensions given). Kept apart from
 * {@link CanaryNode}, whose job is the public API. Called on the building thread only.
 */
final class NodeAssembly {

    /** The builder's settings as given (nulls for what was not set). */
    record Wanted(String nodeId, List<String> members, String coordinatorId, Transport transport, Path dataDir,
                  StateLog stateLog, RoutingState initialState, Set<String> servableVersions, NodeConfig config,
                  Scheduler scheduler, Judge judge, List<NodeExtension> extensions) {
    }

    /** The wired parts a node is made of. */
    record Parts(NodeSettings settings, HealthExchange health, RolloutExtension rollout) {
    }

    private NodeAssembly() {
    }

    /**
     * @throws IllegalArgumentException naming the missing or wrong setting
     * @throws java.io.UncheckedIOException if the state log in the data directory cannot be opened
     */
    static Parts assemble(Wanted w) {
        String nodeId = w.nodeId();
        List<String> members = w.members();
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId is required");
        }
        if (members == null || members.isEmpty()) {
            throw new IllegalArgumentException("members is required: every member's id, " + nodeId + " included");
        }
        if (new LinkedHashSet<>(members).size() != members.size()) {
            throw new IllegalArgumentException("members must not repeat an id, got " + members);
        }
        if (!members.contains(nodeId)) {
            throw new IllegalArgumentException("members " + members + " must include this node " + nodeId);
        }
        String coordinator = w.coordinatorId() != null ? w.coordinatorId() : members.get(0);
        if (!members.contains(coordinator)) {
            throw new IllegalArgumentException("coordinatorId " + coordinator + " is not among the members " + members);
        }
        if (w.transport() == null) {
            throw new IllegalArgumentException("transport is required");
        }
        // Validated first: a bad setting never leaves a state log open (and its file lock taken).
        StateLog log = w.stateLog() != null ? w.stateLog() : FileStateLog.open(w.dataDir(), nodeId);
        boolean ownsScheduler = w.scheduler() == null;
        Scheduler s = ownsScheduler ? new ExecutorScheduler(nodeId) : w.scheduler();
        long requestIdBase = new SplittableRandom().nextLong() >>> 2;
        NodeConfig config = w.config();
        HealthExchange health = new HealthExchange(nodeId, coordinator, config, w.servableVersions(), w.initialState(),
                new io.canary.time.SteadyClock(s)); // health windows: unmoved by wall-clock steps
        RolloutExtension rollout = new RolloutExtension(w.judge(), health, config.maxPause());
        List<NodeExtension> all = new ArrayList<>(List.of(health, rollout));
        all.addAll(w.extensions());
        NodeSettings settings = new NodeSettings(nodeId, members, coordinator, w.servableVersions(), config,
                w.initialState(), w.transport(), log, s, ownsScheduler, all, requestIdBase);
        return new Parts(settings, health, rollout);
    }
}
