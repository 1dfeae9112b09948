package io.canary.internal.protocol;

import io.canary.NodeConfig;
import io.canary.model.RoutingState;
import io.canary.transport.Message.Abort;
import io.canary.transport.Message.AbortAck;
import io.canary.transport.Message.CommitAck;
import io.canary.transport.Message.DecisionQuery;
import io.canary.transport.Message.Prepare;
import io.canary.transport.Message.StateSync;
import io.canary.transport.Message.Vote;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The coordinator of one term: queues proposals and runs one transaction at a time, through a
 * {@link PrepareRound} (votes, commit rules, prepare timeout) and then a {@link CommitTracker}
 * (Commit resent until acknowledged) or an {@link AbortRound} (abort made durable on a majority
 * before the caller is told it failed).
 *
 * <p>It starts <em>recovering</em>: if its election found a promise in doubt that may have
 * committed, it re-drives that transaction first (same id and state, its own term) and is
 * {@linkplain #isActive active} only once it committed. A coordinator never outlives its term: a
 * newer term seen anywhere ends it ({@link #stepDown}).
 *
 * <p>The coordinator is also a participant of its own transactions: it sends Prepare and Abort to
 * itself like to any member, and its decision record is its own commit ({@link Participant#commitLocally}).
 * Transaction ids are {@code term << 32 | sequence}; terms are never reused, so neither are ids.
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
public final class Coordinator {

    private final String selfId;
    private final NodeConfig config;
    private final long term;
    private final Participant local;
    private final Membership membership;
    private final Replies replies;
    private final ProposalQueue queue;
    private final java.util.function.LongSupplier wallClock;
    private long sequence;
    private PrepareRound round;
    private final CommitAcks acks = new CommitAcks();
    private AbortRound aborting;
    /** True if the proposal being aborted yielded to a weight set queued behind it and rides with it. */
    private boolean requeueAfterAbort;
    private Set<PlantedBug> planted = Set.of();

    public Coordinator(String selfId, NodeConfig config, long term, Participant local, Membership membership,
                       Replies replies, java.util.function.LongSupplier wallClock) {
        this.selfId = Objects.requireNonNull(selfId, "selfId");
        this.config = Objects.requireNonNull(config, "config");
        if (term < 1 || term > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("term must be in [1, 2^31), got " + term);
        }
        this.term = term;
        this.local = Objects.requireNonNull(local, "local");
        this.membership = Objects.requireNonNull(membership, "membership");
        this.replies = Objects.requireNonNull(replies, "replies");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        this.queue = new ProposalQueue(selfId, config, replies);
    }

    public long term() {
        return term;
    }

    /** Kept for the log's wording: a coordinator's term is what earlier releases called its epoch. */
    public long epoch() {
        return term;
    }

    /** Test-only seam: see {@link PlantedBug}. Never called by production code. */
    void plant(Set<PlantedBug> bugs) {
        planted = Set.copyOf(bugs);
    }

    /** True once no re-driven transaction is pending: the coordinator takes proposals and its rollout. */
    public boolean isActive() {
        return round == null || !round.isRedrive();
    }

    /** True while a transaction is preparing, its commit is being acknowledged, or its abort made durable. */
    public boolean isBusy() {
        // Commits still being acknowledged do not count: the next transaction is pipelined behind the decision.
        return round != null || aborting != null;
    }

    public int queued() {
        return queue.size();
    }

    /**
     * Re-drives a transaction a predecessor left in doubt (it may have committed): the same id and
     * state, prepared again in this term; it commits with a majority and is never aborted.
     */
    public List<Effect> redrive(long txId, RoutingState proposed, long now) {
        List<Effect> out = new ArrayList<>();
        RoutingState current = local.committed();
        round = new PrepareRound(txId, current, proposed, membership.members(), membership.majority(), Set.of(),
                proposed.isPromotionFrom(current), true, null);
        out.add(new Effect.Log(Level.INFO, selfId + " re-drives " + round.describe()
                + " found in doubt by its election in term " + term));
        Prepare prepare = new Prepare(term, txId, proposed); // one immutable message for all: the transport encodes it once
        for (String member : membership.members()) {
            out.add(new Effect.Send(member, prepare));
        }
        out.add(new Effect.Schedule(config.retryInterval(), new Timer.PrepareTimeout(txId)));
        return out;
    }

    /** Queues a proposal; it starts when every transaction before it has finished. */
    public List<Effect> propose(StateChange change, StateChange.Requester requester, Caller caller,
                                String description, long now) {
        List<Effect> out = new ArrayList<>();
        Proposal added = queue.add(change, requester, caller, description, now, out);
        // A change that lowers a canary's share never waits behind a promotion: queued ones are
        // superseded, one preparing yields (aborted now; it needs every vote and could wait the whole
        // prepare timeout for a slow member, while this one commits on a majority).
        RoutingState current = local.committed();
        queue.supersedePromotionsAhead(added, current, out);
        if (round != null && !planted.contains(PlantedBug.ROLLBACK_WAITS_FOR_PROMOTION)
                && Coalescing.yieldsTo(round.isPromotion(), round.isRedrive(), added, current)) {
            // A weight set that yields to a later weight set is superseded by it, not failed: once the
            // abort is durable it rides in the later one's transaction and is told which version carries
            // the change that replaced it (weight sets are absolute; the later one wins either way).
            boolean coalesces = round.proposal() != null && round.proposal().change() instanceof WeightSet
                    && added.change() instanceof WeightSet;
            abort(round.describe() + " aborted: it yields to " + description
                    + " (a change that lowers a canary's share never waits for a promotion)", now, out);
            requeueAfterAbort = coalesces && !planted.contains(PlantedBug.YIELDED_WEIGHT_SET_FAILS);
        }
        startNext(now, out);
        return out;
    }

    public List<Effect> onVote(String from, Vote vote, long now) {
        List<Effect> out = new ArrayList<>();
        if (round == null || round.txId() != vote.txId()) {
            return out;
        }
        long hadMajorityAt = round.majorityAt();
        round.onVote(from, vote.yes(), planted.contains(PlantedBug.SICK_VOTER_VETOES) && vote.refusal().aboutVoter()
                ? io.canary.transport.Message.Refusal.CANNOT_SERVE : vote.refusal(), vote.reason(), now);
        if (hadMajorityAt < 0 && round.majorityAt() >= 0 && (!round.isPromotion() || planted.contains(PlantedBug.GRACE_FOR_PROMOTIONS))
                && !round.isRedrive()) {
            // A majority's YES is in: the slower members get a short grace, then it commits without them.
            out.add(new Effect.Schedule(java.time.Duration.ofMillis(PrepareRound.lowerGrace(config)),
                    new Timer.CommitGrace(round.txId())));
        }
        if (planted.contains(PlantedBug.COMMIT_BEFORE_DECISION) && vote.yes() && !round.isRedrive()
                && round.yes().size() == membership.majority()) {
            // The planted bug: "a majority is durable, so Commit can go": before the rules decide (a
            // promotion needs every vote, and may still abort).
            for (String member : round.yes()) {
                if (!member.equals(selfId)) {
                    out.add(new Effect.Send(member, new io.canary.transport.Message.Commit(term, round.txId(), round.proposed())));
                }
            }
        }
        evaluate(now, false, out);
        return out;
    }

    public List<Effect> onPrepareTimeout(long txId, long now) {
        List<Effect> out = new ArrayList<>();
        if (round == null || round.txId() != txId) {
            return out;
        }
        if (round.isRedrive()) {
            // Never aborted: ask again everyone who has not promised (one that was behind may have caught up).
            Prepare prepare = new Prepare(term, txId, round.proposed());
            for (String member : round.missing()) {
                out.add(new Effect.Send(member, prepare));
            }
            out.add(new Effect.Schedule(config.retryInterval(), new Timer.PrepareTimeout(txId)));
            evaluate(now, false, out);
        } else {
            evaluate(now, true, out);
        }
        return out;
    }

    /** The grace after a majority's YES ran out: a change that is not a promotion commits without the slower members. */
    public List<Effect> onCommitGrace(long txId, long now) {
        List<Effect> out = new ArrayList<>();
        if (round != null && round.txId() == txId) {
            evaluate(now, false, out);
        }
        return out;
    }

    public List<Effect> onCommitAck(String from, CommitAck ack, long now) {
        acks.onAck(from, ack, membership, local.committed().version());
        return new ArrayList<>();
    }

    public List<Effect> onCommitResend(long txId, long now) {
        return new ArrayList<>(acks.onResend(txId, membership, config, now));
    }

    public List<Effect> onAbortAck(String from, AbortAck ack, long now) {
        List<Effect> out = new ArrayList<>();
        if (aborting != null && aborting.txId() == ack.txId()) {
            aborting.onAck(from);
            finishAbortIfDone(now, out);
        }
        return out;
    }

    public List<Effect> onAbortResend(long txId, long now) {
        List<Effect> out = new ArrayList<>();
        if (aborting != null && aborting.txId() == txId) {
            out.addAll(aborting.onResend(replies, local.committed(), config, now));
        }
        return out;
    }

    /** An in-doubt participant asks: once the committed state covers its version, it gets it. */
    public List<Effect> onDecisionQuery(String from, DecisionQuery query, long now) {
        List<Effect> out = new ArrayList<>(1);
        RoutingState committed = local.committed();
        if (committed.version() >= query.version()) {
            out.add(new Effect.Send(from, new StateSync(term, committed)));
        } else if (aborting != null && aborting.txId() == query.txId()) {
            out.add(new Effect.Send(from, aborting.message()));
        } else if (isActive() && query.version() == committed.version() + 1
                && (round == null || round.txId() != query.txId())) {
            // Past its recovery round, this coordinator knows the promise was not chosen (else it would
            // have re-driven it): the participant may let it go. Its own aborts get the same answer.
            out.add(new Effect.Send(from, new Abort(term, query.txId(), query.version(), "the coordinator " + selfId
                    + " of term " + term + " resolved version " + query.version() + " without transaction " + query.txId())));
        }
        return out;
    }

    /** A queued proposal that has not started by its deadline fails; its caller stops waiting. */
    public List<Effect> onProposalDeadline(long proposalId, long now) {
        List<Effect> out = new ArrayList<>();
        queue.onDeadline(proposalId, local.committed(), out);
        return out;
    }

    /** Fails every queued proposal (the node is closing); a running transaction is left to its outcome. */
    public List<Effect> failQueued(String reason) {
        List<Effect> out = new ArrayList<>();
        queue.failAll(reason, local.committed(), out);
        return out;
    }

    /**
     * This term is over (a newer one was seen, or the node closes): queued callers fail (safe to
     * retry through the new coordinator), a caller whose transaction was under way is told the
     * outcome is unknown (a successor may finish it).
     */
    public List<Effect> stepDown(String why) {
        List<Effect> out = new ArrayList<>(failQueued(selfId + " is no longer the coordinator (" + why
                + "); retry through the new coordinator"));
        if (round != null && round.proposal() != null) {
            out.addAll(replies.reply(round.proposal().caller(), Outcome.unknown(round.describe() + " was under way when "
                    + selfId + " stopped coordinating (" + why + "); it may still commit: check the routing state"),
                    local.committed()));
        }
        if (aborting != null && !aborting.answered()) {
            out.addAll(replies.reply(aborting.proposal().caller(), Outcome.unknown(aborting.reason() + "; "
                    + selfId + " stopped coordinating before a majority logged the abort: check the routing state"),
                    local.committed()));
        }
        round = null;
        acks.clear();
        aborting = null;
        requeueAfterAbort = false;
        return out;
    }

    private void startNext(long now, List<Effect> out) {
        while (!isBusy()) {
            RoutingState current = local.committed();
            ProposalQueue.Next next = queue.next(current, now, out);
            if (next == null) {
                return;
            }
            begin(next.proposal(), current, next.target(), now, out);
        }
    }

    private void begin(Proposal proposal, RoutingState current, RoutingState target, long now, List<Effect> out) {
        long txId = (term << 32) | (++sequence);
        RoutingState proposed = current.next(target.weights(), target.baseline(), target.rollout(), txId, wallClock.getAsLong());
        round = RoundStart.open(selfId, term, proposal, current, proposed, membership, config, replies, planted, now, out);
    }

    private void evaluate(long now, boolean timedOut, List<Effect> out) {
        java.util.function.Predicate<String> reachable = planted.contains(PlantedBug.COMMIT_WITHOUT_MAJORITY)
                ? m -> m.equals(selfId) : m -> membership.isReachable(m, now);
        PrepareRound.Status status = round.status(reachable, timedOut, now, PrepareRound.lowerGrace(config));
        if (status == PrepareRound.Status.WAITING && planted.contains(PlantedBug.GRACE_FOR_PROMOTIONS)
                && round.isPromotion() && !round.isRedrive() && round.majorityAt() >= 0
                && now - round.majorityAt() >= PrepareRound.lowerGrace(config)) {
            status = PrepareRound.Status.COMMIT; // the planted bug: a promotion commits on a majority after the grace
        }
        if (status == PrepareRound.Status.COMMIT) {
            commit(now, out);
        } else if (status == PrepareRound.Status.REFUSED) {
            abort(round.refusal() != null ? round.refusalReason() : round.timeoutReason(config.prepareTimeout()), now, out);
        }
    }

    private void commit(long now, List<Effect> out) {
        PrepareRound decided = round;
        round = null;
        // Exactly the state every YES promised (committedAt is when it was proposed): a successor that
        // re-drives the promise must commit the very same state under this version.
        RoutingState state = decided.proposed();
        // One fsync round on the critical path: the decision follows from the durable YES votes (a
        // majority's; every member's for a promotion), which any later election meets and re-drives, so
        // the caller is answered, the members are sent Commit and the next transaction's Prepare goes out
        // before this node's own COMMITTED record is written (ARCHITECTURE.md, "The commit path"): that
        // record then shares its fsync with whatever this node logs next (its own PREPARED of the next
        // version), and so do the members'. This node still routes on the state only once its record is
        // durable (the decision effects come last).
        Proposal proposal = decided.proposal();
        if (proposal != null) {
            // The planted bug told a batch's riders at its start: then only the carrier is left to answer.
            Caller answered = planted.contains(PlantedBug.SUPERSEDED_BEFORE_COMMIT) && proposal.caller() instanceof Caller.Batch b
                    ? b.carrier() : proposal.caller();
            out.addAll(replies.reply(answered, Outcome.success(state), state));
        }
        List<Effect> decisionRecord = local.commitLocally(decided.txId(), state); // memory now at this version
        Set<String> voters = new LinkedHashSet<>();
        io.canary.transport.Message.Commit leftOut = new io.canary.transport.Message.Commit(term, decided.txId(), state);
        for (String member : membership.members()) {
            if (member.equals(selfId)) {
                continue;
            }
            if (decided.yes().contains(member)) {
                voters.add(member);
            } else {
                // Left out: told once (a one-way link may carry it), then synced on every heartbeat until caught up.
                membership.markStale(member);
                out.add(new Effect.Send(member, leftOut));
            }
        }
        CommitTracker tracker = new CommitTracker(decided.txId(), term, state, voters, now + config.prepareTimeout().toMillis());
        out.addAll(acks.start(tracker, config));
        List<String> without = decided.missing();
        out.add(new Effect.Log(Level.INFO, decided.describe() + " committed in term " + term
                + (without.isEmpty() ? "" : " without " + String.join(", ", without) + " (they catch up later)")));
        // Pipelined: the next transaction starts at once, behind this decision, not once every member
        // acknowledged it. Links are FIFO, so a member gets this Commit before the next Prepare.
        startNext(now, out);
        out.addAll(decisionRecord); // COMMITTED durable, then applied: durable before visible, for routing
    }

    private void abort(String reason, long now, List<Effect> out) {
        PrepareRound aborted = round;
        round = null;
        out.add(new Effect.Log(Level.WARNING, reason));
        requeueAfterAbort = false;
        aborting = new AbortRound(new Abort(term, aborted.txId(), aborted.proposed().version(), reason),
                membership.members(), membership.majority(), aborted.proposal(), now + config.prepareTimeout().toMillis());
        if (planted.contains(PlantedBug.ANSWER_ABORT_BEFORE_MAJORITY)) {
            fail(aborted.proposal(), reason, out);
            aborting.markAnswered();
        }
        out.addAll(aborting.send(config));
    }

    private void finishAbortIfDone(long now, List<Effect> out) {
        if (aborting != null && aborting.isDurableOnMajority()) {
            if (!aborting.answered() && requeueAfterAbort && aborting.proposal() != null) {
                queue.addFirst(aborting.proposal()); // coalesces with the weight set it yielded to
            } else if (!aborting.answered()) {
                fail(aborting.proposal(), aborting.reason(), out);
            }
            requeueAfterAbort = false;
            aborting = null;
            startNext(now, out);
        }
    }

    private void fail(Proposal proposal, String reason, List<Effect> out) {
        out.addAll(replies.reply(proposal.caller(), Outcome.failure(reason), local.committed()));
    }
}
