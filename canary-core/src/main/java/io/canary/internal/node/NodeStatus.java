package io.canary.internal.node;

import io.canary.CoordinationStatus;
import io.canary.PeerStatus;
import io.canary.internal.protocol.ProtocolNode;
import io.canary.model.RoutingState;
import io.canary.routing.Router;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * What a node shows the world after every event, taken from its {@link ProtocolNode}: readiness,
 * its view of the members and who coordinates (volatile, read by any thread), fail-safe routing on
 * the {@link Router} (with one log line per change), and the extensions told of every change of role
 * or term ({@code onRoleChange}).
 *
 * <p>{@link #publish} runs on the protocol thread only; the getters on any thread.
 */
final class NodeStatus {
    private static final System.Logger LOG = System.getLogger("io.canary.node");

    private final String selfId;
    private final Router router;
    private final Extensions extensions;
    private volatile boolean ready;
    private volatile List<PeerStatus> peers = List.of();
    /** When {@link #peers} was built (monotonic; protocol thread only). */
    private long peersAt = Long.MIN_VALUE / 2;
    /** How stale the published member view may get, on top of the time to the next event (a heartbeat at most). */
    static final long VIEW_REFRESH_MILLIS = 200;
    /**
     * Beyond {@link #ALWAYS_FRESH_UP_TO} members, how stale the view may get while nobody reads it: a member of
     * 100 nodes rebuilding 100 entries every 200 ms for no reader was ~9% of its protocol thread (BENCHMARKS §5f).
     * The first read after a quiet spell sees a view up to this old, the next ones one of at most
     * {@link #VIEW_REFRESH_MILLIS}.
     */
    static final long UNREAD_VIEW_REFRESH_MILLIS = 1_000;
    /** Set by a reader of {@link #peers()}, cleared when the view is rebuilt. */
    private volatile boolean viewRead = true;
    /** Clusters up to this size rebuild the view after every event (cheap, and always exact). */
    static final int ALWAYS_FRESH_UP_TO = 16;
    private volatile CoordinationStatus coordination = CoordinationStatus.unknown();
    private volatile boolean coordinator;
    /** The role the extensions were last told of (protocol thread only). */
    private boolean toldCoordinator;
    private long toldTerm = -1;

    NodeStatus(String selfId, Router router, Extensions extensions) {
        this.selfId = selfId;
        this.router = router;
        this.extensions = extensions;
    }

    /** Publishes the protocol's status at {@code now}; {@code closed}: the node is closed (never serves the canary). */
    void publish(ProtocolNode protocol, long now, boolean closed) {
        CoordinationStatus status = protocol.coordination(now);
        CoordinationStatus before = coordination;
        coordination = status;
        router.failSafe(status.failSafe() || closed);
        // After failSafe (see Router): the router goes fail-safe at the deadline even if no event runs by then.
        router.leaseUntil(closed ? now : protocol.leaseDeadline(now));
        if (status.failSafe() != before.failSafe() || !status.failSafeReason().equals(before.failSafeReason())) {
            LOG.log(status.failSafe() ? Level.WARNING : Level.INFO, "[" + selfId + "] " + (status.failSafe()
                    ? "fail-safe: routing every request to the baseline " + router.state().baseline() + ": "
                            + status.failSafeReason()
                    : "routing on the committed weights again (lease valid)"));
        }
        ready = protocol.isReady() && !status.failSafe();
        // The member view is O(N) to build: in a large cluster at most once per VIEW_REFRESH_MILLIS, not
        // on every message (a coordinator of 1,000 nodes receives thousands per heartbeat interval).
        long age = now - peersAt;
        if (peers.size() <= ALWAYS_FRESH_UP_TO || now < peersAt || age >= UNREAD_VIEW_REFRESH_MILLIS
                || (age >= VIEW_REFRESH_MILLIS && viewRead)) {
            viewRead = false;
            peers = protocol.view(now);
            peersAt = now;
        }
        boolean isCoordinator = protocol.isCoordinator();
        coordinator = isCoordinator;
        if (isCoordinator != toldCoordinator || (isCoordinator && status.term() != toldTerm)) {
            if (toldCoordinator && isCoordinator) {
                tellRole(protocol, false, toldTerm); // a new term: the old reign ended first
            }
            toldCoordinator = isCoordinator;
            toldTerm = status.term();
            tellRole(protocol, isCoordinator, status.term());
        }
    }

    private void tellRole(ProtocolNode protocol, boolean isCoordinator, long term) {
        RoutingState committed = protocol.committed();
        extensions.each("onRoleChange", e -> e.onRoleChange(isCoordinator, term, committed));
    }

    boolean ready() {
        return ready;
    }

    List<PeerStatus> peers() {
        if (!viewRead) {
            viewRead = true;
        }
        return peers;
    }

    CoordinationStatus coordination() {
        return coordination;
    }

    boolean coordinator() {
        return coordinator;
    }
}
