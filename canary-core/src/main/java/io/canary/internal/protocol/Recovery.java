package io.canary.internal.protocol;

import io.canary.log.LogRecord;
import io.canary.log.LogStart;
import io.canary.model.RoutingState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a node's log says after a restart: the last committed state, a transaction it voted YES on
 * without learning the decision (in doubt), the newest abort it logged, its current term and vote,
 * and the records that belong to others (the rollout's) in log order.
 *
 * @param committed the highest committed or synced state, or the initial state if there is none
 * @param inDoubt the last PREPARED that no later COMMITTED, SYNCED or ABORTED covers
 * @param epoch the node's current term: the highest TERM (or, in logs of earlier releases, EPOCH), 0 if none
 * @param otherRecords rollout records, oldest first
 * @param accepted the most recent forwarded requests the coordinator accepted (at most
 *     {@link AcceptedRequests#KEPT}), oldest first: a resent copy of one must not run again
 * @param votedFor whom the node voted for in that term, "" if nobody
 * @param lastAborted the ABORTED record of the highest transaction id, if any
 * @param logStart what the log held: {@link LogStart#EMPTY} means this node remembers nothing (new
 *     node, lost data dir, log moved aside after damage) and must learn the committed state from a
 *     majority before it acts; no value proves the log is current (a restored backup looks intact)
 * @param recoveryPending the log's last {@link LogRecord.Recovering} is not done: its node had lost its log, heard
 *     every member, and crashed before its recovery ran its course, so it starts amnesiac again
 */
public record Recovery(RoutingState committed, Optional<LogRecord.Prepared> inDoubt, long epoch,
                       List<LogRecord> otherRecords, List<LogRecord.RequestAccepted> accepted, String votedFor,
                       Optional<LogRecord.Aborted> lastAborted, LogStart logStart, boolean recoveryPending) {

    public Recovery {
        otherRecords = List.copyOf(otherRecords);
        accepted = List.copyOf(accepted);
        Objects.requireNonNull(votedFor, "votedFor");
        Objects.requireNonNull(lastAborted, "lastAborted");
        Objects.requireNonNull(logStart, "logStart");
    }

    public Recovery(RoutingState committed, Optional<LogRecord.Prepared> inDoubt, long epoch,
                    List<LogRecord> otherRecords, List<LogRecord.RequestAccepted> accepted, String votedFor,
                    Optional<LogRecord.Aborted> lastAborted, LogStart logStart) {
        this(committed, inDoubt, epoch, otherRecords, accepted, votedFor, lastAborted, logStart, false);
    }

    public Recovery(RoutingState committed, Optional<LogRecord.Prepared> inDoubt, long epoch,
                    List<LogRecord> otherRecords, List<LogRecord.RequestAccepted> accepted, LogStart logStart) {
        this(committed, inDoubt, epoch, otherRecords, accepted, "", Optional.empty(), logStart);
    }

    public Recovery(RoutingState committed, Optional<LogRecord.Prepared> inDoubt, long epoch,
                    List<LogRecord> otherRecords, List<LogRecord.RequestAccepted> accepted) {
        this(committed, inDoubt, epoch, otherRecords, accepted, LogStart.INTACT);
    }

    public Recovery(RoutingState committed, Optional<LogRecord.Prepared> inDoubt, long epoch,
                    List<LogRecord> otherRecords) {
        this(committed, inDoubt, epoch, otherRecords, List.of());
    }

    /**
     * True if this log's current term was adopted with its vote unknown and its node had not heard every member since
     * (no {@link LogRecord.TermVote#UNKNOWN_VOTE_AMNESIA_ENDED} logged): its node had lost its data and crashed again
     * while still amnesiac, so it starts amnesiac again (simulator seed 3098018), whatever states it learned
     * meanwhile (seed 7000049: a state synced while amnesiac did not make it forget less). Pure; any thread.
     */
    public boolean holdsOnlyAnAdoptedTerm() {
        return LogRecord.TermVote.UNKNOWN_VOTE.equals(votedFor);
    }

    /** The node's current term (the same as {@link #epoch}). */
    public long term() {
        return epoch;
    }

    /** {@link #replay(List, RoutingState, LogStart)} for a log that cannot tell a torn tail: empty or intact. */
    public static Recovery replay(List<LogRecord> records, RoutingState initial) {
        return replay(records, initial, LogStart.of(records));
    }

    /** What {@code records} (a replayed log, oldest first) say, given how the log found them. */
    public static Recovery replay(List<LogRecord> records, RoutingState initial, LogStart logStart) {
        RoutingState committed = initial;
        LogRecord.Prepared prepared = null;
        LogRecord.Aborted aborted = null;
        long term = 0;
        String votedFor = "";
        List<LogRecord> others = new ArrayList<>();
        AcceptedRequests accepted = new AcceptedRequests(List.of());
        boolean recoveryPending = false;
        for (LogRecord record : records) {
            if (record instanceof LogRecord.Committed c) {
                committed = newer(committed, c.state());
            } else if (record instanceof LogRecord.Synced s) {
                committed = newer(committed, s.state());
            } else if (record instanceof LogRecord.Prepared p) {
                prepared = p;
            } else if (record instanceof LogRecord.Aborted a) {
                if (prepared != null && prepared.txId() == a.txId()) {
                    prepared = null;
                }
                if (aborted == null || a.txId() > aborted.txId()) {
                    aborted = a;
                }
            } else if (record instanceof LogRecord.CoordinatorEpoch e) {
                if (e.epoch() > term) {
                    term = e.epoch();
                    votedFor = "";
                }
            } else if (record instanceof LogRecord.TermVote t) {
                if (t.term() > term || (t.term() == term && !t.votedFor().isEmpty())) {
                    term = t.term();
                    votedFor = t.votedFor();
                }
            } else if (record instanceof LogRecord.Recovering r) {
                recoveryPending = !r.done();
            } else if (record instanceof LogRecord.RequestAccepted a) {
                accepted.remember(a);
            } else {
                others.add(record);
            }
        }
        if (prepared != null && prepared.proposed().version() <= committed.version()) {
            prepared = null;
        }
        // A term is never below that of a state the node holds (logs of earlier releases: epochs).
        term = Math.max(term, committed.txId() >>> 32);
        if (prepared != null) {
            term = Math.max(term, prepared.term());
        }
        List<LogRecord.RequestAccepted> acceptedRecords = new ArrayList<>();
        for (LogRecord r : accepted.records()) {
            acceptedRecords.add((LogRecord.RequestAccepted) r);
        }
        return new Recovery(committed, Optional.ofNullable(prepared), term, others, acceptedRecords, votedFor,
                Optional.ofNullable(aborted), logStart, recoveryPending);
    }

    private static RoutingState newer(RoutingState a, RoutingState b) {
        return b.version() >= a.version() ? b : a;
    }

    /**
     * The shortest log equivalent to this one (plus the given extra records): what a checkpoint
     * writes.
     */
    public static List<LogRecord> compact(long term, String votedFor, RoutingState committed,
                                          Optional<LogRecord.Prepared> inDoubt, Optional<LogRecord.Aborted> lastAborted,
                                          List<LogRecord> extra) {
        List<LogRecord> records = new ArrayList<>();
        if (term > 0) {
            records.add(new LogRecord.TermVote(term, votedFor));
        }
        records.add(new LogRecord.Committed(committed.txId(), committed));
        lastAborted.ifPresent(records::add);
        inDoubt.ifPresent(records::add);
        records.addAll(extra);
        return records;
    }

    /** The checkpoint of earlier releases' shape (term without a vote, no abort). */
    public static List<LogRecord> compact(long epoch, RoutingState committed, Optional<LogRecord.Prepared> inDoubt,
                                          List<LogRecord> extra) {
        return compact(epoch, "", committed, inDoubt, Optional.empty(), extra);
    }
}
