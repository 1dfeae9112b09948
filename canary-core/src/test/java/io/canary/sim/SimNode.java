package io.canary.sim;

import io.canary.health.HealthRecorder;
import io.canary.internal.protocol.Effect;
import io.canary.internal.protocol.Outcome;
import io.canary.internal.protocol.ProtocolNode;
import io.canary.internal.protocol.Recovery;
import io.canary.internal.protocol.SimulatorSeam;
import io.canary.internal.protocol.Timer;
import io.canary.log.LogRecord;
import io.canary.log.MemoryStateLog;
import io.canary.model.RoutingState;
import io.canary.routing.Router;
import io.canary.transport.Message;
import io.canary.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One incarnation of a simulated node: the REAL {@link ProtocolNode} (and on the coordinator the
 * real rollout controller, see {@link RolloutDriver}), a real {@link Router} and
 * {@link HealthRecorder}, a {@link MemoryStateLog} disk and a LocalNetwork transport, driven by an
 * effect executor that does what {@code NodeRuntime} does: effects of one event run in order, a
 * durable append is on disk before the next effect.
 *
 * <p>Before every effect the node may crash (while faults are on): that covers a crash between an
 * fsync and the send that follows it, and a crash in the middle of a durable write (a torn record).
 * A crash throws {@link NodeCrash}, which unwinds the event; nothing after it happens.
 */
final class SimNode implements Member {
    private final Simulation sim;
    final String id;
    final int incarnation;
    final ProtocolNode protocol;
    final Router router;
    private final HealthRecorder health;
    private final MemoryStateLog log;
    private final Transport transport;
    private final Recovery recovery;
    private final Map<Long, Consumer<Outcome>> calls = new HashMap<>();
    private RolloutDriver rollout;
    private long nextCallId;
    private boolean dead;
    /** Stopped on its own: a durable record other than PREPARED could not be written (memory would be ahead of the disk). */
    private boolean stopped;
    private boolean afterDurableAppend;
    /** Group commit, as the runtime's (see {@link io.canary.internal.node.DurableGroup}). */
    private final io.canary.internal.node.DurableGroup group = new io.canary.internal.node.DurableGroup();
    private boolean forceScheduled;
    /** The steady clock's anchor (see {@link #steady}): this incarnation's wall and monotonic clocks at its start. */
    private final long wallAtStart;
    private final long monoAtStart;

    SimNode(Simulation sim, String id, int incarnation) {
        this.sim = sim;
        this.id = id;
        this.incarnation = incarnation;
        this.wallAtStart = sim.now(id);
        this.monoAtStart = mono();
        this.log = sim.disk(id);
        List<LogRecord> replayed = log.replay();
        Recovery r = Recovery.replay(replayed, sim.initialState());
        if (sim.params().has(Bug.FORGET_PRESUMED_ABORT_ON_RESTART) && r.inDoubt().isPresent()) {
            LogRecord.Prepared p = r.inDoubt().get();
            try {
                append(new LogRecord.Committed(p.txId(), p.proposed()), true);
                r = Recovery.replay(log.records(), sim.initialState());
            } catch (io.canary.log.StateLogException failingDisk) {
                // the planted bug needs a disk that takes its record; this restart goes on without it
            }
        }
        this.recovery = r;
        this.protocol = new ProtocolNode(id, sim.members(), sim.coordinatorId(), java.util.Set.of(), sim.config(),
                recovery, sim.random().nextLong() & Long.MAX_VALUE >>> 2, this::now);
        SimulatorSeam.plant(protocol, sim.protocolBugNames());
        this.router = new Router(recovery.committed(), this::mono);
        router.failSafe(true); // as the runtime: no canary before the protocol says the node is current
        this.health = new HealthRecorder(id, Duration.ofSeconds(5), 2, this::steady);
        health.trackVersions(recovery.committed().weights().versions());
        health.startStep(io.canary.health.StepCounts.keyOf(recovery.committed())); // counts the step it restarts in
        this.transport = sim.network().transport(id);
    }

