package io.canary.internal.protocol;

import io.canary.NodeConfig;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.transport.Message;
import io.canary.transport.Message.Abort;
import io.canary.transport.Message.AbortAck;
import io.canary.transport.Message.Commit;
import io.canary.transport.Message.CommitAck;
import io.canary.transport.Message.DecisionQuery;
import io.canary.transport.Message.Prepare;
import io.canary.transport.Message.Refusal;
import io.canary.transport.Message.StateSync;
import io.canary.transport.Message.Vote;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The participant side of two-phase commit, run by every node (the coordinator too, for its own
 * transactions). It owns the node's committed state: it votes, keeps its promise durable, applies
 * commits and syncs, logs aborts durably, and asks the coordinator when it is in doubt.
 *
 * <p>Terms are checked before a message gets here ({@link ProtocolNode} fences older terms); a
 * Prepare of the current coordinator for the version this node prepared replaces the earlier promise
 * (as Raft overwrites uncommitted entries): the coordinator proposes a new transaction for a version
 * only once the earlier one cannot commit, and a successor re-drives the newest promise it found.
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
public final class Participant {

    /** A transaction this node voted YES on (in {@code term}) and has no decision for yet. */
    public record PreparedTx(long term, long txId, RoutingState proposed, long preparedAt, boolean recovered) {
        public long version() {
            return proposed.version();
        }
    }

    private final String selfId;
    private final Set<String> servableVersions;
    private final NodeConfig config;
    private RoutingState committed;
    private PreparedTx prepared;
    /** The newest transaction this node logged as aborted, and the version it proposed (0 if none). */
    private long abortedTxId;
    private long abortedVersion;
    private boolean inDoubtCheckArmed;
    private boolean shuttingDown;

    /**
     * @param servableVersions versions this node can serve; empty means any
     * @param committed the committed state recovered from the log (or the initial state)
     * @param recoveredPrepared an undecided PREPARED found in the log, if any
     * @param lastAborted the newest ABORTED found in the log, if any
     */
    public Participant(String selfId, Set<String> servableVersions, NodeConfig config, RoutingState committed,
                       Optional<LogRecord.Prepared> recoveredPrepared, Optional<LogRecord.Aborted> lastAborted) {
        this.selfId = Objects.requireNonNull(selfId, "selfId");
        this.servableVersions = Set.copyOf(servableVersions);
        this.config = Objects.requireNonNull(config, "config");
        this.committed = Objects.requireNonNull(committed, "committed");
        this.prepared = recoveredPrepared
                .filter(p -> p.proposed().version() > committed.version())
                .map(p -> new PreparedTx(p.term(), p.txId(), p.proposed(), 0, true))
                .orElse(null);
        lastAborted.ifPresent(a -> {
            abortedTxId = a.txId();
            abortedVersion = a.version();
        });
    }

    public RoutingState committed() {
        return committed;
    }

    public Optional<PreparedTx> prepared() {
        return Optional.ofNullable(prepared);
    }

    public long abortedTxId() {
        return abortedTxId;
    }

    public long abortedVersion() {
        return abortedVersion;
    }

    /** The PREPARED record a checkpoint keeps for the promise in doubt, if any. */
    public Optional<LogRecord.Prepared> inDoubtRecord() {
        return prepared().map(p -> new LogRecord.Prepared(p.term(), p.txId(), p.proposed()));
    }

    /** True if this node holds a state, promise or abort besides the initial state (only for a planted bug). */
    boolean holdsAnyRecord() {
        return committed().txId() != 0 || prepared().isPresent() || abortedTxId != 0;
    }

    /** The ABORTED record a checkpoint keeps for the newest abort, if any. */
    public Optional<LogRecord.Aborted> abortedRecord() {
        return abortedTxId == 0 ? Optional.empty() : Optional.of(new LogRecord.Aborted(abortedTxId, "", abortedVersion));
    }

    /** What this node reports in an election (its recovery report). */
    public Optional<Message.PreparedReport> preparedReport() {
        return prepared().map(p -> new Message.PreparedReport(p.term(), p.txId(), p.proposed()));
    }

    /** The up-to-date key of this node's newest state: its version. */
    public long lastVersion() {
        return prepared != null ? prepared.version() : committed.version();
    }

