package io.canary.internal.protocol;

import io.canary.NodeConfig;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.transport.Message;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The three-member cluster, default timings and states the protocol unit tests share. */
final class Fixture {
    static final String A = "node-a";
    static final String B = "node-b";
    static final String C = "node-c";
    static final List<String> MEMBERS = List.of(A, B, C);
    static final NodeConfig CONFIG = NodeConfig.ofDefaults();
    /** Version 1: everything on v1. */
    static final RoutingState V1 = RoutingState.initial("v1", "v2");
    /** Version 2: 25% on the canary v2, committed in term 1. */
    static final RoutingState AT_25 = V1.next(Weights.split("v1", "v2", 25), "v1", RolloutInfo.NONE, 1L << 32 | 1, 100);

    private Fixture() {
    }

    /** A change to {@code percent} on the canary v2. */
    static StateChange canaryAt(int percent) {
        return current -> current.next(Weights.split("v1", "v2", percent), "v1", RolloutInfo.NONE, 0, 0);
    }

    static Participant participant(String id, RoutingState committed) {
        return new Participant(id, Set.of(), CONFIG, committed, Optional.empty(), Optional.empty());
    }

    /** {@code peer} echoed what {@code membership}'s node sent at {@code now}: two-way contact now. */
    static void contact(Membership membership, String peer, long now) {
        membership.echoed(peer, now, now);
    }

    /** A plain member's heartbeat of {@code term} sent at {@code sentAt}, echoing {@code echo}. */
    static Message.Heartbeat heartbeat(long term, long version, long sentAt, long echo) {
        return new Message.Heartbeat(term, version, true, sentAt, echo, false, false);
    }

    /** A coordinator's heartbeat, holding the lease. */
    static Message.Heartbeat coordinatorHeartbeat(long term, long version, long sentAt, long echo) {
        return new Message.Heartbeat(term, version, true, sentAt, echo, true, true);
    }
}
