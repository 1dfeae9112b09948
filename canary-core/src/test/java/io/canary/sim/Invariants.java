package io.canary.sim;

import io.canary.log.LogRecord;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.transport.Message;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The safety invariants, fed by what the simulated nodes write, send and apply, and checked after
 * every step. Global knowledge no real node has (every log, every message) is what makes these
 * checks possible: the protocol itself never reads it.
 */
final class Invariants {
    private final List<String> members;
    private final RoutingState initial;
    private final boolean checkDurableBeforeVisible;
    private final Map<Long, RoutingState> committedByVersion = new HashMap<>();
    private final Map<Long, String> firstCommitter = new HashMap<>();
    /** Per version, when it was first committed anywhere (virtual time). */
    private final Map<Long, Long> firstCommittedAt = new HashMap<>();
    /** Transactions whose caller was told they failed (not "outcome unknown"). */
    private final Map<Long, String> toldFailed = new HashMap<>();
    private long now;
    private final Map<Long, RoutingState> proposedByTx = new HashMap<>();
    /** Per version, the chosen state a caller was told committed before any node logged it (issue 13's commit path). */
    private final Map<Long, RoutingState> toldChosen = new HashMap<>();
    private final Map<Long, Set<String>> yesVotes = new HashMap<>();
    private final Map<Long, String> committedTx = new HashMap<>();
    private final Map<Long, String> abortedTx = new HashMap<>();
    /** Per transaction, the nodes that logged its abort durably: a majority makes the abort final. */
    private final Map<Long, Set<String>> abortLoggedBy = new HashMap<>();
    /** Transactions a successor re-drove (a Prepare of a newer term than the transaction's own). */
    private final Set<Long> redriven = new HashSet<>();
    private final Map<String, Long> reported = new HashMap<>();
    private long commits;
    private long promotions;
    private long promoteCommands;
    private long operatorPromotions;

    private final boolean checkAtMostOnce;

    Invariants(List<String> members, RoutingState initial, boolean checkDurableBeforeVisible, boolean checkAtMostOnce) {
        this.checkAtMostOnce = checkAtMostOnce;
        this.members = List.copyOf(members);
        this.initial = initial;
        this.checkDurableBeforeVisible = checkDurableBeforeVisible;
        committedByVersion.put(initial.version(), initial);
        firstCommitter.put(initial.version(), "(initial state)");
    }

    long distinctCommits() {
        return commits;
    }

    long promotionsCommitted() {
        return promotions;
    }

    /** An operator asked (through any node) to promote the running rollout one step. */
    void onPromoteCommand() {
        promoteCommands++;
    }

    // ---- fed by the nodes ---------------------------------------------------------------------------

    /** Per coordinator and transaction, the votes it received: [YES voters, NO-about-themselves voters, NO-about-the-proposal voters]. */
    private final Map<String, List<Set<String>>> votesReceived = new HashMap<>();
    private final Set<String> abortChecked = new HashSet<>();

    /** {@code node} received {@code message} from {@code from} (before it handles it). */
    void onReceive(String node, String from, Message message) {
        if (message instanceof Message.Vote v) {
            List<Set<String>> votes = votesReceived.computeIfAbsent(node + "/" + v.txId(),
                    k -> List.of(new HashSet<>(), new HashSet<>(), new HashSet<>()));
            votes.get(v.yes() ? 0 : v.refusal().aboutVoter() ? 1 : 2).add(from);
        }
    }

    /**
     * {@code node} decided to send {@code message}, which waits behind a group commit's fsync: NO_VETO
     * judges an abort by the votes in when it was decided, not when it leaves.
     */
    void onDecided(String node, Message message) {
        if (message instanceof Message.Abort a) {
            checkNoVeto(node, a);
        }
    }