    /** The up-to-date key of this node's newest state: the term it was promised or committed in. */
    public long lastTerm() {
        return prepared != null ? prepared.term() : committed.txId() >>> 32;
    }

    /** Effects to run once the node started: an in-doubt transaction from the log is reported. */
    public List<Effect> start(long now) {
        List<Effect> out = new ArrayList<>();
        if (prepared != null) {
            out.add(new Effect.Log(Level.WARNING, "in doubt about transaction " + prepared.txId() + " (version "
                    + prepared.version() + ") found prepared in the log; routing on version " + committed.version()
                    + " until a coordinator resolves it"));
            armInDoubtCheck(out);
        }
        return out;
    }

    /** From now on every Prepare gets a NO: the node is going away. */
    public void shutDown() {
        shuttingDown = true;
    }

    public List<Effect> onPrepare(String from, long term, Prepare prepare, long now) {
        List<Effect> out = new ArrayList<>();
        long txId = prepare.txId();
        RoutingState proposed = prepare.proposed();
        if (prepared != null && prepared.txId() == txId && prepared.term() == prepare.term()) {
            // A duplicate Prepare: the promise is already durable, say YES again.
            out.add(new Effect.Send(from, Vote.yes(term, txId)));
            return out;
        }
        if (proposed.version() == committed.version() && proposed.txId() == committed.txId()) {
            // A successor re-drives what this node already committed: the same state, so YES.
            out.add(new Effect.Send(from, Vote.yes(term, txId)));
            return out;
        }
        Refusal refusal = refusal(prepare);
        if (refusal != Refusal.NONE) {
            out.add(new Effect.Send(from, Vote.no(term, txId, refusal, reason(refusal, prepare))));
            return out;
        }
        prepared = new PreparedTx(prepare.term(), txId, proposed, now, false);
        // The timer goes first: if the durable append fails, the runtime skips what follows it (the YES).
        armInDoubtCheck(out);
        out.add(new Effect.Append(new LogRecord.Prepared(prepare.term(), txId, proposed), true));
        out.add(new Effect.Send(from, Vote.yes(term, txId)));
        return out;
    }

    private Refusal refusal(Prepare prepare) {
        RoutingState proposed = prepare.proposed();
        if (shuttingDown) {
            return Refusal.SHUTTING_DOWN;
        }
        if (prepare.term() == prepare.txId() >>> 32 && prepare.txId() <= abortedTxId
                && (abortedTxId >>> 32) == (prepare.txId() >>> 32)) {
            return Refusal.ABORTED; // a late copy of a Prepare its coordinator already aborted
        }
        if (proposed.version() <= committed.version()) {
            return Refusal.AHEAD;
        }
        if (proposed.version() > committed.version() + 1) {
            return Refusal.BEHIND;
        }
        if (!missing(proposed).isEmpty()) {
            return Refusal.CANNOT_SERVE;
        }
        return Refusal.NONE;
    }

    private String reason(Refusal refusal, Prepare prepare) {
        RoutingState proposed = prepare.proposed();
        return switch (refusal) {
            case SHUTTING_DOWN -> selfId + " is shutting down";
            case ABORTED -> selfId + " already logged transaction " + prepare.txId() + " as aborted";
            case AHEAD -> selfId + " has committed version " + committed.version() + " and expects version "
                    + (committed.version() + 1) + ", not " + proposed.version();
            case BEHIND -> selfId + " has committed only version " + committed.version() + " and cannot take version "
                    + proposed.version() + " before it catches up";
            case CANNOT_SERVE -> selfId + " cannot serve " + String.join(", ", missing(proposed)) + " (it serves "
                    + String.join(", ", new TreeSet<>(servableVersions)) + ")";
            default -> refusal.name();
        };
    }

    private Set<String> missing(RoutingState proposed) {
        Set<String> missing = new TreeSet<>();
        if (!servableVersions.isEmpty()) {
            for (String version : proposed.weights().versions()) {
                if (proposed.weights().basisPoints(version) > 0 && !servableVersions.contains(version)) {
                    missing.add(version);
                }
            }
        }
        return missing;
    }

