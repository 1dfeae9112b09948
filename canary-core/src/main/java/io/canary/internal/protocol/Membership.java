package io.canary.internal.protocol;

import io.canary.NodeConfig;
import io.canary.PeerStatus;
import io.canary.model.RoutingState;
import io.canary.transport.Message.Heartbeat;
import io.canary.transport.Message.StateSync;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who is alive and how far along each member is, as seen by one node. A peer is reachable if any
 * message from it arrived within the peer timeout. The coordinator also marks members stale when a
 * transaction went on without them, and sends its committed state to any member whose heartbeat
 * shows it is behind.
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
public final class Membership {

    private final String selfId;
    private final List<String> members;
    private final String coordinatorId;
    private final NodeConfig config;
    private final Map<String, Long> lastHeard = new HashMap<>();
    private final Map<String, Long> reportedVersion = new HashMap<>();
    private final Map<String, Boolean> reportedReady = new HashMap<>();
    private final Set<String> stale = new HashSet<>();
    /** Per member, the version it was last warned about for being ahead of the coordinator. */
    private final Map<String, Long> warnedAhead = new HashMap<>();
    private long coordinatorVersion = -1;

    public Membership(String selfId, List<String> members, String coordinatorId, NodeConfig config) {
        this.selfId = Objects.requireNonNull(selfId, "selfId");
        this.members = List.copyOf(members);
        this.coordinatorId = Objects.requireNonNull(coordinatorId, "coordinatorId");
        this.config = Objects.requireNonNull(config, "config");
    }

    public List<String> members() {
        return members;
    }

    /** Any message from {@code from} proves it alive. */
    public void heard(String from, long now) {
        if (!from.equals(selfId)) {
            lastHeard.put(from, now);
        }
    }

    public boolean isReachable(String node, long now) {
        if (node.equals(selfId)) {
            return true;
        }
        Long at = lastHeard.get(node);
        return at != null && now - at <= config.peerTimeout().toMillis();
    }

    /** Marks {@code node} as having missed a commit: it catches up through StateSync. */
    public void markStale(String node) {
        if (!node.equals(selfId)) {
            stale.add(node);
        }
    }

    public boolean isStale(String node) {
        return stale.contains(node);
    }

    /** Heartbeats to every peer, and the next tick. */
    public List<Effect> onHeartbeatTick(long committedVersion, boolean ready) {
        List<Effect> out = new ArrayList<>();
        Heartbeat heartbeat = new Heartbeat(committedVersion, ready);
        for (String member : members) {
            if (!member.equals(selfId)) {
                out.add(new Effect.Send(member, heartbeat));
            }
        }
        out.add(new Effect.Schedule(config.heartbeatInterval(), new Timer.HeartbeatTick()));
        return out;
    }

    /**
     * Records what {@code from} reports. On the coordinator, a member reporting an older committed
     * version gets the current committed state.
     *
     * @param committed this node's committed state
     */
    public List<Effect> onHeartbeat(String from, Heartbeat heartbeat, RoutingState committed, long now) {
        List<Effect> out = new ArrayList<>();
        heard(from, now);
        reportedVersion.put(from, heartbeat.committedVersion());
        reportedReady.put(from, heartbeat.ready());
        if (from.equals(coordinatorId)) {
            coordinatorVersion = heartbeat.committedVersion();
        }
        if (!selfId.equals(coordinatorId)) {
            return out;
        }
        long version = committed.version();
        if (heartbeat.committedVersion() < version) {
            out.add(new Effect.Send(from, new StateSync(committed)));
        } else {
            stale.remove(from);
            // Every heartbeat (twice a second) would repeat it: warn once per member and version.
            if (heartbeat.committedVersion() > version
                    && !Long.valueOf(heartbeat.committedVersion()).equals(warnedAhead.put(from, heartbeat.committedVersion()))) {
                out.add(new Effect.Log(Level.WARNING, from + " reports committed version " + heartbeat.committedVersion()
                        + " but the coordinator " + selfId + " has only " + version
                        + "; was the coordinator's log lost?"));
            }
        }
        return out;
    }

    /** The coordinator's committed version as last reported by its heartbeat, -1 if not heard yet. */
    public long coordinatorVersion() {
        return coordinatorVersion;
    }

    /** Every member as this node sees it. */
    public List<PeerStatus> view(long ownVersion, long now) {
        long reference = selfId.equals(coordinatorId) ? ownVersion : coordinatorVersion;
        List<PeerStatus> view = new ArrayList<>(members.size());
        for (String member : members) {
            boolean coordinator = member.equals(coordinatorId);
            if (member.equals(selfId)) {
                view.add(new PeerStatus(member, coordinator, true, ownVersion,
                        reference >= 0 && ownVersion < reference, now));
                continue;
            }
            long version = reportedVersion.getOrDefault(member, -1L);
            boolean behind = reference >= 0 && version >= 0 && version < reference;
            view.add(new PeerStatus(member, coordinator, isReachable(member, now), version,
                    stale.contains(member) || behind, lastHeard.getOrDefault(member, 0L)));
        }
        return view;
    }
}
