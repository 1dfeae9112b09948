package io.canary.internal.rollout;

import io.canary.ProposalFailedException;
import io.canary.ProposalTimeoutException;
import io.canary.RolloutStatus;
import io.canary.health.StepCounts;
import io.canary.internal.health.HealthExchange;
import io.canary.internal.node.NodeContext;
import io.canary.internal.node.NodeExtension;
import io.canary.internal.protocol.Effect;
import io.canary.internal.protocol.Outcome;
import io.canary.internal.protocol.Timer;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.rollout.Judge;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import io.canary.transport.Message;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The rollout on a node. On the coordinator it runs the {@link RolloutEngine} and executes the
 * protocol {@link Effect}s it emits: proposals through two-phase commit, verdicts to the log and to
 * every peer, its tick, callers' outcomes. On every node it keeps the recent verdicts for
 * {@link #status}, so a node that becomes coordinator has the history.
 *
 * <p>A command takes one trip: {@link #onCommand} runs the engine at once and the caller's future
 * completes from the proposal's outcome, on the protocol thread, without queueing anything more.
 * Events raised while effects run (a proposal that fails at once) wait in a local inbox, so the
 * engine never runs re-entrantly.
 *
 * <p>Threading: callbacks on the protocol thread; {@link #status} from any thread.
 */
public final class RolloutExtension implements NodeExtension {
    private static final System.Logger LOG = System.getLogger("io.canary.rollout");

    private final Analyst analyst;
    private final HealthExchange health;
    private final Duration maxPause;
    private final VerdictHistory history = new VerdictHistory();
    private final Map<Long, CompletableFuture<RoutingState>> callers = new HashMap<>();
    private final Queue<Supplier<List<Effect>>> inbox = new ArrayDeque<>();
    private volatile Optional<Verdict> latest = Optional.empty();
    private boolean running;
    private long nextCallId = 1;
    private NodeContext context;
    private RolloutEngine engine;
    private LogRecord.RolloutStarted started;

    /**
     * @param judge decides every analysis (on the coordinator); null: each plan's own judge kind
     * @param health the node's health, whose step evidence the analyses read
     * @param maxPause how long a rollout may stay paused before it is aborted
     */
    public RolloutExtension(Judge judge, HealthExchange health, Duration maxPause) {
        this.analyst = new Analyst(judge);
        this.health = Objects.requireNonNull(health, "health");
        this.maxPause = Objects.requireNonNull(maxPause, "maxPause");
    }

    /** The rollout as this node sees it: committed progress and plan, recent verdicts, the latest analysis. */
    public RolloutStatus status(RoutingState committed) {
        String id = committed.rollout().id();
        Optional<RolloutPlan> plan = committed.rollout().plan();
        if (plan.isEmpty() && started != null && started.rolloutId().equals(id)) {
            plan = Optional.of(started.plan());
        }
        Optional<Verdict> analysis = committed.rollout().phase().isActive() ? latest : Optional.empty();
        return new RolloutStatus(committed.rollout(), id.isEmpty() ? Optional.empty() : plan, history.of(id), analysis);
    }

    @Override
    public void start(NodeContext ctx, List<LogRecord> replayed) {
        this.context = ctx;
        history.load(replayed);
        for (LogRecord r : replayed) {
            if (r instanceof LogRecord.RolloutStarted s && s.rolloutId().equals(ctx.committed().rollout().id())) {
                started = s;
            }
        }
    }

    /**
     * Becoming coordinator: a new engine takes the rollout over from the committed state (plan,
     * step, phase) and the verdicts this node holds. Losing the role: the engine stops (its ticks
     * carry its generation and are ignored) and its callers fail with a retryable error.
     */
    @Override
    public void onRoleChange(boolean coordinator, long term, RoutingState committed) {
        if (coordinator) {
            engine = new RolloutEngine(context.nodeId(), context.members(), analyst, context.config().healthInterval(),
                    context.config().retryInterval(), maxPause);
            RolloutEngine e = engine;
            List<Verdict> known = history.of(committed.rollout().id());
            submit(() -> e.takeOver(committed, known, context.nowMillis()));
        } else if (engine != null) {
            RolloutEngine e = engine;
            engine = null;
            latest = Optional.empty();
            execute(e.roleLost(term));
            for (CompletableFuture<RoutingState> left : List.copyOf(callers.values())) {
                left.completeExceptionally(new ProposalTimeoutException(context.nodeId()
                        + " is no longer the coordinator (term " + term + "); retry through the new one"));
            }
            callers.clear();
        }
    }

    @Override
    public void onMessage(String from, Message message) {
        if (message instanceof Message.VerdictReport r && engine == null && from.equals(context.coordinatorId())) {
            history.add(r.rolloutId(), r.verdict());
        }
    }

    @Override
    public void onCommitted(RoutingState state) {
        RolloutEngine e = engine;
        if (e != null) {
            submit(() -> e.committed(state, context.nowMillis()));
        }
    }

    @Override
    public CompletableFuture<RoutingState> onCommand(Message.Command command) {
        RolloutEngine e = engine;
        if (e == null || !(command instanceof Message.StartRollout || command instanceof Message.ControlRollout)) {
            return null;
        }
        long callId = nextCallId++;
        CompletableFuture<RoutingState> caller = new CompletableFuture<>();
        callers.put(callId, caller);
        submit(() -> e.command(command, callId, context.nowMillis()));
        return caller;
    }

    @Override
    public List<LogRecord> checkpointRecords() {
        String id = context.committed().rollout().id();
        List<LogRecord> keep = new ArrayList<>();
        if (started != null && started.rolloutId().equals(id)) {
            keep.add(started);
        }
        keep.addAll(history.records(id));
        return keep;
    }

    @Override
    public void close() {
        engine = null;
    }

    /** Runs one engine event and the effects it emits, then whatever those effects raised. */
    private void submit(Supplier<List<Effect>> event) {
        inbox.add(event);
        if (running) {
            return; // the loop below picks it up once the current effects are done
        }
        running = true;
        try {
            Supplier<List<Effect>> next;
            while ((next = inbox.poll()) != null) {
                execute(next.get());
            }
        } finally {
            running = false;
        }
        RolloutEngine e = engine;
        latest = e != null ? e.latest() : Optional.empty();
    }

    private void execute(List<Effect> effects) {
        for (Effect effect : effects) {
            try {
                run(effect);
            } catch (RuntimeException ex) {
                // Verdict records are a history, not a precondition: a failing disk must not stop a rollback.
                LOG.log(System.Logger.Level.ERROR, "[" + context.nodeId() + "] rollout: " + ex.getMessage());
            }
        }
    }

    private void run(Effect effect) {
        if (effect instanceof Effect.Propose p) {
            RolloutEngine owner = engine;
            context.propose(p.change(), p.requester(), p.description()).whenComplete((state, error) -> {
                if (engine == owner && owner != null) {
                    // Completes on the protocol thread: straight into the engine, no further task.
                    submit(() -> owner.proposalDone(p.proposalId(), Outcome.of(state, error), context.nowMillis()));
                }
            });
        } else if (effect instanceof Effect.Append a) {
            if (a.record() instanceof LogRecord.RolloutVerdict v) {
                history.add(v.rolloutId(), v.verdict());
            } else if (a.record() instanceof LogRecord.RolloutStarted s) {
                started = s;
            }
            context.append(a.record(), a.durable());
        } else if (effect instanceof Effect.Send s) {
            context.send(s.to(), s.message());
        } else if (effect instanceof Effect.Schedule s && s.timer() instanceof Timer.RolloutTick t) {
            context.schedule(s.delay(), () -> tick(t.generation()));
        } else if (effect instanceof Effect.Complete c) {
            complete(c.callId(), c.outcome());
        } else if (effect instanceof Effect.Log l) {
            LOG.log(l.level(), "[" + context.nodeId() + "] " + l.message());
        }
    }

    private void tick(long generation) {
        RolloutEngine e = engine;
        if (e == null) {
            return;
        }
        boolean everyReachable = context.cluster().stream().allMatch(io.canary.PeerStatus::reachable);
        submit(() -> e.tick(generation, health.stepHealth(StepCounts.keyOf(context.committed())), everyReachable,
                context.nowMillis()));
    }

    private void complete(long callId, Outcome outcome) {
        CompletableFuture<RoutingState> caller = callers.remove(callId);
        if (caller == null) {
            return;
        }
        if (outcome instanceof Outcome.Success s) {
            caller.complete(s.state());
        } else {
            Outcome.Failure f = (Outcome.Failure) outcome;
            caller.completeExceptionally(f.outcomeUnknown() ? new ProposalTimeoutException(f.reason())
                    : new ProposalFailedException(f.reason()));
        }
    }
}
