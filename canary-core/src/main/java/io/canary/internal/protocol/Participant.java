package io.canary.internal.protocol;

import io.canary.NodeConfig;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.transport.Message.Abort;
import io.canary.transport.Message.Commit;
import io.canary.transport.Message.CommitAck;
import io.canary.transport.Message.DecisionQuery;
import io.canary.transport.Message.Prepare;
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
 * commits and syncs, and asks the coordinator when it is in doubt.
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
public final class Participant {

    /** A transaction this node voted YES on and has no decision for yet. */
    public record PreparedTx(long txId, RoutingState proposed, long preparedAt, boolean recovered) {
        public long version() {
            return proposed.version();
        }
    }

    private final String selfId;
    private final String coordinatorId;
    private final Set<String> servableVersions;
    private final NodeConfig config;
    private RoutingState committed;
    private PreparedTx prepared;
    private boolean inDoubtCheckArmed;
    private boolean shuttingDown;

    /**
     * @param servableVersions versions this node can serve; empty means any
     * @param committed the committed state recovered from the log (or the initial state)
     * @param recoveredPrepared an undecided PREPARED found in the log, if any
     */
    public Participant(String selfId, String coordinatorId, Set<String> servableVersions, NodeConfig config,
                       RoutingState committed, Optional<LogRecord.Prepared> recoveredPrepared) {
        this.selfId = Objects.requireNonNull(selfId, "selfId");
        this.coordinatorId = Objects.requireNonNull(coordinatorId, "coordinatorId");
        this.servableVersions = Set.copyOf(servableVersions);
        this.config = Objects.requireNonNull(config, "config");
        this.committed = Objects.requireNonNull(committed, "committed");
        this.prepared = recoveredPrepared
                .filter(p -> p.proposed().version() > committed.version())
                .map(p -> new PreparedTx(p.txId(), p.proposed(), 0, true))
                .orElse(null);
    }

    public RoutingState committed() {
        return committed;
    }

    public Optional<PreparedTx> prepared() {
        return Optional.ofNullable(prepared);
    }

    /** Effects to run once the node started: an in-doubt transaction from the log is asked about at once. */
    public List<Effect> start(long now) {
        List<Effect> out = new ArrayList<>();
        if (prepared != null) {
            out.add(new Effect.Log(Level.WARNING, "in doubt about transaction " + prepared.txId() + " (version "
                    + prepared.version() + ") found prepared in the log; routing on version " + committed.version()
                    + " and asking " + coordinatorId));
            out.add(new Effect.Send(coordinatorId, new DecisionQuery(prepared.txId(), prepared.version())));
            armInDoubtCheck(out);
        }
        return out;
    }

    /** From now on every Prepare gets a NO: the node is going away. */
    public void shutDown() {
        shuttingDown = true;
    }

    public List<Effect> onPrepare(String from, Prepare prepare, long now) {
        List<Effect> out = new ArrayList<>();
        long txId = prepare.txId();
        RoutingState proposed = prepare.proposed();
        if (prepared != null && prepared.txId() == txId) {
            // A duplicate Prepare: the promise is already durable, say YES again.
            out.add(new Effect.Send(from, new Vote(txId, true, "")));
            return out;
        }
        String refusal = refusal(from, proposed);
        if (refusal != null) {
            out.add(new Effect.Send(from, new Vote(txId, false, refusal)));
            if (prepared != null && from.equals(coordinatorId)) {
                out.add(new Effect.Send(coordinatorId, new DecisionQuery(prepared.txId(), prepared.version())));
            }
            return out;
        }
        prepared = new PreparedTx(txId, proposed, now, false);
        // The timer goes first: if the durable append fails, the runtime skips what follows it (the YES).
        armInDoubtCheck(out);
        out.add(new Effect.Append(new LogRecord.Prepared(txId, proposed), true));
        out.add(new Effect.Send(from, new Vote(txId, true, "")));
        return out;
    }

