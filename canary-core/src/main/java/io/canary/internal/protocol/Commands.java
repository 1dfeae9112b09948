package io.canary.internal.protocol;

import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.transport.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Commands on the coordinator, local or forwarded: a weight change becomes a proposal of the
 * {@link Coordinator}, anything else (rollout commands) is delegated to the node's extensions. A
 * forwarded request runs once however often it arrives ({@link Replies} in memory), and never again
 * after a restart of the coordinator that accepted it ({@link AcceptedRequests}, durable ACCEPTED
 * records written before the work starts). A request that is not safe to run twice (anything but an
 * absolute weight change) runs only in the term it was first sent in ({@link Message.ForwardRequest#term}):
 * a coordinator's memory of what it ran lives on its own disk, which may be lost, but a restart always
 * ends its term, so the check needs no disk at all.
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
final class Commands {

    private final String selfId;
    private final Replies replies;
    private final AcceptedRequests accepted;
    private final LongSupplier wallClock;
    private final LongSupplier term;
    private final java.util.function.Supplier<java.util.Set<PlantedBug>> planted;

    /**
     * @param term this node's current term (the one it coordinates while it does)
     * @param planted the simulator's planted bugs
     */
    Commands(String selfId, Replies replies, AcceptedRequests accepted, LongSupplier wallClock, LongSupplier term,
             java.util.function.Supplier<java.util.Set<PlantedBug>> planted) {
        this.selfId = selfId;
        this.replies = replies;
        this.accepted = accepted;
        this.wallClock = wallClock;
        this.term = term;
        this.planted = planted;
    }

    /**
     * A forwarded request reached this node; {@code coordinator} is null unless this node coordinates
     * (past its recovery round).
     */
    List<Effect> onForwardRequest(String from, Message.ForwardRequest request, Coordinator coordinator,
                                  RoutingState committed, long now) {
        List<Effect> out = new ArrayList<>();
        if (coordinator == null) {
            // Not (or no longer) the coordinator: dropped; the sender resends to whoever coordinates then.
            return out;
        }
        if (replies.admit(from, request.requestId(), out) != Replies.Admission.NEW) {
            return out;
        }
        Caller.Remote caller = new Caller.Remote(from, request.requestId());
        long term = this.term.getAsLong();
        if (request.term() != term && !(request.command() instanceof Message.ProposeWeights)
                && !planted.get().contains(PlantedBug.FORWARD_RUNS_IN_ANY_TERM)) {
            // First sent to the coordinator of another term: that one (this node before a restart, its disk perhaps
            // lost, or another node) may have run it, and what it ran it alone knew. Only an absolute weight change,
            // the same if run twice, runs in any term (seeds 3071551, 6024066: a wiped coordinator ran a PROMOTE again).
            out.addAll(replies.reply(caller, Outcome.unknown("this request was first sent to the coordinator of term "
                    + request.term() + ", and " + selfId + " coordinates term " + term + ": the earlier one may have run it;"
                    + " check the rollout status before retrying"), committed));
            return out;
        }
        if (accepted.contains(from, request.requestId())) {
            // Accepted by an earlier incarnation, whose answer died with it: it may have committed, so never run it twice.
            out.addAll(replies.reply(caller, Outcome.unknown("the coordinator " + selfId
                    + " restarted while running this request; it may have committed: check the routing state"),
                    committed));
            return out;
        }
        // Durable before the work starts: a resend reaching a restarted coordinator must find it.
        out.add(new Effect.Append(accepted.accept(from, request.requestId(), wallClock.getAsLong(), request.command()), true));
        out.addAll(run(caller, request.command(), coordinator, now));
        return out;
    }

    /** Runs {@code command} for {@code caller} on the coordinator. */
    List<Effect> run(Caller caller, Message.Command command, Coordinator coordinator, long now) {
        if (command instanceof Message.ProposeWeights p) {
            return coordinator.propose(ManualWeights.of(p.weights()), StateChange.Requester.OPERATOR, caller,
                    "weights " + p.weights(), now);
        }
        return List.of(new Effect.Delegate(caller, command));
    }

    /** A delegated command finished: its caller is told. */
    List<Effect> onDelegatedDone(Caller caller, Outcome outcome, RoutingState committed) {
        return replies.reply(caller, outcome, committed);
    }

    /** The ACCEPTED records a checkpoint keeps. */
    List<LogRecord> checkpointRecords() {
        return accepted.records();
    }
}