    public List<Effect> onCommit(String from, long term, Commit commit, long now) {
        List<Effect> out = new ArrayList<>();
        if (commit.state().version() > committed.version()) {
            adopt(new LogRecord.Committed(commit.txId(), commit.state()), commit.state(), out);
        } else {
            dropPreparedCoveredBy(committed.version());
        }
        // Acknowledged only after the Committed record is durable (the Append above runs first).
        out.add(new Effect.Send(from, new CommitAck(term, commit.txId())));
        return out;
    }

    /**
     * The coordinator aborted {@code txId}: logged durably (whether or not this node had promised
     * it), then acknowledged. A late Prepare of it is refused from then on.
     */
    public List<Effect> onAbort(String from, long term, Abort abort, long now) {
        List<Effect> out = new ArrayList<>();
        if (prepared != null && prepared.txId() == abort.txId()) {
            prepared = null;
        }
        if (abort.txId() > abortedTxId) {
            abortedTxId = abort.txId();
            abortedVersion = abort.version();
            out.add(new Effect.Append(new LogRecord.Aborted(abort.txId(), abort.reason(), abort.version()), true));
        }
        out.add(new Effect.Send(from, new AbortAck(term, abort.txId())));
        return out;
    }

    /** Takes the coordinator's latest committed state if it is ahead of this node's. */
    public List<Effect> onStateSync(String from, StateSync sync, long now) {
        List<Effect> out = new ArrayList<>();
        adoptIfNewer(sync.state(), out);
        return out;
    }

    /** Adopts a committed state learned from others (a sync, a recovery round) if it is newer. */
    public void adoptIfNewer(RoutingState state, List<Effect> out) {
        if (state.version() > committed.version()) {
            adopt(new LogRecord.Synced(state), state, out);
        } else {
            dropPreparedCoveredBy(committed.version());
        }
    }

    /** The PREPARED record of {@code txId} could not be written: the promise was never made. */
    public List<Effect> forgetPrepared(long txId) {
        if (prepared != null && prepared.txId() == txId) {
            prepared = null;
        }
        return new ArrayList<>();
    }

    /**
     * The PREPARED record of {@code txId} could not be written (the YES was not sent): the promise is
     * dropped and {@code coordinatorId} (if known) gets a NO {@code CANNOT_PERSIST} of {@code term} instead.
     */
    public List<Effect> onPromiseNotDurable(long txId, String error, String coordinatorId, long term) {
        List<Effect> out = forgetPrepared(txId);
        if (!coordinatorId.isEmpty()) {
            out.add(new Effect.Send(coordinatorId, Vote.no(term, txId, Refusal.CANNOT_PERSIST,
                    selfId + " cannot write its state log: " + error)));
        }
        return out;
    }

    /** The coordinator decided COMMIT of its own transaction: its decision record is this node's commit. */
    public List<Effect> commitLocally(long txId, RoutingState state) {
        List<Effect> out = new ArrayList<>();
        adopt(new LogRecord.Committed(txId, state), state, out);
        return out;
    }

    /** While in doubt, asks {@code coordinatorId} (if known) every retry interval. */
    public List<Effect> onInDoubtCheck(String coordinatorId, long term, long now) {
        List<Effect> out = new ArrayList<>();
        if (prepared == null) {
            inDoubtCheckArmed = false;
            return out;
        }
        long doubtAfter = config.prepareTimeout().plus(config.retryInterval()).toMillis();
        // The coordinator asks itself too: a promise of its own from an earlier term may need letting go.
        if (!coordinatorId.isEmpty() && (prepared.recovered() || now - prepared.preparedAt() >= doubtAfter)) {
            out.add(new Effect.Send(coordinatorId, new DecisionQuery(term, prepared.txId(), prepared.version())));
        }
        out.add(new Effect.Schedule(config.retryInterval(), new Timer.InDoubtCheck()));
        return out;
    }

    private void adopt(LogRecord record, RoutingState state, List<Effect> out) {
        committed = state;
        dropPreparedCoveredBy(state.version());
        out.add(new Effect.Append(record, true));
        out.add(new Effect.Apply(state));
    }

    private void dropPreparedCoveredBy(long version) {
        if (prepared != null && prepared.version() <= version) {
            prepared = null;
        }
    }

    private void armInDoubtCheck(List<Effect> out) {
        if (!inDoubtCheckArmed) {
            inDoubtCheckArmed = true;
            out.add(new Effect.Schedule(config.retryInterval(), new Timer.InDoubtCheck()));
        }
    }
}