    /**
     * NO_VETO: a coordinator aborts its own transaction that does not raise a canary share although a
     * majority voted YES and every other vote it got was a NO about the voter itself.
     */
    private void checkNoVeto(String node, Message.Abort a) {
        if (a.txId() >>> 32 != a.term()) {
            return; // not the coordinator's own round (an answer to an in-doubt query, a predecessor's transaction)
        }
        if (!abortChecked.add(node + "/" + a.txId())) {
            return; // a resend: votes that came in after the decision do not count
        }
        List<Set<String>> votes = votesReceived.get(node + "/" + a.txId());
        RoutingState proposed = proposedByTx.get(a.txId());
        RoutingState previous = proposed == null ? null : committedByVersion.get(proposed.version() - 1);
        if (votes == null || previous == null || proposed.isPromotionFrom(previous) || !votes.get(2).isEmpty()
                || votes.get(0).size() < members.size() / 2 + 1) {
            return;
        }
        throw new Violation(Invariant.NO_VETO, node + " aborted transaction " + a.txId() + " (" + describe(proposed)
                + ", not a promotion) with YES from " + new TreeSet<>(votes.get(0)) + ", a majority, and a NO only from "
                + new TreeSet<>(votes.get(1)) + " about themselves: " + a.reason());
    }

    /** {@code node} hands {@code message} to the network; {@code durable} is what its disk would keep now. */
    void onSend(String node, String to, Message message, List<LogRecord> durable) {
        if (message instanceof Message.Prepare p) {
            proposedByTx.putIfAbsent(p.txId(), p.proposed());
            if (p.term() > p.txId() >>> 32) {
                redriven.add(p.txId());
            }
        } else if (message instanceof Message.Vote v && v.yes()) {
            if (checkDurableBeforeVisible && !holdsPrepared(durable, v.txId()) && !holdsCommitted(durable, v.txId())) {
                throw new Violation(Invariant.DURABLE_BEFORE_VISIBLE, node + " voted YES on transaction " + v.txId()
                        + " but its PREPARED record is not on disk");
            }
            yesVotes.computeIfAbsent(v.txId(), k -> new HashSet<>()).add(node);
        } else if (message instanceof Message.Abort a) {
            checkNoVeto(node, a);
        } else if (message instanceof Message.Commit c && checkDurableBeforeVisible
                && durableCommittedVersion(durable) < c.state().version() && !chosen(c.state())) {
            // Issue 13's commit path: Commit goes out at the decision, before the sender's COMMITTED record,
            // which is sound only for a state a majority's durable YES votes already chose.
            throw new Violation(Invariant.DURABLE_BEFORE_VISIBLE, node + " sent Commit of version " + c.state().version()
                    + " (transaction " + c.txId() + ") to " + to + " before that commit was on its disk or chosen by"
                    + " a majority's durable YES votes");
        }
    }

    /** {@code node} appended {@code record} to {@code log} (which holds it now). */
    void onAppend(String node, LogRecord record, io.canary.log.MemoryStateLog log) {
        if (record instanceof LogRecord.Committed c) {
            onCommitted(node, c.state());
        } else if (record instanceof LogRecord.Synced s) {
            onCommitted(node, s.state());
        } else if (record instanceof LogRecord.Aborted a && currentTerm(log) == a.txId() >>> 32) {
            // An abort is final once a majority logged it in the transaction's own term (before that a successor may
            // still re-drive the promise): that is its coordinator's decision, acknowledged by nodes that had not yet
            // moved to a later term, and only that majority tells a caller it failed. An abort logged in a later term
            // (a successor's recovery round that resolved the version without the transaction) is that successor's
            // ballot proposing nothing: a later round that meets a newer re-drive of the transaction, which that round
            // missed, re-drives it again, as Paxos requires (simulator seed 19516915: node-a's abort in term 1 and
            // node-c's in term 3 are two decisions of one record each, and node-b's term-2 re-drive committed in term
            // 5; no caller was told it failed, which CONFIRMED checks on its own).
            Set<String> by = abortLoggedBy.computeIfAbsent(a.txId(), k -> new HashSet<>());
            by.add(node);
            if (by.size() >= members.size() / 2 + 1) {
                abortedTx.putIfAbsent(a.txId(), String.join(", ", new TreeSet<>(by)));
                String where = committedTx.get(a.txId());
                if (where != null) {
                    throw new Violation(Invariant.ATOMICITY, "transaction " + a.txId() + " aborted by a majority ("
                            + abortedTx.get(a.txId()) + ") but committed on " + where);
                }
            }
        }
    }

