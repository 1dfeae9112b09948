package io.canary.internal.protocol;

import io.canary.NodeConfig;
import io.canary.transport.Message.CommitAck;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's commits still being acknowledged, by transaction id. They do not hold up the next
 * transaction (it is pipelined behind the decision); each {@link CommitTracker} resends its Commit until
 * every YES voter acknowledged it or its deadline passed, and is dropped then.
 *
 * <p>Not thread-safe: driven by the node's protocol thread only, through its {@link Coordinator}.
 */
final class CommitAcks {
    private final Map<Long, CommitTracker> trackers = new LinkedHashMap<>();

    /** Tracks a commit just decided; returns its first Commit sends. */
    List<Effect> start(CommitTracker tracker, NodeConfig config) {
        trackers.put(tracker.txId(), tracker);
        List<Effect> out = tracker.start(config);
        dropIfDone(tracker);
        return out;
    }

    /** A member acknowledged: it has caught up to that commit's version. */
    void onAck(String from, CommitAck ack, Membership membership, long committedVersion) {
        CommitTracker tracker = trackers.get(ack.txId());
        if (tracker != null) {
            tracker.onAck(from);
            membership.caughtUp(from, tracker.version(), committedVersion);
            dropIfDone(tracker);
        }
    }

    /** The resend timer of {@code txId} fired: the Commits still unacknowledged, or nothing. */
    List<Effect> onResend(long txId, Membership membership, NodeConfig config, long now) {
        CommitTracker tracker = trackers.get(txId);
        if (tracker == null) {
            return List.of();
        }
        List<Effect> out = tracker.onResend(membership, config, now);
        dropIfDone(tracker);
        return out;
    }

    /** The term ended: nothing more is resent (the members catch up from the next coordinator). */
    void clear() {
        trackers.clear();
    }

    private void dropIfDone(CommitTracker tracker) {
        if (tracker.isDone()) {
            trackers.remove(tracker.txId());
        }
    }
}
