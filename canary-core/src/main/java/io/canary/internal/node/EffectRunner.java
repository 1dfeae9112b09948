package io.canary.internal.node;

import io.canary.internal.protocol.Effect;
import io.canary.log.LogRecord;
import io.canary.time.ExecutorScheduler;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.function.Consumer;

/**
 * Executes, on the protocol thread and in order, the effects a {@link NodeRuntime}'s protocol returns,
 * with group commit ({@link DurableGroup}): durable records of consecutive events share one fsync, and
 * what others could see of an event waits for it. A durable append that fails stops what follows it:
 * a PREPARED becomes a NO vote, any other durable record stops the node (memory would be ahead of the
 * disk); a failed non-durable append is only logged. {@code -Dcanary.log.groupCommit=off} fsyncs each
 * durable record on its own, as before group commit.
 *
 * <p>Not thread-safe: the protocol thread only (the hook may be set from elsewhere before the start).
 */
final class EffectRunner {
    private static final System.Logger LOG = System.getLogger("io.canary.node");
    private static final boolean GROUP_COMMIT = !"off".equals(System.getProperty("canary.log.groupCommit"));
    /**
     * How long a group of COMMITTED records only may wait for more records before its fsync
     * ({@code -Dcanary.log.commitLinger}, milliseconds, 0: never). A member gets Commit(v), then, a client's
     * turnaround later, Prepare(v+1): with the linger both records share one fsync (one per commit per node
     * instead of two, and the PREPARED no longer queues behind the COMMITTED's fsync). Only the timing of the
     * force changes: everything that waits behind the records still waits (durable before visible); what a
     * linger costs is that a member applies (routes on) a committed version up to this much later. Members
     * only, and only on a real protocol thread ({@link ExecutorScheduler}): in virtual time (LocalCluster, the
     * simulator's runtime mode) a force takes no time, and a linger would only widen the crash window that
     * the scenarios there place exactly.
     */
    static final long COMMIT_LINGER_MILLIS = Long.getLong("canary.log.commitLinger", 3L);
    private final boolean lingerHere;

    private final NodeRuntime node;
    private final NodeSettings settings;
    private final String selfId;
    private final ProtocolTasks tasks;
    private final PendingCalls calls;
    private final CommitTrace trace;
    private final DurableGroup group = GROUP_COMMIT ? new DurableGroup() : null;
    private volatile Consumer<Effect> hook;
    private volatile Consumer<Effect> heldHook;

    EffectRunner(NodeRuntime node, NodeSettings settings, ProtocolTasks tasks, PendingCalls calls, CommitTrace trace) {
        this.node = node;
        this.settings = settings;
        this.selfId = settings.nodeId();
        this.tasks = tasks;
        this.calls = calls;
        this.trace = trace;
        this.lingerHere = COMMIT_LINGER_MILLIS > 0 && settings.scheduler() instanceof ExecutorScheduler;
    }

    /** See {@link NodeRuntime#onEveryEffect}: the hook sees every effect as it runs (a held one when the group runs it). */
    void onEveryEffect(Consumer<Effect> hook) {
        this.hook = hook;
    }

    /** See {@link NodeRuntime#onEveryHeldEffect}. */
    void onEveryHeldEffect(Consumer<Effect> hook) {
        this.heldHook = hook;
    }

    void run(List<Effect> effects) {
        for (Effect effect : effects) {
            if (tasks.isClosed()) {
                return;
            }
            if (group != null && group.offer(effect)) {
                Consumer<Effect> h = heldHook;
                if (h != null) {
                    h.accept(effect);
                }
                continue; // waits for the group's fsync (a durable record, or an effect behind one)
            }
            if (!execute(effect)) {
                return; // what followed a failed durable append must not happen
            }
        }
        maybeCheckpoint();
    }

    /**
     * After every task: the group is forced once no other event waits to join it (a group of COMMITTED records
     * only once its linger is over too); true if it was.
     */
    boolean afterEvent() {
        if (group != null && group.endEvent(tasks.queued() > 0)) {
            if (lingers()) {
                return false;
            }
            forceGroup();
            return true;
        }
        return false;
    }

    /** Counts groups, so that a linger's timer only ends its own group's linger. */
    private long groupNumber;
    /** The group whose linger is armed ({@code groupNumber}), -1 if none; and whether its time is up. */
    private long lingering = -1;
    private boolean lingerOver;

    /** True if the open group waits a little more: COMMITTED records only, within their linger (armed once per group). */
    private boolean lingers() {
        if (!lingerHere || !group.holdsOnlyCommits() || node.protocol().isCoordinator()) {
            return false; // the coordinator's own record is forced at once (its log shows the decision it answered)
        }
        if (lingering != groupNumber) {
            lingering = groupNumber;
            lingerOver = false;
            long mine = groupNumber;
            // The check after this timer's (empty) task forces the group if nothing did before.
            tasks.schedule(java.time.Duration.ofMillis(COMMIT_LINGER_MILLIS), () -> {
                if (lingering == mine) {
                    lingerOver = true;
                }
            });
            return true;
        }
        return !lingerOver;
    }