    /** {@code node} starts routing on {@code state}; {@code durable} is what its disk would keep now. */
    void onApply(String node, RoutingState state, List<LogRecord> durable) {
        RoutingState agreed = committedByVersion.get(state.version());
        if (agreed == null || !agreed.equals(state)) {
            throw new Violation(Invariant.ROUTING_SAFETY, node + " routes on version " + state.version() + " " + state.weights()
                    + ", which no node has committed" + (agreed == null ? "" : " (committed: " + agreed.weights() + ")"));
        }
        if (checkDurableBeforeVisible && durableCommittedVersion(durable) < state.version()) {
            throw new Violation(Invariant.DURABLE_BEFORE_VISIBLE, node + " routes on version " + state.version()
                    + " before its commit is on its disk");
        }
    }

    private void onCommitted(String node, RoutingState state) {
        long version = state.version();
        RoutingState agreed = committedByVersion.get(version);
        RoutingState told = toldChosen.get(version);
        if (told != null && !told.equals(state)) {
            throw new Violation(Invariant.CONFIRMED, "a caller was told " + describe(told) + " committed, but " + node
                    + " committed version " + version + " as " + describe(state));
        }
        if (agreed != null) {
            if (!agreed.equals(state)) {
                throw new Violation(Invariant.AGREEMENT, node + " committed version " + version + " as " + describe(state)
                        + " but " + firstCommitter.get(version) + " committed it as " + describe(agreed));
            }
        } else {
            checkValid(node, state);
            committedByVersion.put(version, state);
            firstCommitter.put(version, node);
            firstCommittedAt.put(version, now);
            commits++;
        }
        if (state.txId() != 0) {
            String failed = toldFailed.get(state.txId());
            if (failed != null) {
                throw new Violation(Invariant.CONFIRMED, "transaction " + state.txId() + " committed on " + node
                        + " but a caller on " + failed + " was told it failed");
            }
            committedTx.putIfAbsent(state.txId(), node);
            String where = abortedTx.get(state.txId());
            if (where != null) {
                throw new Violation(Invariant.ATOMICITY, "transaction " + state.txId() + " committed on " + node
                        + " but a majority logged its abort: " + where);
            }
        }
    }

    private void checkValid(String node, RoutingState state) {
        Weights w = state.weights();
        int total = 0;
        for (String v : w.versions()) {
            total += w.basisPoints(v);
        }
        if (total != Weights.TOTAL_BASIS_POINTS) {
            throw new Violation(Invariant.VALIDITY, node + " committed weights " + w + " summing to " + total + " basis points");
        }
        RoutingState proposed = proposedByTx.get(state.txId());
        if (proposed == null || !sameProposal(proposed, state)) {
            throw new Violation(Invariant.VALIDITY, node + " committed " + describe(state) + " by transaction " + state.txId()
                    + ", which the coordinator never proposed" + (proposed == null ? "" : " (it proposed " + describe(proposed) + ")"));
        }
        RoutingState previous = committedByVersion.get(state.version() - 1);
        checkRolloutShape(node, state);
        if (checkAtMostOnce && previous != null && isOperatorPromotion(previous, state) && ++operatorPromotions > promoteCommands) {
            throw new Violation(Invariant.AT_MOST_ONCE, node + " committed " + describe(state) + ": operator promotion number "
                    + operatorPromotions + ", but the operator asked for " + promoteCommands + " promotion(s)");
        }
        if (previous != null && state.isPromotionFrom(previous)) {
            promotions++;
            Set<String> yes = yesVotes.getOrDefault(state.txId(), Set.of());
            // A promotion a successor re-drove may have committed already: it finishes with a majority.
            boolean redrive = redriven.contains(state.txId()) && yes.size() >= members.size() / 2 + 1;
            if (!yes.containsAll(members) && !redrive) {
                Set<String> missing = new TreeSet<>(members);
                missing.removeAll(yes);
                throw new Violation(Invariant.SAFETY_ASYMMETRY, node + " committed promotion " + previous.weights() + " -> "
                        + state.weights() + " (version " + state.version() + ") without a YES from " + missing);
            }
        }
    }

    private static boolean isOperatorPromotion(RoutingState previous, RoutingState state) {
        RolloutInfo before = previous.rollout();
        RolloutInfo after = state.rollout();
        return after.id().equals(before.id()) && after.stepIndex() > before.stepIndex()
                && after.reason().startsWith("promoted by operator");
    }

