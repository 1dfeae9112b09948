package io.canary.internal.protocol;

import io.canary.NodeConfig;
import io.canary.model.RoutingState;
import io.canary.transport.Message.Commit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The commit phase of one transaction on the coordinator: sends Commit to every other member (those
 * left out of the vote too: a one-way link may still carry it) and resends it to whoever has not
 * acknowledged. A member that has not acknowledged by the give-up time is left to catch up through
 * StateSync, so that one slow node cannot hold up the queue.
 */
final class CommitTracker {

    private final long txId;
    private final long term;
    private final RoutingState state;
    private final Set<String> pending;
    private final long giveUpAt;

    CommitTracker(long txId, long term, RoutingState state, Set<String> pending, long giveUpAt) {
        this.txId = txId;
        this.term = term;
        this.state = state;
        this.pending = new TreeSet<>(pending);
        this.giveUpAt = giveUpAt;
    }

    long txId() {
        return txId;
    }

    long version() {
        return state.version();
    }

    boolean isDone() {
        return pending.isEmpty();
    }

    /** The first Commit to every member. */
    List<Effect> start(NodeConfig config) {
        List<Effect> out = new ArrayList<>(pending.size() + 1);
        Commit commit = new Commit(term, txId, state); // one immutable message for all: the transport encodes it once
        for (String member : pending) {
            out.add(new Effect.Send(member, commit));
        }
        if (!pending.isEmpty()) {
            out.add(new Effect.Schedule(config.retryInterval(), new Timer.CommitResend(txId)));
        }
        return out;
    }

    void onAck(String from) {
        pending.remove(from);
    }

    /** Resends to members still missing; gives up on them at the give-up time (marked stale). */
    List<Effect> onResend(Membership membership, NodeConfig config, long now) {
        List<Effect> out = new ArrayList<>();
        Commit commit = new Commit(term, txId, state);
        for (String member : List.copyOf(pending)) {
            if (now >= giveUpAt) {
                pending.remove(member);
                membership.markStale(member);
                out.add(new Effect.Log(System.Logger.Level.WARNING, member + " did not acknowledge the commit of version "
                        + state.version() + "; it will catch up through StateSync"));
            } else {
                out.add(new Effect.Send(member, commit));
            }
        }
        if (!pending.isEmpty()) {
            out.add(new Effect.Schedule(config.retryInterval(), new Timer.CommitResend(txId)));
        }
        return out;
    }
}
