package io.canary.sim;

import io.canary.ProposalFailedException;
import io.canary.internal.health.HealthExchange;
import io.canary.internal.node.NodeRuntime;
import io.canary.internal.node.NodeSettings;
import io.canary.internal.protocol.Effect;
import io.canary.internal.protocol.Outcome;
import io.canary.internal.protocol.SimulatorSeam;
import io.canary.internal.rollout.RolloutExtension;
import io.canary.log.LogRecord;
import io.canary.log.MemoryStateLog;
import io.canary.log.StateLog;
import io.canary.model.RoutingState;
import io.canary.rollout.ThresholdJudge;
import io.canary.time.ManualScheduler;
import io.canary.time.Scheduler;
import io.canary.transport.Message;
import io.canary.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * One incarnation of a node running the REAL runtime: {@link NodeRuntime} with its effect executor,
 * the {@link HealthExchange} and the {@link RolloutExtension}, assembled as
 * {@code CanaryNode.Builder#build} assembles them. The simulator reaches in only through the
 * node's own SPIs (its {@link Scheduler}, {@link Transport} and {@link StateLog}) and one test-only
 * hook, {@link NodeRuntime#onEveryEffect}, which lets it check invariants on every effect and crash
 * the node before any of them.
 *
 * <p>A crash here is "soft": from the moment it is decided, nothing of this incarnation reaches the
 * world any more (sends are dropped, appends ignored, its tasks skipped); right after the current
 * step the simulator crashes its disk and closes it. Seen from outside that is a process that died
 * at that point.
 *
 * <p>The disk reports {@link #CHECKPOINT_PRESSURE} times the records it holds since the last
 * checkpoint, so that the runtime checkpoints every few dozen records instead of every thousand:
 * checkpoints and replays of checkpointed logs happen in most runs.
 */
final class RuntimeMember implements Member {
    static final int CHECKPOINT_PRESSURE = 64;

    // Thousands of runs would write every commit, verdict and warning of every node to the console.
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.canary");

    static {
        QUIET.setLevel(java.util.logging.Level.OFF);
    }

    private final Simulation sim;
    private final String id;
    private final int incarnation;
    private final MemoryStateLog disk;
    private final NodeRuntime runtime;
    private final HealthExchange health;
    private final Clock clock;
    private Object nextDetail;
    private boolean dead;
    private boolean tornWrite;
    private boolean afterDurableAppend;
    private int pending;

    RuntimeMember(Simulation sim, String id, int incarnation) {
        this.sim = sim;
        this.id = id;
        this.incarnation = incarnation;
        this.disk = sim.disk(id);
        this.clock = new Clock(sim.scheduler());
        this.health = new HealthExchange(id, sim.config(), Set.of(), sim.initialState(), new io.canary.time.SteadyClock(clock));
        RolloutExtension rollout = new RolloutExtension(new ThresholdJudge(), health, sim.config().maxPause());
        long requestIdBase = sim.random().nextLong() >>> 2;
        this.runtime = new NodeRuntime(new NodeSettings(id, sim.members(), sim.coordinatorId(), Set.of(), sim.config(),
                sim.initialState(), new Wire(sim.network().transport(id)), new Disk(), clock, false,
                List.of(health, rollout), requestIdBase));
        runtime.onEveryEffect(this::beforeEffect);
        runtime.onEveryHeldEffect(effect -> {
            if (!dead && effect instanceof Effect.Send s) {
                try {
                    sim.invariants().onDecided(id, s.message());
                } catch (Violation v) {
                    sim.violated(v);
                }
            }
        });
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
        return dead || runtime.isClosed();
    }

    @Override
    public boolean isCoordinator() {
        return !isDead() && runtime.isCoordinator();
    }

    @Override
    public long term() {
        return runtime.coordination().term();
    }

    @Override
    public boolean isFailSafe() {
        return runtime.router().table().isFailSafe();
    }

    @Override
    public boolean stoppedItself() {
        return !dead && runtime.isClosed();
    }

    @Override
    public void start() {
        runtime.start();
        SimulatorSeam.plant(runtime.protocol(), sim.protocolBugNames());
        sim.scheduleQuiet(this, Simulation.TRAFFIC_INTERVAL, this::traffic);
    }

    @Override
    public boolean leaseLapsed() {
        return runtime.isClosed() || runtime.protocol().coordination(clock.monotonicMillis()).failSafe();
    }

    @Override
    public boolean routesFailSafeNow() {
        return runtime.router().table().isFailSafe();
    }

    @Override
    public java.util.List<String> waitingFor() {
        return isDead() ? java.util.List.of() : runtime.protocol().coordination(clock.monotonicMillis()).waitingFor();
    }

    private void traffic() {
        sim.checkServing(this);
        sim.traffic().serve(runtime.router(), health.recorder());
        sim.scheduleQuiet(this, Simulation.TRAFFIC_INTERVAL, this::traffic);
    }

    @Override
    public void die(boolean torn) {
        dead = true;
        disk.crash(torn || tornWrite);
        runtime.close();
    }

    @Override
    public void command(Message.Command command, Consumer<Outcome> done) {
        CompletableFuture<RoutingState> future = runtime.call(callId -> runtime.protocol().command(callId, command,
                sim.scheduler().nowMillis()));
        pending++;
        future.whenComplete((state, error) -> {
            pending--;
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            done.accept(error == null ? Outcome.success(state)
                    : cause instanceof io.canary.ProposalTimeoutException ? Outcome.unknown(message(error))
                    : Outcome.failure(message(error)));
        });
    }

    @Override
    public RoutingState committed() {
        return runtime.protocol().committed();
    }

    @Override
    public boolean holdsUnforced() {
        return !runtime.isClosed() && runtime.holdsUnforcedRecords();
    }

    @Override
    public RoutingState routed() {
        return runtime.router().state();
    }

    @Override
    public OptionalLong prepared() {
        return runtime.protocol().prepared().map(p -> OptionalLong.of(p.txId())).orElse(OptionalLong.empty());
    }

    @Override
    public boolean isReady() {
        return runtime.protocol().isReady();
    }

    @Override
    public int pendingCalls() {
        return pending;
    }

    @Override
    public boolean tornWrite() {
        return tornWrite;
    }

    // ---- the hook: invariants and crash points on every effect ---------------------------------------

    /**
     * Invariant violations are handed to the simulator rather than thrown: the runtime catches what
     * its SPIs throw (a failing disk stops the node), which would hide them.
     */
    private void beforeEffect(Effect effect) {
        try {
            checkEffect(effect);
        } catch (Violation v) {
            sim.violated(v);
        }
    }

    private void checkEffect(Effect effect) {
        if (dead) {
            return;
        }
        crashPoint(effect);
        if (dead) {
            return;
        }
        if (effect instanceof Effect.Send s) {
            sim.invariants().onSend(id, s.to(), s.message(), disk.durableRecords());
            if (!(s.message() instanceof Message.Heartbeat)) {
                sim.trace().add(sim.scheduler().nowMillis(), id, "send", new Outbound(s.to(), s.message()));
            }
        } else if (effect instanceof Effect.Apply a) {
            sim.invariants().onApply(id, a.state(), disk.durableRecords());
            sim.trace().add(sim.scheduler().nowMillis(), id, "apply", new Applied(a.state()));
        } else if (effect instanceof Effect.Schedule s) {
            nextDetail = s.timer();
        }
    }

    /** May crash before {@code next} (only while faults are on); more likely right after an fsync. */
    private void crashPoint(Object next) {
        boolean afterFsync = afterDurableAppend;
        double p = sim.crashProbability() * (afterFsync ? 8 : 1);
        afterDurableAppend = false;
        if (p > 0 && sim.random().nextDouble() < p) {
            if (afterFsync) {
                sim.crashedAfterFsync();
            }
            boolean durableAppend = next instanceof Effect.Append a && a.durable();
            if (durableAppend && sim.random().nextBoolean()) {
                try {
                    disk.append(((Effect.Append) next).record(), true);
                    tornWrite = true;
                } catch (RuntimeException failingDisk) {
                    // nothing reached the disk: a plain crash
                }
            }
            dead = true;
            sim.trace().add(sim.scheduler().nowMillis(), id, "crashing", "before " + next.getClass().getSimpleName()
                    + (tornWrite ? " (torn write)" : ""));
        }
    }

    /** A send as the trace shows it. */
    private record Outbound(String to, Message message) {
        @Override
        public String toString() {
            return "to " + to + ": " + Trace.describe(message);
        }
    }

    /** An applied state as the trace shows it. */
    private record Applied(RoutingState state) {
        @Override
        public String toString() {
            return Invariants.describe(state);
        }
    }

    private static String message(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof ProposalFailedException) {
            return cause.getMessage();
        }
        return String.valueOf(cause);
    }

    // ---- the node's SPIs, as the simulator provides them ---------------------------------------------

    /** The node's clock (virtual time plus this node's offset) and protocol thread (steps on the simulation's thread). */
    private final class Clock implements Scheduler {
        private final ManualScheduler base;

        Clock(ManualScheduler base) {
            this.base = base;
        }

        @Override
        public long nowMillis() {
            return sim.now(id);
        }

        /** Virtual time without the node's wall-clock steps. */
        @Override
        public long monotonicMillis() {
            return sim.params().has(Bug.PROTOCOL_ON_WALL_CLOCK) ? sim.now(id) : base.nowMillis();
        }

        @Override
        public void execute(Runnable task) {
            Object detail = nextDetail;
            nextDetail = null;
            base.execute(() -> sim.step(RuntimeMember.this, detail instanceof SimNode.Delivery ? "recv" : "task", detail, task));
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            Object detail = nextDetail;
            nextDetail = null;
            return base.schedule(delay, () -> sim.step(RuntimeMember.this, "timer", detail, task));
        }
    }

    /** The node's network endpoint: drops everything once the node is dead. */
    private final class Wire implements Transport {
        private final Transport inner;

        Wire(Transport inner) {
            this.inner = inner;
        }

        @Override
        public void start(String selfId, Receiver receiver) {
            inner.start(selfId, (from, sent) -> {
                Message message = dead ? null : sim.arriving(from, selfId, sent);
                if (message != null) {
                    sim.invariants().onReceive(selfId, from, message);
                    nextDetail = new SimNode.Delivery(from, message);
                    receiver.receive(from, message);
                    nextDetail = null;
                }
            });
        }

        @Override
        public void send(String to, Message message) {
            if (!dead) {
                inner.send(to, message);
            }
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /** The node's disk: the shared {@link MemoryStateLog}, ignoring writes once the node is dead. */
    private final class Disk implements StateLog {
        @Override
        public List<LogRecord> replay() {
            return disk.replay();
        }

        @Override
        public void append(LogRecord record, boolean durable) {
            if (dead) {
                return;
            }
            if (record instanceof LogRecord.RolloutStarted || record instanceof LogRecord.RolloutVerdict) {
                crashPoint(new Effect.Append(record, durable)); // the rollout's own records
                if (dead) {
                    return;
                }
            }
            disk.append(record, durable);
            afterDurableAppend = durable;
            try {
                sim.invariants().onAppend(id, record, disk);
            } catch (Violation v) {
                sim.violated(v);
            }
        }

        @Override
        public void checkpoint(List<LogRecord> records) {
            if (!dead) {
                disk.checkpoint(records);
            }
        }

        @Override
        public long recordsSinceCheckpoint() {
            return disk.recordsSinceCheckpoint() * CHECKPOINT_PRESSURE;
        }

        @Override
        public void close() {
            if (!dead) {
                disk.close();
            }
        }
    }
}