    /** An extension appends to the log itself: the group goes first, so the log keeps the order of events. */
    void forceGroupNow() {
        if (group != null && group.isOpen()) {
            forceGroup();
        }
    }

    /** True while records wait for their fsync (test seam: the simulator checks a node's state between forces). */
    boolean holdsUnforced() {
        return group != null && group.isOpen();
    }

    /**
     * Writes the group's records (one fsync, with the last), then runs what waited for them. If that
     * fails, a group of promises only is a NO vote for each (as one failed PREPARED is, and the sends
     * that waited are dropped: one may be a YES); any other record not made durable stops the node.
     */
    private void forceGroup() {
        groupNumber++;
        DurableGroup.Forced forced = group.close();
        for (Effect.Append a : forced.appends()) {
            if (tasks.isClosed()) {
                return;
            }
            Consumer<Effect> h = hook;
            if (h != null) {
                h.accept(a);
            }
            try {
                timedAppend(a);
            } catch (RuntimeException e) {
                if (tasks.isClosed()) {
                    return;
                }
                if (forced.onlyPromises()) {
                    LOG.log(Level.ERROR, "[" + selfId + "] cannot promise, voting NO: " + e.getMessage());
                    for (LogRecord r : forced.records()) {
                        run(node.protocol().onAppendFailed(r, e.getMessage()));
                    }
                    run(forced.afterFailedPromises());
                } else {
                    stopOnLogFailure(e.getMessage());
                }
                return;
            }
        }
        run(forced.after());
    }

    /** The node closes: records still waiting for their fsync are written (what waited behind them is dropped). */
    void forceGroupOnClose() {
        if (group == null || !group.isOpen()) {
            return;
        }
        for (Effect.Append a : group.close().appends()) {
            try {
                settings.log().append(a.record(), a.durable());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "[" + selfId + "] could not log " + a.record().getClass().getSimpleName()
                        + " while closing: " + e.getMessage());
                return;
            }
        }
    }

    /** Runs one effect now; false if it was a durable append that failed (nothing after it may run). */
    private boolean execute(Effect effect) {
        Consumer<Effect> h = hook;
        if (h != null) {
            h.accept(effect);
        }
        if (effect instanceof Effect.Send s) {
            node.send(s.to(), s.message());
        } else if (effect instanceof Effect.Append a) {
            return append(a);
        } else if (effect instanceof Effect.Schedule s) {
            tasks.schedule(s.delay(), () -> node.onTimer(s.timer()));
        } else if (effect instanceof Effect.Apply a) {
            node.apply(a.state());
        } else if (effect instanceof Effect.Complete c) {
            if (CommitTrace.ENABLED) {
                trace.mark(System.nanoTime(), "complete", "call " + c.callId());
            }
            calls.complete(c.callId(), c.outcome());
        } else if (effect instanceof Effect.Delegate d) {
            node.delegate(d.caller(), d.command());
        } else if (effect instanceof Effect.Log l) {
            LOG.log(l.level(), "[" + selfId + "] " + l.message());
        }
        return true;
    }

    private boolean append(Effect.Append a) {
        try {
            timedAppend(a);
            return true;
        } catch (RuntimeException e) {
            if (tasks.isClosed()) {
                return false; // closed under a task that overran close's wait: the log is gone, and so is the node
            }
            String error = e.getMessage();
            if (!a.durable()) {
                LOG.log(Level.WARNING, "[" + selfId + "] could not log " + a.record().getClass().getSimpleName() + ": " + error);
                return true;
            }
            if (a.record() instanceof LogRecord.Prepared) {
                LOG.log(Level.ERROR, "[" + selfId + "] cannot promise, voting NO: " + error);
                run(node.protocol().onAppendFailed(a.record(), error));
            } else {
                stopOnLogFailure(error);
            }
            return false;
        }
    }

    private void timedAppend(Effect.Append a) {
        long t0 = CommitTrace.ENABLED ? System.nanoTime() : 0;
        settings.log().append(a.record(), a.durable());
        if (CommitTrace.ENABLED) {
            trace.mark(t0, "append-start", "log", a.record());
            trace.mark(System.nanoTime(), a.durable() ? "append-synced" : "append-buffered", "log", a.record());
        }
    }

    /** Memory is now ahead of the disk: the only safe thing left is to stop. */
    private void stopOnLogFailure(String error) {
        LOG.log(Level.ERROR, "[" + selfId + "] stopped: its state log failed: " + error);
        calls.failAll(selfId + " stopped: its state log failed: " + error);
        node.close();
    }

    private void maybeCheckpoint() {
        if (tasks.isClosed() || (group != null && group.isOpen())
                || settings.log().recordsSinceCheckpoint() <= NodeRuntime.CHECKPOINT_AFTER) {
            return;
        }
        try {
            // An extension that cannot say what it keeps cancels the checkpoint: its records must not be lost.
            settings.log().checkpoint(node.checkpointRecords());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "[" + selfId + "] checkpoint failed, the log keeps growing: " + e.getMessage());
        }
    }
}
