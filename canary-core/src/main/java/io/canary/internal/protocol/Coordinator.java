package io.canary.internal.protocol;

import io.canary.NodeConfig;
import io.canary.model.RoutingState;
import io.canary.transport.Message.Abort;
import io.canary.transport.Message.CommitAck;
import io.canary.transport.Message.DecisionQuery;
import io.canary.transport.Message.Prepare;
import io.canary.transport.Message.StateSync;
import io.canary.transport.Message.Vote;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The coordinator side of two-phase commit: queues proposals and runs one transaction at a time,
 * through a {@link PrepareRound} (votes, prepare timeout, decision) and then a {@link CommitTracker}
 * (Commit resent until acknowledged). It answers in-doubt participants under presumed abort.
 *
 * <p>The coordinator is also a participant of its own transactions: it sends Prepare and Abort to
 * itself like to any member, and its decision record is its own commit ({@link Participant#commitLocally}).
 *
 * <p>Transaction ids are {@code epoch << 32 | sequence}; the epoch is logged durably at every start,
 * so no id is ever reused across restarts.
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
public final class Coordinator {

    private final String selfId;
    private final NodeConfig config;
    private final long epoch;
    private final Participant local;
    private final Membership membership;
    private final Replies replies;
    private final Deque<Proposal> queue = new ArrayDeque<>();
    private long sequence;
    private long nextProposalId = 1;
    private PrepareRound round;
    private CommitTracker tracker;
    private Set<PlantedBug> planted = Set.of();
    private final java.util.Map<Long, RoutingState> abortedForPlantedBug = new java.util.HashMap<>();

    public Coordinator(String selfId, NodeConfig config, long epoch, Participant local, Membership membership,
                       Replies replies) {
        this.selfId = Objects.requireNonNull(selfId, "selfId");
        this.config = Objects.requireNonNull(config, "config");
        if (epoch < 1 || epoch > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("epoch must be in [1, 2^31), got " + epoch);
        }
        this.epoch = epoch;
        this.local = Objects.requireNonNull(local, "local");
        this.membership = Objects.requireNonNull(membership, "membership");
        this.replies = Objects.requireNonNull(replies, "replies");
    }

    public long epoch() {
        return epoch;
    }

    /** Test-only seam: see {@link PlantedBug}. Never called by production code. */
    void plant(Set<PlantedBug> bugs) {
        planted = Set.copyOf(bugs);
    }

    /** True while a transaction is preparing or its commit is being acknowledged. */
    public boolean isBusy() {
        return round != null || tracker != null;
    }

    public int queued() {
        return queue.size();
    }

    /** Queues a proposal; it starts when every transaction before it has finished. */
    public List<Effect> propose(StateChange change, StateChange.Requester requester, Caller caller,
                                String description, long now) {
        Proposal proposal = new Proposal(nextProposalId++, change, requester, caller, description,
                now + config.requestTimeout().toMillis());
        queue.addLast(proposal);
        List<Effect> out = new ArrayList<>();
        out.add(new Effect.Schedule(config.requestTimeout(), new Timer.ProposalDeadline(proposal.id())));
        startNext(now, out);
        return out;
    }

    public List<Effect> onVote(String from, Vote vote, long now) {
        List<Effect> out = new ArrayList<>();
        if (round == null || round.txId() != vote.txId()) {
            return out;
        }
        PrepareRound.Status status = round.onVote(from, vote.yes(), vote.reason());
        if (status == PrepareRound.Status.REFUSED) {
            abort(round.refusalReason(), now, out);
        } else if (status == PrepareRound.Status.ALL_YES) {
            commit(now, out);
        }
        return out;
    }

    public List<Effect> onPrepareTimeout(long txId, long now) {
        List<Effect> out = new ArrayList<>();
        if (round != null && round.txId() == txId) {
            abort(round.timeoutReason(config.prepareTimeout()), now, out);
        }
        return out;
    }

    public List<Effect> onCommitAck(String from, CommitAck ack, long now) {
        List<Effect> out = new ArrayList<>();
        if (tracker != null && tracker.txId() == ack.txId()) {
            tracker.onAck(from);
            finishCommitIfDone(now, out);
        }
        return out;
    }

    public List<Effect> onCommitResend(long txId, long now) {
        List<Effect> out = new ArrayList<>();
        if (tracker != null && tracker.txId() == txId) {
            out.addAll(tracker.onResend(membership, config, now));
            finishCommitIfDone(now, out);
        }
        return out;
    }

    /**
     * An in-doubt participant asks. Undecided: no answer (it asks again). Committed, or superseded
     * by a later commit: the committed state. Otherwise there is no COMMIT record: abort.
     */
    public List<Effect> onDecisionQuery(String from, DecisionQuery query, long now) {
        List<Effect> out = new ArrayList<>(1);
        if (round != null && round.txId() == query.txId()) {
            return out;
        }
        RoutingState committed = local.committed();
        if (committed.version() >= query.version()) {
            out.add(new Effect.Send(from, new StateSync(committed)));
        } else if (abortedForPlantedBug.containsKey(query.txId())) {
            out.add(new Effect.Send(from, new io.canary.transport.Message.Commit(query.txId(),
                    abortedForPlantedBug.get(query.txId()))));
        } else {
            out.add(new Effect.Send(from, new Abort(query.txId(),
                    "the coordinator " + selfId + " has no commit for transaction " + query.txId() + " (presumed abort)")));
        }
        return out;
    }

    /** A queued proposal that has not started by its deadline fails; its caller stops waiting. */
    public List<Effect> onProposalDeadline(long proposalId, long now) {
        List<Effect> out = new ArrayList<>();
        for (Proposal p : queue) {
            if (p.id() == proposalId) {
                queue.remove(p);
                fail(p, "the coordinator " + selfId + " could not start " + p.description() + " within "
                        + Durations.human(config.requestTimeout()) + ": earlier transactions were still running", out);
                break;
            }
        }
        return out;
    }

    /** Fails every queued proposal (the node is closing); a running transaction is left to presumed abort. */
    public List<Effect> failQueued(String reason) {
        List<Effect> out = new ArrayList<>();
        while (!queue.isEmpty()) {
            fail(queue.pollFirst(), reason, out);
        }
        return out;
    }

    private void startNext(long now, List<Effect> out) {
        while (!isBusy() && !queue.isEmpty()) {
            Proposal proposal = queue.pollFirst();
            if (now > proposal.deadline()) {
                fail(proposal, proposal.description() + " waited longer than "
                        + Durations.human(config.requestTimeout()) + " to start", out);
                continue;
            }
            RoutingState current = local.committed();
            RoutingState target;
            try {
                target = Objects.requireNonNull(proposal.change().apply(current), "proposed state");
            } catch (RuntimeException e) {
                // A change that cannot apply (or a bug in one) fails its caller, never the queue.
                fail(proposal, e.getMessage() != null ? e.getMessage()
                        : proposal.description() + " could not be computed: " + e, out);
                continue;
            }
            if (target.weights().equals(current.weights()) && target.baseline().equals(current.baseline())
                    && target.rollout().equals(current.rollout())) {
                // Nothing would change: no transaction, the caller gets the state it asked for.
                out.addAll(replies.reply(proposal.caller(), Outcome.success(current), current));
                continue;
            }
            begin(proposal, current, target, now, out);
        }
    }

    private void begin(Proposal proposal, RoutingState current, RoutingState target, long now, List<Effect> out) {
        long txId = (epoch << 32) | (++sequence);
        RoutingState proposed = current.next(target.weights(), target.baseline(), target.rollout(), txId, now);
        boolean promotion = proposed.isPromotionFrom(current);
        Set<String> required = new LinkedHashSet<>();
        Set<String> unreachable = new LinkedHashSet<>();
        for (String member : membership.members()) {
            boolean reachable = membership.isReachable(member, now);
            if (!reachable) {
                unreachable.add(member);
            }
            boolean askAll = promotion && !planted.contains(PlantedBug.PROMOTION_WAITS_ONLY_FOR_REACHABLE);
            if (askAll || reachable) {
                required.add(member);
            } else {
                // Lowering the canary goes on without it: it catches up through StateSync.
                membership.markStale(member);
            }
        }
        round = new PrepareRound(txId, current, proposed, required, unreachable, promotion, proposal);
        if (!promotion && !unreachable.isEmpty()) {
            out.add(new Effect.Log(Level.INFO, round.describe() + " goes on without unreachable "
                    + String.join(", ", unreachable) + " (not a promotion); they catch up when they return"));
        }
        for (String member : required) {
            out.add(new Effect.Send(member, new Prepare(txId, proposed)));
        }
        out.add(new Effect.Schedule(config.prepareTimeout(), new Timer.PrepareTimeout(txId)));
    }

    private void commit(long now, List<Effect> out) {
        PrepareRound decided = round;
        round = null;
        RoutingState p = decided.proposed();
        RoutingState state = new RoutingState(p.version(), p.status(), p.weights(), p.baseline(), p.txId(), now, p.rollout());
        // Durable decision, then applied here, then sent: the order of these effects is the protocol.
        out.addAll(local.commitLocally(decided.txId(), state));
        Set<String> others = new LinkedHashSet<>(decided.required());
        others.remove(selfId);
        tracker = new CommitTracker(decided.txId(), state, others, now + config.prepareTimeout().toMillis());
        out.addAll(tracker.start(config));
        out.add(new Effect.Log(Level.INFO, decided.describe() + " committed"));
        out.addAll(replies.reply(decided.proposal().caller(), Outcome.success(state), state));
        finishCommitIfDone(now, out);
    }

    private void abort(String reason, long now, List<Effect> out) {
        PrepareRound aborted = round;
        round = null;
        if (planted.contains(PlantedBug.COMMIT_UNKNOWN_TRANSACTION)) {
            abortedForPlantedBug.put(aborted.txId(), aborted.proposed());
        }
        Abort abort = new Abort(aborted.txId(), reason);
        for (String member : aborted.required()) {
            out.add(new Effect.Send(member, abort));
        }
        out.add(new Effect.Log(Level.WARNING, reason));
        fail(aborted.proposal(), reason, out);
        startNext(now, out);
    }

    private void finishCommitIfDone(long now, List<Effect> out) {
        if (tracker != null && tracker.isDone()) {
            tracker = null;
            startNext(now, out);
        }
    }

    private void fail(Proposal proposal, String reason, List<Effect> out) {
        out.addAll(replies.reply(proposal.caller(), Outcome.failure(reason), local.committed()));
    }
}