    /** Why this node cannot promise to commit {@code proposed}, or null if it can. */
    private String refusal(String from, RoutingState proposed) {
        if (!from.equals(coordinatorId)) {
            return selfId + " takes Prepare only from the coordinator " + coordinatorId + ", not from " + from;
        }
        if (shuttingDown) {
            return selfId + " is shutting down";
        }
        if (prepared != null) {
            return selfId + " is already prepared for transaction " + prepared.txId() + " (version "
                    + prepared.version() + ") and waits for its decision";
        }
        if (proposed.version() != committed.version() + 1) {
            return selfId + " has committed version " + committed.version() + " and expects version "
                    + (committed.version() + 1) + ", not " + proposed.version();
        }
        if (!servableVersions.isEmpty()) {
            Set<String> missing = new TreeSet<>();
            for (String version : proposed.weights().versions()) {
                if (proposed.weights().basisPoints(version) > 0 && !servableVersions.contains(version)) {
                    missing.add(version);
                }
            }
            if (!missing.isEmpty()) {
                return selfId + " cannot serve " + String.join(", ", missing) + " (it serves "
                        + String.join(", ", new TreeSet<>(servableVersions)) + ")";
            }
        }
        return null;
    }

    public List<Effect> onCommit(String from, Commit commit, long now) {
        List<Effect> out = new ArrayList<>();
        if (!from.equals(coordinatorId)) {
            out.add(ignored("Commit", from));
            return out;
        }
        if (commit.state().version() > committed.version()) {
            adopt(new LogRecord.Committed(commit.txId(), commit.state()), commit.state(), out);
        } else {
            dropPreparedCoveredBy(committed.version());
        }
        // Acknowledged only after the Committed record is durable (the Append above runs first).
        out.add(new Effect.Send(from, new CommitAck(commit.txId())));
        return out;
    }

    public List<Effect> onAbort(String from, Abort abort, long now) {
        List<Effect> out = new ArrayList<>();
        if (!from.equals(coordinatorId)) {
            out.add(ignored("Abort", from));
            return out;
        }
        if (prepared != null && prepared.txId() == abort.txId()) {
            prepared = null;
            // Informational only: with presumed abort, a lost ABORTED record changes nothing.
            out.add(new Effect.Append(new LogRecord.Aborted(abort.txId(), abort.reason()), false));
        }
        return out;
    }

    /** Takes the coordinator's latest committed state if it is ahead of this node's. */
    public List<Effect> onStateSync(String from, StateSync sync, long now) {
        List<Effect> out = new ArrayList<>();
        if (!from.equals(coordinatorId)) {
            out.add(ignored("StateSync", from));
            return out;
        }
        if (sync.state().version() > committed.version()) {
            adopt(new LogRecord.Synced(sync.state()), sync.state(), out);
        } else {
            dropPreparedCoveredBy(committed.version());
        }
        return out;
    }

    /** The PREPARED record of {@code txId} could not be written: the promise was never made. */
    public List<Effect> forgetPrepared(long txId) {
        if (prepared != null && prepared.txId() == txId) {
            prepared = null;
        }
        return new ArrayList<>();
    }

    /** The coordinator decided COMMIT of its own transaction: its decision record is this node's commit. */
    public List<Effect> commitLocally(long txId, RoutingState state) {
        List<Effect> out = new ArrayList<>();
        adopt(new LogRecord.Committed(txId, state), state, out);
        return out;
    }

    /**
     * The coordinator, replaying its own log, found its own PREPARED without a COMMIT: it never
     * decided, so under presumed abort the transaction aborted.
     */
    public List<Effect> resolveOwnInDoubtAsAborted() {
        List<Effect> out = new ArrayList<>();
        if (prepared != null) {
            out.add(new Effect.Append(new LogRecord.Aborted(prepared.txId(),
                    "the coordinator restarted before deciding (presumed abort)"), false));
            prepared = null;
        }
        return out;
    }

    public List<Effect> onInDoubtCheck(long now) {
        List<Effect> out = new ArrayList<>();
        if (prepared == null) {
            inDoubtCheckArmed = false;
            return out;
        }
        long doubtAfter = config.prepareTimeout().plus(config.retryInterval()).toMillis();
        if (prepared.recovered() || now - prepared.preparedAt() >= doubtAfter) {
            out.add(new Effect.Send(coordinatorId, new DecisionQuery(prepared.txId(), prepared.version())));
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

    private Effect ignored(String what, String from) {
        return new Effect.Log(Level.WARNING, selfId + " ignored " + what + " from " + from
                + ": only the coordinator " + coordinatorId + " sends it");
    }
}