    /** The node's wall clock (virtual time plus its clock steps). */
    long now() {
        return sim.now(id);
    }

    /** The node's steady clock, as the runtime's {@code SteadyClock}: what its rollout engine and health windows measure on. */
    long steady() {
        return wallAtStart + (mono() - monoAtStart);
    }

    /** The node's monotonic clock: what the protocol measures time on. */
    long mono() {
        return sim.params().has(Bug.PROTOCOL_ON_WALL_CLOCK) ? now() : sim.scheduler().nowMillis();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int incarnation() {
        return incarnation;
    }

    @Override
    public boolean isDead() {
        return dead || stopped;
    }

    @Override
    public boolean stoppedItself() {
        return stopped && !dead;
    }

    @Override
    public RoutingState committed() {
        return protocol.committed();
    }

    @Override
    public RoutingState routed() {
        return router.state();
    }

    @Override
    public java.util.OptionalLong prepared() {
        return protocol.prepared().map(p -> java.util.OptionalLong.of(p.txId())).orElse(java.util.OptionalLong.empty());
    }

    @Override
    public boolean isReady() {
        return protocol.isReady();
    }

    @Override
    public boolean isCoordinator() {
        return !dead && protocol.isCoordinator();
    }

    @Override
    public long term() {
        return protocol.term();
    }

    @Override
    public boolean isFailSafe() {
        return router.table().isFailSafe();
    }

    @Override
    public boolean leaseLapsed() {
        return protocol.coordination(mono()).failSafe();
    }

    @Override
    public boolean routesFailSafeNow() {
        return router.table().isFailSafe();
    }

    @Override
    public List<String> waitingFor() {
        return dead ? List.of() : protocol.coordination(mono()).waitingFor();
    }

    /** The rollout records the log held at this incarnation's start. */
    List<LogRecord> protocolRecovery() {
        return recovery.otherRecords();
    }

    RolloutDriver rollout() {
        return rollout;
    }

    /** Calls this node waits for: operators' commands and the rollout controller's proposals. */
    @Override
    public int pendingCalls() {
        return calls.size();
    }

    // ---- events (each runs as one simulator step) ---------------------------------------------------

    @Override
    public void start() {
        transport.start(id, (from, sent) -> {
            Message message = sim.arriving(from, id, sent);
            if (message != null) {
                sim.step(this, "recv", new Delivery(from, message), () -> onMessage(from, message));
            }
        });
        run(protocol.start(mono()));
        followRole();
        scheduleHealthTick();
        scheduleTraffic();
    }

    private void onMessage(String from, Message message) {
        sim.invariants().onReceive(id, from, message);
        run(protocol.onMessage(from, message, mono()));
        if (rollout != null && message instanceof Message.HealthReport h) {
            rollout.onHealth(h.snapshot());
        }
    }

    /** An operator's command on this node; {@code done} gets its outcome unless the node dies first. */
    @Override
    public void command(Message.Command command, Consumer<Outcome> done) {
        long callId = newCall(done);
        run(protocol.command(callId, command, mono()));
    }

    long newCall(Consumer<Outcome> done) {
        long callId = ++nextCallId;
        calls.put(callId, done);
        return callId;
    }

    private void scheduleHealthTick() {
        sim.schedule(this, sim.config().healthInterval(), "health", null, () -> {
            health.rotate();
            var snapshot = health.snapshot();
            if (rollout != null) {
                rollout.onHealth(snapshot);
            }
            broadcast(new Message.HealthReport(snapshot));
            scheduleHealthTick();
        });
    }

    private void scheduleTraffic() {
        sim.scheduleQuiet(this, Simulation.TRAFFIC_INTERVAL, () -> {
            sim.checkServing(this);
            sim.traffic().serve(router, health);
            scheduleTraffic();
        });
    }

    /** Stops dead: the disk loses what was not fsynced (and, for a torn write, the record being written). */
    @Override
    public void die(boolean tornWrite) {
        dead = true;
        stopped = false;
        transport.close();
        log.crash(tornWrite);
        calls.clear();
    }

    /** After each event: compacts the log now and then, as the runtime does, so replay sees checkpoints too. */
    @Override
    public void afterEvent() {
        if (dead) {
            return;
        }
        scheduleForce();
        followRole();
        router.failSafe(protocol.coordination(mono()).failSafe());
        router.leaseUntil(protocol.leaseDeadline(mono())); // after failSafe, as NodeStatus does
        if (log.recordsSinceCheckpoint() > Simulation.CHECKPOINT_AFTER) {
            List<LogRecord> records = new ArrayList<>(protocol.checkpointRecords());
            if (rollout != null) {
                records.addAll(rollout.checkpointRecords(protocol.committed()));
            }
            try {
                log.checkpoint(records);
            } catch (io.canary.log.StateLogException e) {
                // as the runtime: a failed checkpoint only leaves the log growing
            }
        }
    }

    /** As the runtime's onRoleChange: a rollout driver while this node coordinates, none otherwise. */
    private void followRole() {
        if (protocol.isCoordinator() && rollout == null) {
            rollout = new RolloutDriver(this, sim);
            rollout.takeOver();
        } else if (!protocol.isCoordinator() && rollout != null) {
            rollout = null; // its proposals were failed by the protocol when the term ended
        }
    }

    // ---- the effect executor ------------------------------------------------------------------------

    void run(List<Effect> effects) {
        for (Effect effect : effects) {
            if (group.offer(effect)) {
                if (effect instanceof Effect.Send s) {
                    sim.invariants().onDecided(id, s.message());
                }
                continue; // as the runtime: waits for the group's fsync (a durable record, or an effect behind one)
            }
            crashPoint(effect);
            if (effect instanceof Effect.Send s) {
                send(s.to(), s.message());
            } else if (effect instanceof Effect.Append a) {
                if (!appendOrFail(a)) {
                    return; // as the runtime: nothing after a failed durable append happens
                }
            } else if (effect instanceof Effect.Schedule s) {
                Timer timer = s.timer();
                sim.schedule(this, s.delay(), "timer", timer, () -> run(protocol.onTimer(timer, mono())));
            } else if (effect instanceof Effect.Apply a) {
                apply(a.state());
            } else if (effect instanceof Effect.Complete c) {
                Consumer<Outcome> done = calls.remove(c.callId());
                if (done != null) {
                    done.accept(c.outcome());
                }
            } else if (effect instanceof Effect.Delegate d) {
                if (rollout == null) {
                    run(protocol.onDelegatedDone(d.caller(), Outcome.failure(id + " has no rollout controller")));
                } else {
                    rollout.onCommand(d.caller(), d.command());
                }
            }
        }
    }

    /**
     * Group commit as the runtime does it: the group is forced once the events already due at this
     * instant have run (they join it), as the runtime forces once no event is queued; what waited runs
     * only after the records are durable. No random draw, so the seeds' other draws do not shift.
     */
    private void scheduleForce() {
        if (group.isOpen() && !forceScheduled && !dead && !stopped) {
            forceScheduled = true;
            sim.schedule(this, Duration.ZERO, "fsync", null, this::forceGroup);
        }
    }

    /** The rollout driver appends to the log itself: the group goes first, as in the runtime. */
    void forceGroup() {
        forceScheduled = false;
        if (!group.isOpen()) {
            return;
        }
        io.canary.internal.node.DurableGroup.Forced forced = group.close();
        if (sim.params().has(Bug.GROUP_RELEASED_BEFORE_FSYNC)) {
            run(forced.after()); // the planted bug: what waited for the fsync goes first
            forced = new io.canary.internal.node.DurableGroup.Forced(forced.records(), List.of());
        }
        for (Effect.Append a : forced.appends()) {
            crashPoint(a);
            try {
                append(a.record(), a.durable());
            } catch (io.canary.log.StateLogException e) {
                if (forced.onlyPromises()) {
                    for (LogRecord r : forced.records()) {
                        run(protocol.onAppendFailed(r, e.getMessage()));
                    }
                    run(sim.params().has(Bug.GROUP_FAILURE_KEEPS_SENDS) ? forced.after() : forced.afterFailedPromises());
                } else {
                    stopped = true;
                }
                return;
            }
        }
        run(forced.after());
    }

    /** True while records wait for the group's fsync: the node's memory is ahead of what it has shown. */
    @Override
    public boolean holdsUnforced() {
        return group.isOpen();
    }

    /** May crash the node before {@code next} (only while faults are on); more likely right after an fsync. */
    void crashPoint(Object next) {
        boolean afterFsync = afterDurableAppend;
        double p = sim.crashProbability() * (afterFsync ? 8 : 1);
        afterDurableAppend = false;
        if (p > 0 && sim.random().nextDouble() < p) {
            if (afterFsync) {
                sim.crashedAfterFsync();
            }
            boolean tear = next instanceof Effect.Append a && a.durable() && sim.random().nextBoolean();
            if (tear) {
                try {
                    log.append(((Effect.Append) next).record(), true);
                } catch (io.canary.log.StateLogException failingDisk) {
                    throw new NodeCrash("crashed before " + name(next), false); // nothing reached the disk
                }
                throw new NodeCrash("crashed while writing " + name(((Effect.Append) next).record()) + " (torn)", true);
            }
            throw new NodeCrash("crashed before " + name(next), false);
        }
    }

    void send(String to, Message message) {
        sim.invariants().onSend(id, to, message, log.durableRecords());
        transport.send(to, message);
    }

    void broadcast(Message message) {
        for (String member : sim.members()) {
            if (!member.equals(id)) {
                send(member, message);
            }
        }
    }

    /**
     * An append as the runtime does it on a failing disk: a lost non-durable record is only logged,
     * a PREPARED that cannot be written becomes a NO vote ({@code CANNOT_PERSIST}), and any other
     * durable record that cannot be written stops the node.
     */
    private boolean appendOrFail(Effect.Append a) {
        try {
            append(a.record(), a.durable());
            return true;
        } catch (io.canary.log.StateLogException e) {
            if (!a.durable()) {
                return true;
            }
            if (a.record() instanceof LogRecord.Prepared) {
                run(protocol.onAppendFailed(a.record(), e.getMessage()));
            } else {
                stopped = true;
            }
            return false;
        }
    }

    void append(LogRecord record, boolean durable) {
        boolean d = durable;
        if (sim.params().has(Bug.VOTE_YES_BEFORE_FSYNC) && record instanceof LogRecord.Prepared) {
            d = false;
        }
        if (sim.params().has(Bug.COMMIT_DECISION_NOT_DURABLE) && record instanceof LogRecord.Committed
                && protocol.isCoordinator()) {
            d = false;
        }
        log.append(record, d);
        afterDurableAppend = d;
        sim.invariants().onAppend(id, record, log);
        if (sim.params().has(Bug.APPLY_AT_PREPARE) && record instanceof LogRecord.Prepared p) {
            router.update(p.proposed());
        }
    }

    private void apply(RoutingState state) {
        sim.invariants().onApply(id, state, log.durableRecords());
        RoutingState before = router.state();
        router.update(state);
        if (!before.weights().equals(state.weights())) {
            health.trackVersions(state.weights().versions());
        }
        String step = io.canary.health.StepCounts.keyOf(state);
        if (!step.equals(health.stepKey())) {
            health.startStep(step); // a new step's health holds no traffic of the previous one
        }
        if (rollout != null) {
            rollout.onCommitted(state);
        }
    }

    private static String name(Object effect) {
        if (effect instanceof Effect.Append a) {
            return "append " + a.record().getClass().getSimpleName() + (a.durable() ? " (fsync)" : "");
        }
        if (effect instanceof Effect.Send s) {
            return "send " + s.message().getClass().getSimpleName() + " to " + s.to();
        }
        return effect.getClass().getSimpleName();
    }

    /** A message as the trace shows it. */
    record Delivery(String from, Message message) {
        @Override
        public String toString() {
            return "from " + from + ": " + Trace.describe(message);
        }
    }
}
