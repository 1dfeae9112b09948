package io.canary.internal.rollout;

import io.canary.ProposalFailedException;
import io.canary.RolloutStatus;
import io.canary.internal.health.HealthExchange;
import io.canary.internal.node.NodeContext;
import io.canary.internal.node.NodeExtension;
import io.canary.internal.protocol.StateChange;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.rollout.Judge;
import io.canary.rollout.RolloutPlan;
import io.canary.transport.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The rollout on a node. On the coordinator it runs the {@link RolloutController} and executes its
 * effects: proposals through two-phase commit, verdicts to the log (durably) and to every peer,
 * timers. On every node it keeps the recent verdicts for {@link #status}.
 *
 * <p>Threading: callbacks on the protocol thread; {@link #status} from any thread.
 */
public final class RolloutExtension implements NodeExtension {
    private static final System.Logger LOG = System.getLogger("io.canary.rollout");

    private final Judge judge;
    private final HealthExchange health;
    private final Duration maxPause;
    private final VerdictHistory history = new VerdictHistory();
    private final Map<Long, CompletableFuture<RoutingState>> callers = new HashMap<>();
    private volatile Optional<RolloutPlan> plan = Optional.empty();
    private NodeContext context;
    private RolloutController controller;
    private LogRecord.RolloutStarted started;
    private List<LogRecord> replayed = List.of();

    /**
     * @param judge decides each analysis (on the coordinator)
     * @param health the node's health, whose cluster view the analyses read
     * @param maxPause how long a rollout may stay paused before it is aborted
     */
    public RolloutExtension(Judge judge, HealthExchange health, Duration maxPause) {
        this.judge = Objects.requireNonNull(judge, "judge");
        this.health = Objects.requireNonNull(health, "health");
        this.maxPause = Objects.requireNonNull(maxPause, "maxPause");
    }

    /** The rollout as this node sees it: committed progress, the plan (coordinator), recent verdicts. */
    public RolloutStatus status(RoutingState committed) {
        String id = committed.rollout().id();
        Optional<RolloutPlan> known = committed.rollout().plan().isPresent() ? committed.rollout().plan() : plan;
        return new RolloutStatus(committed.rollout(), id.isEmpty() ? Optional.empty() : known, history.of(id));
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
        this.replayed = List.copyOf(replayed);
    }

    /**
     * Becoming coordinator: a controller takes the rollout over from the committed state (and the
     * plan and verdicts this node's log holds). Losing the role: the controller stops (its timers
     * find it replaced) and its callers fail with a retryable error.
     */
    @Override
    public void onRoleChange(boolean coordinator, long term, RoutingState committed) {
        if (coordinator) {
            List<LogRecord> known = new ArrayList<>(replayed);
            if (started != null) {
                known.add(started);
                known.addAll(history.records(started.rolloutId()));
            }
            controller = new RolloutController(judge, health::clusterHealthSince, context.config().retryInterval(), maxPause);
            run(controller.restore(committed, known, context.nowMillis()));
        } else if (controller != null) {
            controller = null;
            String reason = context.nodeId() + " is no longer the coordinator (term " + term + "); retry through the new one";
            for (CompletableFuture<RoutingState> caller : List.copyOf(callers.values())) {
                caller.completeExceptionally(new ProposalFailedException(reason));
            }
            callers.clear();
        }
    }

    @Override
    public void onMessage(String from, Message message) {
        if (message instanceof Message.VerdictReport r && from.equals(context.coordinatorId()) && controller == null) {
            history.add(r.rolloutId(), r.verdict());
        }
    }

    @Override
    public void onCommitted(RoutingState state) {
        if (controller != null) {
            run(controller.onCommitted(state, context.nowMillis()));
        }
    }

    @Override
    public CompletableFuture<RoutingState> onCommand(Message.Command command) {
        if (controller == null) {
            return null;
        }
        long now = context.nowMillis();
        CommandResult result;
        if (command instanceof Message.StartRollout s) {
            result = controller.start(s.plan(), context.committed(), now);
        } else if (command instanceof Message.ControlRollout c) {
            result = controller.control(c.action(), context.committed(), now);
        } else {
            return null;
        }
        if (result instanceof CommandResult.Rejected r) {
            return CompletableFuture.failedFuture(new ProposalFailedException(r.reason()));
        }
        CompletableFuture<RoutingState> caller = new CompletableFuture<>();
        if (result instanceof CommandResult.Proposed p) {
            callers.put(p.proposalId(), caller);
        } else {
            caller.complete(context.committed());
        }
        run(result.effects());
        return caller;
    }

    @Override
    public List<LogRecord> checkpointRecords() {
        String id = context.committed().rollout().id();
        List<LogRecord> keep = new ArrayList<>();
        if (started != null && started.rolloutId().equals(id)) {
            keep.add(started);
            keep.addAll(history.records(id));
        }
        return keep;
    }

    private void run(List<RolloutEffect> effects) {
        if (controller == null) {
            return; // the role was lost meanwhile: what the old controller wanted no longer happens
        }
        plan = controller.plan();
        for (int i = 0; i < effects.size(); i++) {
            RolloutEffect e = effects.get(i);
            try {
                execute(e);
            } catch (RuntimeException ex) {
                // A record that could not be made durable: what depended on it must not happen.
                String reason = context.nodeId() + " cannot write its state log: " + ex.getMessage();
                LOG.log(System.Logger.Level.ERROR, "[" + context.nodeId() + "] rollout: " + reason);
                for (RolloutEffect skipped : effects.subList(i + 1, effects.size())) {
                    if (skipped instanceof RolloutEffect.Propose p) {
                        proposalFailed(p.id(), reason);
                    } else if (skipped instanceof RolloutEffect.WakeAt w) {
                        // A timer depends on no record; without it the controller never wakes again
                        // (found by the simulator: a failed rollback stuck for good after a disk error).
                        wakeAt(w.at());
                    }
                }
                return;
            }
        }
    }

    private void execute(RolloutEffect e) {
        if (e instanceof RolloutEffect.Append a) {
            context.append(a.record(), true);
            if (a.record() instanceof LogRecord.RolloutStarted s) {
                started = s;
            }
        } else if (e instanceof RolloutEffect.Publish p) {
            context.append(new LogRecord.RolloutVerdict(p.rolloutId(), p.verdict()), true);
            history.add(p.rolloutId(), p.verdict());
            context.broadcast(new Message.VerdictReport(p.rolloutId(), p.verdict()));
            LOG.log(System.Logger.Level.INFO, "[" + context.nodeId() + "] rollout " + p.rolloutId() + ": "
                    + p.verdict().decision() + ": " + p.verdict().reason());
        } else if (e instanceof RolloutEffect.WakeAt w) {
            wakeAt(w.at());
        } else if (e instanceof RolloutEffect.Propose p) {
            StateChange change = p.change()::apply;
            context.propose(change, StateChange.Requester.ROLLOUT, p.description())
                    .whenComplete((state, error) -> context.execute(() -> {
                        if (error == null) {
                            proposalCommitted(p.id(), state);
                        } else {
                            proposalFailed(p.id(), message(error));
                        }
                    }));
        }
    }

    /**
     * Ticks the controller once the node's clock reads {@code at}. A timer counts elapsed time, but
     * {@code at} is on the clock: if the clock was set back meanwhile (NTP stepping it), the timer
     * fires early, the controller ignores the early tick and would never wake again (found by the
     * deterministic simulator: a rollout stuck at its step forever). So an early timer waits for the rest.
     */
    private void wakeAt(long at) {
        RolloutController owner = controller;
        long delay = Math.max(0, at - context.nowMillis());
        context.schedule(Duration.ofMillis(delay), () -> {
            if (controller != owner || owner == null) {
                return; // a timer of a controller that lost the role
            }
            if (context.nowMillis() < at) {
                wakeAt(at);
            } else {
                run(controller.tick(context.nowMillis()));
            }
        });
    }

    private void proposalCommitted(long id, RoutingState state) {
        CompletableFuture<RoutingState> caller = callers.remove(id);
        if (controller != null) {
            run(controller.onProposalCommitted(id, state, context.nowMillis()));
        }
        if (caller != null) {
            caller.complete(state);
        }
    }

    private void proposalFailed(long id, String reason) {
        CompletableFuture<RoutingState> caller = callers.remove(id);
        if (controller != null) {
            run(controller.onProposalFailed(id, reason, context.nowMillis()));
        }
        if (caller != null) {
            caller.completeExceptionally(new ProposalFailedException(reason));
        }
    }

    private static String message(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