    /** An active rollout's weights are exactly its current step's. */
    private static void checkRolloutShape(String node, RoutingState state) {
        RolloutInfo r = state.rollout();
        if (!r.phase().isActive()) {
            return;
        }
        int canaryBp = state.weights().basisPoints(r.canary());
        if (canaryBp != r.currentPercent() * 100 || state.baseline().equals(r.canary())) {
            throw new Violation(Invariant.VALIDITY, node + " committed " + describe(state) + ": rollout " + r.id() + " is at "
                    + r.currentPercent() + "% but the canary " + r.canary() + " has " + canaryBp + " basis points");
        }
    }

    /** A majority sent a durable YES for exactly this state's transaction: it is chosen (it will commit as this). */
    private boolean chosen(RoutingState state) {
        RoutingState proposed = proposedByTx.get(state.txId());
        return proposed != null && sameProposal(proposed, state)
                && yesVotes.getOrDefault(state.txId(), Set.of()).size() >= members.size() / 2 + 1;
    }

    private static boolean sameProposal(RoutingState p, RoutingState s) {
        return p.version() == s.version() && p.txId() == s.txId() && p.weights().equals(s.weights())
                && p.baseline().equals(s.baseline()) && p.rollout().equals(s.rollout());
    }

    /** The term {@code log} is in: the newest it adopted (durably, before it acts in it), 0 if none. */
    private static long currentTerm(io.canary.log.MemoryStateLog log) {
        long term = 0;
        for (LogRecord r : log.records()) {
            if (r instanceof LogRecord.TermVote t) {
                term = Math.max(term, t.term());
            }
        }
        return term;
    }

    /**
     * {@code node}'s disk was lost, keeping only {@code kept}: an abort it logged and lost no longer counts
     * toward the majority that makes an abort final (ATOMICITY is about aborts a majority holds).
     */
    void forgetLostAborts(String node, List<LogRecord> kept) {
        for (Map.Entry<Long, Set<String>> e : abortLoggedBy.entrySet()) {
            long tx = e.getKey();
            if (!abortedTx.containsKey(tx) && kept.stream().noneMatch(r -> r instanceof LogRecord.Aborted a && a.txId() == tx)) {
                e.getValue().remove(node);
            }
        }
    }

    /** {@code node}'s disk was lost: the versions it reports start over (its log is not the cluster's). */
    void forgetReported(String node) {
        reported.remove(node);
    }

    /** The simulation's clock, for the lease bound. */
    void at(long virtualNow) {
        now = virtualNow;
    }

    private static final java.util.regex.Pattern TX = java.util.regex.Pattern.compile("transaction (\\d+)");

    /** A caller on {@code node} was told {@code outcome}: a success must name a committed state. */
    void onAnswer(String node, io.canary.internal.protocol.Outcome outcome) {
        if (outcome instanceof io.canary.internal.protocol.Outcome.Failure f && !f.outcomeUnknown()) {
            java.util.regex.Matcher m = TX.matcher(f.reason());
            if (m.find() && f.reason().contains("aborted")) {
                long txId = Long.parseLong(m.group(1));
                if (committedTx.containsKey(txId)) {
                    throw new Violation(Invariant.CONFIRMED, "a caller on " + node + " was told transaction " + txId
                            + " failed, but it committed on " + committedTx.get(txId));
                }
                toldFailed.putIfAbsent(txId, node);
            }
        }
        if (outcome instanceof io.canary.internal.protocol.Outcome.Success s) {
            RoutingState agreed = committedByVersion.get(s.state().version());
            if (agreed == null && chosen(s.state())) {
                // The commit path answers once the deciding YES votes are durable, before any COMMITTED
                // record (issue 13): the state is chosen, and must be what this version commits as.
                toldChosen.putIfAbsent(s.state().version(), s.state());
                return;
            }
            if (agreed == null || !agreed.equals(s.state())) {
                throw new Violation(Invariant.VALIDITY, "a caller on " + node + " was told " + describe(s.state())
                        + " committed" + (agreed == null ? ", which no node committed" : " but it was committed as " + describe(agreed)));
            }
        }
    }

    /** How the coordinator words the abort of a proposal that yields to an operator's weight set (Coordinator#propose). */
    private static final String YIELDS_TO_WEIGHT_SET = " aborted: it yields to weights ";

