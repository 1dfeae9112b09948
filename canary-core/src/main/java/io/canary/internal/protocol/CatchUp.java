package io.canary.internal.protocol;

import io.canary.model.RoutingState;
import io.canary.transport.Message.StateSync;
import java.util.List;

/**
 * The coordinator's side of catching members up: a member marked stale (left out of a commit) gets a
 * StateSync on every heartbeat tick until it reports the version, and a member whose heartbeat shows
 * it behind gets one at once. Stateless; the stale marks live in {@link Membership}.
 */
final class CatchUp {

    private CatchUp() {
    }

    /** On the coordinator's heartbeat tick: StateSync to every stale member; members that caught up are no longer stale. */
    static void onTick(String selfId, Membership membership, long term, RoutingState committed, List<Effect> out) {
        long version = committed.version();
        for (String member : membership.members()) {
            if (!member.equals(selfId) && membership.isStale(member)) {
                out.add(new Effect.Send(member, new StateSync(term, committed)));
            }
            membership.caughtUp(member, membership.reportedVersion(member), version);
        }
    }

    /** A member's heartbeat reached the coordinator: synced if behind, else no longer stale. */
    static void onHeartbeat(String from, long reportedVersion, Membership membership, long term, RoutingState committed,
                            List<Effect> out) {
        long version = committed.version();
        if (reportedVersion < version) {
            out.add(new Effect.Send(from, new StateSync(term, committed)));
        } else {
            membership.caughtUp(from, reportedVersion, version);
        }
    }
}
