package io.canary.log;

import io.canary.model.RoutingState;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import java.util.Objects;

/**
 * One entry of a node's state log. The log is the node's memory across crashes: replaying it gives
 * back the committed state, any transaction the node is in doubt about, the coordinator's epoch and
 * the rollout's plan and verdicts.
 */
public sealed interface LogRecord {

    /**
     * Participant: voted YES on {@code txId} in {@code term} (the Prepare's term, newer than the
     * transaction's own when a successor re-drives it); written durably before the vote is sent.
     */
    record Prepared(long term, long txId, RoutingState proposed) implements LogRecord {
        public Prepared {
            Objects.requireNonNull(proposed, "proposed");
        }

        /** A promise in the term the transaction was born in ({@code txId >>> 32}). */
        public Prepared(long txId, RoutingState proposed) {
            this(txId >>> 32, txId, proposed);
        }
    }

    /** Coordinator: decided COMMIT (durable before Commit is sent); participant: applied it. */
    record Committed(long txId, RoutingState state) implements LogRecord {
        public Committed {
            Objects.requireNonNull(state, "state");
        }
    }

    /**
     * Transaction {@code txId}, which proposed {@code version}, aborted by the coordinator of its
     * term; durable before it is acknowledged, so that a successor's recovery round finds it and
     * never re-drives a transaction whose caller was told it failed. {@code version} 0: unknown (logs
     * of earlier releases).
     */
    record Aborted(long txId, String reason, long version) implements LogRecord {
        public Aborted {
            Objects.requireNonNull(reason, "reason");
        }

        public Aborted(long txId, String reason) {
            this(txId, reason, 0);
        }
    }

    /**
     * The node's current term and whom it voted for in it ("" for nobody); durable before the node
     * answers anything in that term, so that a restarted node never votes twice in a term nor goes
     * back to an older one. {@link #UNKNOWN_VOTE} for a term adopted while the node's log held no
     * term: it may have voted in it before its data was lost, so it never votes in it.
     */
    record TermVote(long term, String votedFor) implements LogRecord {
        /** The vote of a term adopted by a node that lost its log: unknown, so never given in that term. */
        public static final String UNKNOWN_VOTE = "?";
        /**
         * The same unknown vote, logged again once the node heard every member (its amnesia ended, in that term):
         * never given in that term either, but a restart on it is not amnesiac again. Without it a node that had
         * learned a state while amnesiac and crashed before it heard every member came back as if it lost nothing
         * (simulator seed 7000049). Never a member id.
         */
        public static final String UNKNOWN_VOTE_AMNESIA_ENDED = "?heard";

        public TermVote {
            Objects.requireNonNull(votedFor, "votedFor");
            if (term < 0) {
                throw new IllegalArgumentException("term must be >= 0, got " + term);
            }
        }
    }

    /**
     * A node that lost its log has heard every member and is <em>recovering</em> ({@code done} false): it heeds the log
     * positions its peers report, for its own log may lack a record it held with a majority; or that recovery ran its
     * course ({@code done} true). Durable, and kept by checkpoints: a log whose last such record is not done starts
     * amnesiac again, so the node hears every member again before it votes, stands or takes part in anything (simulator
     * seeds 9209848, 9420412: a wiped node restarted after its amnesia ended came back as if it lost nothing, and elected
     * a coordinator without a commit only an unheard member still held).
     */
    record Recovering(boolean done) implements LogRecord {
    }

    /** A node that was behind took this state from the coordinator's StateSync. */
    record Synced(RoutingState state) implements LogRecord {
        public Synced {
            Objects.requireNonNull(state, "state");
        }
    }

    /** Coordinator start-up; transaction ids carry the epoch so none is reused after a restart. */
    record CoordinatorEpoch(long epoch) implements LogRecord {
    }

    /** Coordinator: a rollout started with this plan. */
    record RolloutStarted(String rolloutId, RolloutPlan plan, long at) implements LogRecord {
        public RolloutStarted {
            Objects.requireNonNull(rolloutId, "rolloutId");
            Objects.requireNonNull(plan, "plan");
        }
    }

    /** Coordinator: an analysis of the rollout concluded this. */
    record RolloutVerdict(String rolloutId, Verdict verdict) implements LogRecord {
        public RolloutVerdict {
            Objects.requireNonNull(rolloutId, "rolloutId");
            Objects.requireNonNull(verdict, "verdict");
        }
    }

    /**
     * Coordinator: accepted the request {@code requestId} forwarded by {@code from}; written durably
     * before the request starts, so that a restarted coordinator never runs a resent copy again. It
     * also says who asked for a change: {@code at} is the coordinator's clock (epoch millis) when it
     * accepted it and {@code command} what was asked, in words ({@code set weights v1=90% v2=10%});
     * both are 0 and empty in records written before they existed.
     */
    record RequestAccepted(String from, long requestId, long at, String command) implements LogRecord {
        public RequestAccepted {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(command, "command");
        }

        /** A record without time or command (as older logs hold). */
        public RequestAccepted(String from, long requestId) {
            this(from, requestId, 0, "");
        }
    }
}
