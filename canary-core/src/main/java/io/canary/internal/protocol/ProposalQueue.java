package io.canary.internal.protocol;

import io.canary.NodeConfig;
import io.canary.model.RoutingState;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * The coordinator's queue of proposals waiting for their transaction: one transaction runs at a
 * time, the others wait here, each until its deadline ({@code requestTimeout} after it was queued).
 * Taking the next one computes its target state from the committed state at that moment; a
 * proposal that waited too long, cannot apply, or would change nothing is answered here and never
 * becomes a transaction.
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
final class ProposalQueue {

    /** The next proposal to run, and the state it asks for. */
    record Next(Proposal proposal, RoutingState target) {
    }

    private final String selfId;
    private final NodeConfig config;
    private final Replies replies;
    private final Deque<Proposal> queue = new ArrayDeque<>();
    private long nextProposalId = 1;

    ProposalQueue(String selfId, NodeConfig config, Replies replies) {
        this.selfId = selfId;
        this.config = config;
        this.replies = replies;
    }

    int size() {
        return queue.size();
    }

    /** Queues a proposal; {@code out} gets its deadline timer. */
    Proposal add(StateChange change, StateChange.Requester requester, Caller caller, String description, long now,
                 List<Effect> out) {
        Proposal proposal = new Proposal(nextProposalId++, change, requester, caller, description,
                now + config.requestTimeout().toMillis());
        queue.addLast(proposal);
        out.add(new Effect.Schedule(config.requestTimeout(), new Timer.ProposalDeadline(proposal.id())));
        return proposal;
    }

    /**
     * Puts back, at the head of the queue, a proposal whose transaction was aborted because it yielded
     * to a weight set queued behind it: taken next, it coalesces with that one as a rider
     * ({@link Coalescing#extend}), or fails there if its deadline has passed.
     */
    void addFirst(Proposal proposal) {
        queue.addFirst(proposal);
    }

    /**
     * A rollback never waits behind a promotion ({@link Coalescing}): if {@code urgent} (just queued)
     * lowers a canary's share, every promotion queued ahead of it is answered as failed, superseded by
     * it (never started, so safe to retry). Weight sets ahead of a weight set are left to coalesce.
     */
    void supersedePromotionsAhead(Proposal urgent, RoutingState current, List<Effect> out) {
        if (!Coalescing.isUrgent(urgent, current)) {
            return;
        }
        for (Proposal p : Coalescing.supersededBy(urgent, queue, current)) {
            fail(p, p.description() + " did not start: superseded by " + urgent.description()
                    + " queued behind it (a change that lowers a canary's share never waits for a promotion)", current, out);
        }
    }

    /**
     * The next proposal that makes a transaction, or null if none is left; the proposals before it
     * that cannot run (too late, cannot apply, nothing to change) are answered into {@code out}.
     */
    Next next(RoutingState current, long now, List<Effect> out) {
        while (!queue.isEmpty()) {
            Proposal proposal = queue.pollFirst();
            if (now > proposal.deadline()) {
                fail(proposal, proposal.description() + " waited longer than "
                        + Durations.human(config.requestTimeout()) + " to start", current, out);
                continue;
            }
            RoutingState target;
            try {
                target = Objects.requireNonNull(proposal.change().apply(current), "proposed state");
            } catch (RuntimeException e) {
                // A change that cannot apply (or a bug in one) fails its caller, never the queue.
                fail(proposal, e.getMessage() != null ? e.getMessage()
                        : proposal.description() + " could not be computed: " + e, current, out);
                continue;
            }
            // Weight sets queued right behind a weight set join its transaction: the last one wins.
            List<Coalescing.Rejected> rejected = new java.util.ArrayList<>();
            Coalescing.Batch batch = Coalescing.extend(proposal, target, queue, current, now, rejected);
            for (Coalescing.Rejected r : rejected) {
                fail(r.proposal(), r.reason(), current, out);
            }
            Proposal run = Coalescing.asProposal(batch);
            if (Coalescing.sameRouting(batch.target(), current)) {
                // Nothing would change: no transaction, the callers get the state they asked for.
                out.addAll(replies.reply(run.caller(), Outcome.success(current), current));
                continue;
            }
            return new Next(run, batch.target());
        }
        return null;
    }

    /** A queued proposal that has not started by its deadline fails; its caller stops waiting. */
    void onDeadline(long proposalId, RoutingState current, List<Effect> out) {
        for (Proposal p : queue) {
            if (p.id() == proposalId) {
                queue.remove(p);
                fail(p, "the coordinator " + selfId + " could not start " + p.description() + " within "
                        + Durations.human(config.requestTimeout()) + ": earlier transactions were still running", current, out);
                return;
            }
        }
    }

    /** Fails every queued proposal with {@code reason}. */
    void failAll(String reason, RoutingState current, List<Effect> out) {
        while (!queue.isEmpty()) {
            fail(queue.pollFirst(), reason, current, out);
        }
    }

    private void fail(Proposal proposal, String reason, RoutingState current, List<Effect> out) {
        out.addAll(replies.reply(proposal.caller(), Outcome.failure(reason), current));
    }
}
