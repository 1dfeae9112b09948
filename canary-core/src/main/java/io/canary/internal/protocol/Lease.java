package io.canary.internal.protocol;

import io.canary.NodeConfig;
import java.util.Set;

/**
 * The fail-safe lease of one node, on its monotonic clock. A member may serve the canary's share
 * only while, within the lease timeout, it heard a heartbeat from its term's coordinator saying that
 * the coordinator holds two-way contact with a majority, and it is not behind the version that
 * heartbeat reported. The coordinator itself needs two-way contact with a majority within the lease
 * timeout (and no re-driven transaction pending). Without a lease the node routes every request to
 * the baseline: a node cut off from the majority never keeps serving a canary the rest rolled back.
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
final class Lease {

    private final NodeConfig config;
    private long grantedAt = Long.MIN_VALUE;
    private long coordinatorVersion = -1;
    private Set<PlantedBug> planted = Set.of();

    Lease(NodeConfig config) {
        this.config = config;
    }

    /**
     * A lease-holding coordinator's heartbeat arrived, echoing this node's own heartbeat sent at
     * {@code echoedSendTime} (so the coordinator held its majority after that instant), and reporting
     * {@code version}. The lease runs from that send time, not from the arrival: a heartbeat that
     * queued (a paused process, a slow link) proves nothing about the time it spent queued. Never moves
     * back (a reordered older heartbeat proves less).
     */
    void granted(long echoedSendTime, long version) {
        grantedAt = Math.max(grantedAt, echoedSendTime);
        coordinatorVersion = Math.max(coordinatorVersion, version);
    }

    /** A new term: the old coordinator's word no longer counts. */
    void revoke() {
        grantedAt = Long.MIN_VALUE;
        coordinatorVersion = -1;
    }

    long coordinatorVersion() {
        return coordinatorVersion;
    }

    /** Why a member may not serve the canary now, or "" if it may. */
    String memberProblem(long now, long ownVersion, String coordinatorId) {
        long timeout = config.leaseTimeout().toMillis();
        if (grantedAt == Long.MIN_VALUE) {
            return coordinatorId.isEmpty()
                    ? "no coordinator backed by a majority has been heard yet (election under way)"
                    : "not yet confirmed current by the coordinator " + coordinatorId;
        }
        if (now - grantedAt > timeout) {
            return "no word from a coordinator backed by a majority for " + Durations.human(java.time.Duration.ofMillis(now - grantedAt))
                    + " (lease " + Durations.human(config.leaseTimeout()) + ")";
        }
        if (ownVersion < coordinatorVersion) {
            return "behind the coordinator (committed version " + ownVersion + " < " + coordinatorVersion + "), catching up";
        }
        return "";
    }

    /**
     * The monotonic time this node's lease ends if nothing renews it, {@code now} if it holds none now
     * (see {@link #problem}): for a member, the lease timeout after the send time its
     * coordinator last echoed; for the coordinator, the lease timeout after the majority-th newest
     * two-way contact (the instant {@link #coordinatorProblem} turns non-empty). {@code Long.MAX_VALUE}
     * for a cluster of one.
     */
    long deadline(long now, Coordinator reign, Membership membership, long ownVersion, String coordinatorId) {
        if (!problem(now, reign, membership, ownVersion, coordinatorId).isEmpty()) {
            return now;
        }
        if (planted.contains(PlantedBug.SERVE_WITHOUT_LEASE) || planted.contains(PlantedBug.LEASE_ONLY_CHECKED_ON_EVENTS)
                || (reign != null && planted.contains(PlantedBug.COORDINATOR_IGNORES_OWN_LEASE))) {
            return Long.MAX_VALUE; // the router is told no deadline: only the events' checks remain (or none)
        }
        if (reign == null) {
            return grantedAt + config.leaseTimeout().toMillis();
        }
        long contact = membership.majorityContact(now);
        return contact == Long.MAX_VALUE ? Long.MAX_VALUE : contact + config.leaseTimeout().toMillis();
    }

    /** Why this node may not serve the canary now ("" if it may): as the coordinator of {@code reign}, or (null) as a member. */
    String problem(long now, Coordinator reign, Membership membership, long ownVersion, String coordinatorId) {
        if (planted.contains(PlantedBug.SERVE_WITHOUT_LEASE) || (reign != null && reign.isActive()
                && planted.contains(PlantedBug.COORDINATOR_IGNORES_OWN_LEASE))) {
            return "";
        }
        return reign != null ? coordinatorProblem(membership, now, config, reign.isActive())
                : memberProblem(now, ownVersion, coordinatorId);
    }

    /** Test-only (the simulator's planted bugs, through {@link ProtocolNode#plant}). */
    void plant(Set<PlantedBug> bugs) {
        planted = Set.copyOf(bugs);
    }

    /** Why the coordinator may not serve the canary now, or "" if it may. */
    static String coordinatorProblem(Membership membership, long now, NodeConfig config, boolean active) {
        if (!active) {
            return "the new coordinator is still finishing a transaction its predecessor left in doubt";
        }
        long window = config.leaseTimeout().toMillis();
        // The majority-th newest two-way contact (a lower bound, kept for the lease deadline anyway) inside the window
        // means a majority is in contact: the answer without a pass over every member, which the coordinator would
        // otherwise make after each vote and acknowledgement (each is new evidence), N times per commit.
        if (membership.majorityContact(now) >= now - window) {
            return "";
        }
        int inContact = membership.inContactCount(now, window);
        if (inContact < membership.majority()) {
            return "the coordinator has two-way contact with only " + inContact + " of " + membership.members().size()
                    + " members (a majority is " + membership.majority() + ")";
        }
        return "";
    }
}
