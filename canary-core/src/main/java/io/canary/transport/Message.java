package io.canary.transport;

import io.canary.health.HealthSnapshot;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * Everything nodes say to each other. Every message is idempotent: receiving it twice has the
 * effect of receiving it once, so transports may duplicate and the protocol may resend.
 *
 * <p>The set is closed ({@code sealed}) so that codecs can be checked for completeness. Adding a
 * message type means adding it to every codec and bumping the wire protocol version.
 */
public sealed interface Message {

    // ---- two-phase commit -------------------------------------------------------------------
    //
    // Every protocol message carries its sender's term: a message of an older term is refused
    // (fencing), and a newer term seen anywhere makes the receiver adopt it (durably) first.

    /**
     * Coordinator of {@code term} to participant: prepare to commit {@code proposed}
     * (version = committed + 1). {@code txId} is the transaction's id from its first proposal; a
     * successor that re-drives an in-doubt transaction sends it again with its own, newer term.
     */
    record Prepare(long term, long txId, RoutingState proposed) implements Message {
        public Prepare {
            Objects.requireNonNull(proposed, "proposed");
        }
    }

    /**
     * Why a participant voted NO, by an explicit wire code. Reasons about the voter itself
     * ({@link #aboutVoter()}) do not veto a change that lowers the canary: the voter is left out and
     * caught up later.
     */
    enum Refusal {
        /** A YES vote. */
        NONE(0, false),
        /** The voter cannot write its state log. */
        CANNOT_PERSIST(1, true),
        /** The voter is closing. */
        SHUTTING_DOWN(2, true),
        /** The voter has not committed the version before the proposed one: it is stale. */
        BEHIND(3, true),
        /** The Prepare is of an older term than the voter's: the sender is no longer coordinator. */
        STALE_TERM(4, false),
        /** The proposal gives traffic to a version the voter cannot serve. */
        CANNOT_SERVE(5, false),
        /** The voter already committed the proposed version (with another state): the sender is behind. */
        AHEAD(6, false),
        /** The transaction was already aborted. */
        ABORTED(7, false);

        private final int code;
        private final boolean aboutVoter;

        Refusal(int code, boolean aboutVoter) {
            this.code = code;
            this.aboutVoter = aboutVoter;
        }

        /** The wire code (never the ordinal). */
        public int code() {
            return code;
        }

        /** True if the reason is about the voter itself (it cannot take part), not about the proposal. */
        public boolean aboutVoter() {
            return aboutVoter;
        }

        /** @throws IllegalArgumentException for an unknown code */
        public static Refusal ofCode(int code) {
            for (Refusal r : values()) {
                if (r.code == code) {
                    return r;
                }
            }
            throw new IllegalArgumentException("unknown vote refusal code " + code);
        }
    }

    /**
     * Participant to coordinator: YES ({@code refusal} NONE) after PREPARED is durable, or NO with a
     * typed refusal and a human reason. {@code term} is the voter's current term.
     */
    record Vote(long term, long txId, boolean yes, Refusal refusal, String reason) implements Message {
        public Vote {
            Objects.requireNonNull(refusal, "refusal");
            Objects.requireNonNull(reason, "reason");
            if (yes != (refusal == Refusal.NONE)) {
                throw new IllegalArgumentException("a YES has refusal NONE and a NO another, got yes=" + yes + " " + refusal);
            }
        }

        public static Vote yes(long term, long txId) {
            return new Vote(term, txId, true, Refusal.NONE, "");
        }

        public static Vote no(long term, long txId, Refusal refusal, String reason) {
            return new Vote(term, txId, false, refusal, reason);
        }
    }

    /** Coordinator to participant: the decision is COMMIT; resent until acknowledged. */
    record Commit(long term, long txId, RoutingState state) implements Message {
        public Commit {
            Objects.requireNonNull(state, "state");
        }
    }

    /** Participant to coordinator: the commit of {@code txId} is durable and applied. */
    record CommitAck(long term, long txId) implements Message {
    }