    /**
     * SUPERSEDED_NOT_FAILED: an operator's weight set was answered. One that yielded to a later weight
     * set rides in that one's transaction and is told "superseded" (or that one's outcome), never
     * "failed" because it yielded (an outcome-unknown answer is not a failure).
     */
    void onWeightSetAnswer(String node, io.canary.internal.protocol.Outcome outcome) {
        if (outcome instanceof io.canary.internal.protocol.Outcome.Failure f && !f.outcomeUnknown()
                && f.reason().contains(YIELDS_TO_WEIGHT_SET)) {
            throw new Violation(Invariant.SUPERSEDED_NOT_FAILED, "a caller on " + node + " was told its weight set failed"
                    + " because it yielded to a later weight set, which superseded it: " + f.reason());
        }
    }

    // ---- checked after every step -------------------------------------------------------------------

    /** What a live node shows between events: its committed state and the state its router uses. */
    void checkNode(String node, RoutingState committed, RoutingState routed) {
        RoutingState agreed = committedByVersion.get(committed.version());
        if (agreed == null || !agreed.equals(committed)) {
            throw new Violation(Invariant.AGREEMENT, node + " reports committed version " + committed.version() + " "
                    + describe(committed) + (agreed == null ? ", which no log holds as committed" : " but it was committed as "
                    + describe(agreed)));
        }
        Long before = reported.get(node);
        if (before != null && committed.version() < before) {
            throw new Violation(Invariant.DURABILITY, node + " reports committed version " + committed.version()
                    + " after it reported version " + before);
        }
        reported.put(node, committed.version());
        if (routed != committed && !routed.equals(committed)) {
            throw new Violation(Invariant.ROUTING_SAFETY, node + " routes on version " + routed.version() + " "
                    + routed.weights() + " while its committed state is version " + committed.version() + " " + committed.weights());
        }
    }

    /**
     * A live node that routes a non-baseline share ({@code failSafe} false) must not be behind a state
     * committed more than {@code boundMillis} ago: that is what its lease promises.
     */
    void checkLease(String node, RoutingState committed, boolean failSafe, long boundMillis) {
        if (failSafe || committed.weights().share(committed.baseline()) >= 1.0) {
            return;
        }
        for (Map.Entry<Long, Long> e : firstCommittedAt.entrySet()) {
            if (e.getKey() > committed.version() && now - e.getValue() > boundMillis) {
                throw new Violation(Invariant.LEASE, node + " routes " + committed.weights() + " (version "
                        + committed.version() + ") " + (now - e.getValue()) + " ms after version " + e.getKey()
                        + " committed (" + describe(committedByVersion.get(e.getKey())) + "), past the lease bound of "
                        + boundMillis + " ms");
            }
        }
    }

    /** The version of a committed state, or -1. */
    long versionOf(long txId) {
        for (RoutingState s : committedByVersion.values()) {
            if (s.txId() == txId) {
                return s.version();
            }
        }
        return -1;
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private static boolean holdsPrepared(List<LogRecord> durable, long txId) {
        for (int i = durable.size() - 1; i >= 0; i--) {
            if (durable.get(i) instanceof LogRecord.Prepared p && p.txId() == txId) {
                return true;
            }
        }
        return false;
    }

    private static boolean holdsCommitted(List<LogRecord> durable, long txId) {
        for (LogRecord r : durable) {
            if ((r instanceof LogRecord.Committed c && c.state().txId() == txId)
                    || (r instanceof LogRecord.Synced s && s.state().txId() == txId)) {
                return true;
            }
        }
        return false;
    }

    static long durableCommittedVersion(List<LogRecord> durable) {
        long best = 1; // the initial state needs no record
        for (LogRecord r : durable) {
            if (r instanceof LogRecord.Committed c) {
                best = Math.max(best, c.state().version());
            } else if (r instanceof LogRecord.Synced s) {
                best = Math.max(best, s.state().version());
            }
        }
        return best;
    }

    static String describe(RoutingState s) {
        String r = s.rollout().id().isEmpty() ? "" : " rollout " + s.rollout().id() + " " + s.rollout().phase()
                + "@" + s.rollout().currentPercent() + "%";
        return "v" + s.version() + " " + s.weights() + " base=" + s.baseline() + " tx=" + s.txId() + r;
    }
}
