package io.canary.internal.node;

import io.canary.NodeConfig;
import io.canary.log.StateLog;
import io.canary.model.RoutingState;
import io.canary.time.Scheduler;
import io.canary.transport.Transport;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a {@link NodeRuntime} is built from, validated by the public builder.
 *
 * @param servableVersions empty means any version
 * @param ownsScheduler true if the runtime created the scheduler and must stop it on close
 * @param requestIdBase first id of forwarded requests; must differ across restarts
 */
public record NodeSettings(String nodeId, List<String> members, String coordinatorId, Set<String> servableVersions,
                           NodeConfig config, RoutingState initialState, Transport transport, StateLog log,
                           Scheduler scheduler, boolean ownsScheduler, List<NodeExtension> extensions,
                           long requestIdBase) {
    public NodeSettings {
        Objects.requireNonNull(nodeId, "nodeId");
        members = List.copyOf(members);
        Objects.requireNonNull(coordinatorId, "coordinatorId");
        servableVersions = Set.copyOf(servableVersions);
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(initialState, "initialState");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(scheduler, "scheduler");
        extensions = List.copyOf(extensions);
    }
}