    /**
     * Coordinator to participant: the decision is ABORT for {@code txId}, which proposed
     * {@code version}; the participant logs it durably and acknowledges, so that no successor
     * re-drives a transaction whose caller was told it failed.
     */
    record Abort(long term, long txId, long version, String reason) implements Message {
        public Abort {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Participant to coordinator: the abort of {@code txId} is durable. */
    record AbortAck(long term, long txId) implements Message {
    }

    /**
     * In-doubt participant to coordinator: what was decided for {@code txId}, which proposed
     * {@code version}? The coordinator answers with a StateSync once its committed version covers
     * {@code version}; otherwise the participant keeps its promise until a Prepare of that version
     * replaces it.
     */
    record DecisionQuery(long term, long txId, long version) implements Message {
    }

    // ---- membership, leases and catch-up ----------------------------------------------------

    /**
     * Every node to every peer, every heartbeat interval: my term, my committed version, whether I
     * am ready, and for two-way evidence the time I sent this ({@code sentAt}, on my monotonic clock)
     * and the {@code sentAt} of the last heartbeat I received from you ({@code echo}, on your clock;
     * -1 if none). {@code coordinator}: I am the coordinator of {@code term}; {@code leaseHolder}: and
     * I have two-way contact with a majority now, so you may serve the canary on my word.
     * {@code lastVersion}/{@code lastTerm}: my log position, the up-to-date key of my newest state
     * (my promise in doubt, else my committed state), as a {@link RequestVote} carries it: a voter
     * refuses a candidate behind a position a peer reported (it may hold a promise a commit was
     * decided on, which a voter whose disk was lost no longer holds). A heartbeat without them (an
     * older sender) reports {@code (committedVersion, 0)}, which holds nobody back.
     * {@code inDoubt}: the promise behind that position when it is one (protocol version 4), so that a
     * node recovering from a lost disk can hand it on to a candidate when its holder has gone silent
     * (see {@link RequestVoteReply#relayed}).
     */
    record Heartbeat(long term, long committedVersion, boolean ready, long sentAt, long echo,
                     boolean coordinator, boolean leaseHolder, long lastVersion, long lastTerm,
                     java.util.Optional<PreparedReport> inDoubt) implements Message {
        public Heartbeat {
            Objects.requireNonNull(inDoubt, "inDoubt");
        }

        /** A heartbeat that carries no promise in doubt. */
        public Heartbeat(long term, long committedVersion, boolean ready, long sentAt, long echo,
                         boolean coordinator, boolean leaseHolder, long lastVersion, long lastTerm) {
            this(term, committedVersion, ready, sentAt, echo, coordinator, leaseHolder, lastVersion, lastTerm,
                    java.util.Optional.empty());
        }

        /** A heartbeat whose log position is its committed version (nothing in doubt, term unknown). */
        public Heartbeat(long term, long committedVersion, boolean ready, long sentAt, long echo,
                         boolean coordinator, boolean leaseHolder) {
            this(term, committedVersion, ready, sentAt, echo, coordinator, leaseHolder, committedVersion, 0);
        }
    }

    /** Coordinator to a node that is behind: the latest committed state, to log and apply. */
    record StateSync(long term, RoutingState state) implements Message {
        public StateSync {
            Objects.requireNonNull(state, "state");
        }
    }

    // ---- elections --------------------------------------------------------------------------

    /**
     * Candidate to every peer: vote for me in {@code term}. {@code lastVersion}/{@code lastTerm}
     * describe the candidate's newest state (prepared or committed) for the up-to-date rule. A
     * pre-vote ({@code preVote}) asks whether the peer would vote, without anyone changing term.
     */
    record RequestVote(long term, long lastVersion, long lastTerm, boolean preVote) implements Message {
    }

    /** A transaction a voter promised (PREPARED) without knowing its decision, in its recovery report. */
    record PreparedReport(long term, long txId, RoutingState proposed) {
        public PreparedReport {
            Objects.requireNonNull(proposed, "proposed");
        }
    }

    /**
     * Voter to candidate. When granted (not a pre-vote), the voter has durably adopted {@code term}
     * and promises to refuse older terms; its report (committed state, promise in doubt, last abort
     * it logged) is the candidate's recovery round: the winner knows what a majority holds.
     * {@code relayed} (protocol version 4): promises <em>other</em> members reported to this voter in
     * their heartbeats, ahead of its own log, which it heeds while it recovers from a lost disk; never
     * the voter's own acceptance, but each a true fact about its holder's log, so the candidate's
     * recovery round may use them (at most {@link #MAX_RELAYED}).
     */
    record RequestVoteReply(long term, boolean granted, boolean preVote, RoutingState committed,
                            java.util.Optional<PreparedReport> prepared, long abortedTxId, long abortedVersion,
                            List<PreparedReport> relayed)
            implements Message {
        /** At most this many relayed promises in one reply (one per other member of a three-member cluster suffices). */
        public static final int MAX_RELAYED = 8;

        public RequestVoteReply {
            Objects.requireNonNull(committed, "committed");
            Objects.requireNonNull(prepared, "prepared");
            relayed = List.copyOf(relayed);
            if (relayed.size() > MAX_RELAYED) {
                throw new IllegalArgumentException("at most " + MAX_RELAYED + " relayed promises, got " + relayed.size());
            }
        }

        /** A reply that relays nothing. */
        public RequestVoteReply(long term, boolean granted, boolean preVote, RoutingState committed,
                                java.util.Optional<PreparedReport> prepared, long abortedTxId, long abortedVersion) {
            this(term, granted, preVote, committed, prepared, abortedTxId, abortedVersion, List.of());
        }
    }

    // ---- health and rollout -----------------------------------------------------------------

    /** Every node to every peer, each health interval: my health over my window. */
    record HealthReport(HealthSnapshot snapshot) implements Message {
        public HealthReport {
            Objects.requireNonNull(snapshot, "snapshot");
        }
    }

    /** Coordinator to every peer: the verdict of an analysis of rollout {@code rolloutId}. */
    record VerdictReport(String rolloutId, Verdict verdict) implements Message {
        public VerdictReport {
            Objects.requireNonNull(rolloutId, "rolloutId");
            Objects.requireNonNull(verdict, "verdict");
        }
    }

    // ---- requests forwarded to the coordinator ----------------------------------------------

    /**
     * Any node to the coordinator: run this command for a caller of mine. {@code term} is the term whose coordinator
     * the request was first sent to: a command that is not safe to run twice runs only in that term (the memory of
     * what a coordinator ran lives on it alone, and a restart, or a lost disk, always ends its term).
     */
    record ForwardRequest(long requestId, long term, Command command) implements Message {
        public ForwardRequest {
            Objects.requireNonNull(command, "command");
        }
    }

    /**
     * Coordinator to the forwarding node: the outcome. When {@code outcome} is
     * {@link Outcome#COMMITTED}, {@code state} is the committed state and {@code error} is empty;
     * otherwise {@code state} is the coordinator's current committed state and {@code error} says
     * why (for {@link Outcome#UNKNOWN}: why the coordinator cannot tell whether it committed).
     */
    record ForwardResponse(long requestId, Outcome outcome, RoutingState state, String error) implements Message {
        public ForwardResponse {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(error, "error");
        }

        /** True when the request committed (or needed no change), or a later change that superseded it did. */
        public boolean ok() {
            return outcome == Outcome.COMMITTED || outcome == Outcome.SUPERSEDED;
        }

        /**
         * How a forwarded request ended, as the coordinator knows it. Each constant has a fixed wire
         * code (never its ordinal), so reordering or adding constants keeps old codes meaning the same.
         */
        public enum Outcome {
            /** Committed, or needed no change: {@code state} is the committed state. */
            COMMITTED(1),
            /** Did not commit and never will (refused, aborted, vetoed): safe to retry. */
            FAILED(2),
            /** May or may not have committed (e.g. the coordinator restarted while running it). */
            UNKNOWN(3),
            /**
             * A weight set merged with later ones into one transaction, which committed: {@code state}
             * carries the later change, and {@code error} names the change that superseded it.
             */
            SUPERSEDED(4);

            private final int code;

            Outcome(int code) {
                this.code = code;
            }

            /** The wire code of this outcome. */
            public int code() {
                return code;
            }

            /** The outcome with wire code {@code code}, or {@code null} if there is none. */
            public static Outcome ofCode(int code) {
                for (Outcome o : values()) {
                    if (o.code == code) {
                        return o;
                    }
                }
                return null;
            }
        }
    }

    /** A mutation that only the coordinator runs. */
    sealed interface Command {
    }

    /** Change the weights through 2PC. */
    record ProposeWeights(Weights weights) implements Command {
        public ProposeWeights {
            Objects.requireNonNull(weights, "weights");
        }
    }

    /** Start a rollout with this plan. */
    record StartRollout(RolloutPlan plan) implements Command {
        public StartRollout {
            Objects.requireNonNull(plan, "plan");
        }
    }

    /** Pause, resume, promote or abort the running rollout. */
    record ControlRollout(RolloutAction action) implements Command {
        public ControlRollout {
            Objects.requireNonNull(action, "action");
        }
    }
}
