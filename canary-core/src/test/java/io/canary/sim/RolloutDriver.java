package io.canary.sim;

import io.canary.health.ClusterHealthView;
import io.canary.health.HealthSnapshot;
import io.canary.internal.protocol.Caller;
import io.canary.internal.protocol.Outcome;
import io.canary.internal.protocol.StateChange;
import io.canary.internal.rollout.CommandResult;
import io.canary.internal.rollout.RolloutController;
import io.canary.internal.rollout.RolloutEffect;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.rollout.ThresholdJudge;
import io.canary.transport.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The coordinator's rollout, as the node runtime plugs it in: the REAL {@link RolloutController}
 * fed with the coordinator's merged cluster health (real {@link ClusterHealthView}, real
 * {@link ThresholdJudge}), every committed state, operators' rollout commands and its timers; its
 * effects run through the node's executor (proposals become 2PC transactions of the real
 * {@code ProtocolNode}, verdicts are logged durably and broadcast).
 */
final class RolloutDriver {
    static final Duration MAX_PAUSE = Duration.ofSeconds(3);

    private final SimNode node;
    private final Simulation sim;
    private final ClusterHealthView view;
    private final RolloutController controller;
    private final Map<Long, Caller> delegated = new HashMap<>();
    private final Set<Long> wakes = new HashSet<>();
    private final List<LogRecord> records = new ArrayList<>();
    private String lastStarted = "";

    RolloutDriver(SimNode node, Simulation sim) {
        this.node = node;
        this.sim = sim;
        this.view = new ClusterHealthView(Duration.ofSeconds(5));
        this.controller = new RolloutController(new ThresholdJudge(), since -> view.mergedSince(since, node.now()),
                sim.config().retryInterval(), sim.config().maxPause());
        for (LogRecord r : node.protocolRecovery()) {
            records.add(r);
        }
    }

    RolloutController controller() {
        return controller;
    }

    void onHealth(HealthSnapshot snapshot) {
        view.update(snapshot, node.now());
    }

    void onCommitted(RoutingState state) {
        run(controller.onCommitted(state, node.now()));
    }

    /** An operator's StartRollout or ControlRollout, delegated by the protocol on the coordinator. */
    void onCommand(Caller caller, Message.Command command) {
        RoutingState committed = node.protocol.committed();
        CommandResult result;
        if (command instanceof Message.StartRollout s) {
            result = controller.start(s.plan(), committed, node.now());
        } else if (command instanceof Message.ControlRollout c) {
            result = controller.control(c.action(), committed, node.now());
        } else {
            node.run(node.protocol.onDelegatedDone(caller, Outcome.failure("not a rollout command: " + command)));
            return;
        }
        if (result instanceof CommandResult.Rejected r) {
            node.run(node.protocol.onDelegatedDone(caller, Outcome.failure(r.reason())));
        } else if (result instanceof CommandResult.Unchanged u) {
            run(u.effects());
            node.run(node.protocol.onDelegatedDone(caller, Outcome.success(node.protocol.committed())));
        } else if (result instanceof CommandResult.Proposed p) {
            delegated.put(p.proposalId(), caller);
            run(p.effects());
        }
    }

    void run(List<RolloutEffect> effects) {
        for (RolloutEffect effect : effects) {
            node.crashPoint(effect);
            if (effect instanceof RolloutEffect.Propose p) {
                long id = p.id();
                long callId = node.newCall(outcome -> onProposalDone(id, outcome));
                StateChange change = p.change()::apply;
                node.run(node.protocol.propose(callId, change, StateChange.Requester.ROLLOUT, p.description(), node.mono()));
            } else if (effect instanceof RolloutEffect.Publish p) {
                LogRecord record = new LogRecord.RolloutVerdict(p.rolloutId(), p.verdict());
                node.append(record, true);
                records.add(record);
                node.broadcast(new Message.VerdictReport(p.rolloutId(), p.verdict()));
            } else if (effect instanceof RolloutEffect.Append a) {
                node.append(a.record(), true);
                records.add(a.record());
                if (a.record() instanceof LogRecord.RolloutStarted s) {
                    lastStarted = s.rolloutId();
                }
            } else if (effect instanceof RolloutEffect.WakeAt w) {
                wake(w.at());
            }
        }
    }

    private void onProposalDone(long id, Outcome outcome) {
        if (node.rollout() != this) {
            Caller orphan = delegated.remove(id);
            if (orphan != null) {
                node.run(node.protocol.onDelegatedDone(orphan, outcome));
            }
            return;
        }
        if (outcome instanceof Outcome.Success s) {
            run(controller.onProposalCommitted(id, s.state(), node.now()));
        } else {
            run(controller.onProposalFailed(id, ((Outcome.Failure) outcome).reason(), node.now()));
        }
        Caller caller = delegated.remove(id);
        if (caller != null) {
            node.run(node.protocol.onDelegatedDone(caller, outcome));
        }
    }

    private void wake(long at) {
        if (at == Long.MAX_VALUE || !wakes.add(at)) {
            return;
        }
        arm(at);
    }

    /**
     * Timers count elapsed time but {@code at} is on the node's clock: if the clock was set back
     * meanwhile, the timer fires early and the controller (which ignores early ticks) would never
     * wake again. So an early timer is re-armed for the rest, as a runtime must do.
     */
    private void arm(long at) {
        long delay = Math.max(0, at - node.now());
        sim.schedule(node, Duration.ofMillis(delay), "rollout", "tick", () -> {
            if (node.rollout() != this) {
                return; // a driver of a reign that ended
            }
            if (node.now() < at) {
                arm(at);
                return;
            }
            wakes.remove(at);
            run(controller.tick(node.now()));
        });
    }

    /** The rollout records a checkpoint keeps: those of the committed rollout and of one being started. */
    List<LogRecord> checkpointRecords(RoutingState committed) {
        String current = committed.rollout().id();
        records.removeIf(r -> !belongsTo(r, current) && !belongsTo(r, lastStarted));
        return List.copyOf(records);
    }

    private static boolean belongsTo(LogRecord r, String rolloutId) {
        if (rolloutId.isEmpty()) {
            return false;
        }
        if (r instanceof LogRecord.RolloutStarted s) {
            return s.rolloutId().equals(rolloutId);
        }
        return r instanceof LogRecord.RolloutVerdict v && v.rolloutId().equals(rolloutId);
    }
}
