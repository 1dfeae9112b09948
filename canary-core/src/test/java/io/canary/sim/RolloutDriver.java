package io.canary.sim;

import io.canary.health.ClusterHealthView;
import io.canary.health.HealthSnapshot;
import io.canary.health.StepCounts;
import io.canary.internal.protocol.Caller;
import io.canary.internal.protocol.Effect;
import io.canary.internal.protocol.Timer;
import io.canary.internal.rollout.Analyst;
import io.canary.internal.rollout.RolloutEngine;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.rollout.ThresholdJudge;
import io.canary.rollout.Verdict;
import io.canary.transport.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's rollout, as the node runtime plugs it in: the REAL {@link RolloutEngine} fed
 * with the step's cumulative evidence merged by a real {@link ClusterHealthView} (judged by the
 * real {@link ThresholdJudge}, whose analyses come at step intervals as the workload's plans
 * expect), every committed state, operators' rollout commands and its ticks; the protocol
 * {@link Effect}s it emits run through the node's executor (proposals become 2PC transactions of
 * the real {@code ProtocolNode}, verdicts are logged and sent to every peer).
 */
final class RolloutDriver {
    static final Duration MAX_PAUSE = Duration.ofSeconds(3);

    private final SimNode node;
    private final Simulation sim;
    private final ClusterHealthView view;
    private final RolloutEngine engine;
    private final Map<Long, Caller> delegated = new HashMap<>();
    private final List<LogRecord> records = new ArrayList<>();
    private String lastStarted = "";
    private long nextCallId = 1;

    RolloutDriver(SimNode node, Simulation sim) {
        this.node = node;
        this.sim = sim;
        this.view = new ClusterHealthView(Duration.ofSeconds(5));
        this.engine = new RolloutEngine(node.id(), sim.members(), new Analyst(new ThresholdJudge()),
                sim.config().healthInterval(), sim.config().retryInterval(), sim.config().maxPause());
        records.addAll(node.protocolRecovery());
    }

    /** The coordinator (re)started: the engine takes the rollout over from the committed state. */
    void takeOver() {
        RoutingState committed = node.protocol.committed();
        List<Verdict> known = new ArrayList<>();
        for (LogRecord r : records) {
            if (r instanceof LogRecord.RolloutVerdict v && v.rolloutId().equals(committed.rollout().id())) {
                known.add(v.verdict());
            }
        }
        run(engine.takeOver(committed, known, node.steady()));
    }

    void onHealth(HealthSnapshot snapshot) {
        view.update(snapshot, node.steady());
    }

    void onCommitted(RoutingState state) {
        run(engine.committed(state, node.steady()));
    }

    /** An operator's StartRollout or ControlRollout, delegated by the protocol on the coordinator. */
    void onCommand(Caller caller, Message.Command command) {
        long callId = nextCallId++;
        delegated.put(callId, caller);
        run(engine.command(command, callId, node.steady()));
    }

    void run(List<Effect> effects) {
        for (Effect effect : effects) {
            node.crashPoint(effect);
            if (effect instanceof Effect.Propose p) {
                long callId = node.newCall(outcome -> proposalDone(p.proposalId(), outcome));
                node.run(node.protocol.propose(callId, p.change(), p.requester(), p.description(), node.mono()));
            } else if (effect instanceof Effect.Append a) {
                node.forceGroup(); // as the runtime's extensions: the protocol's records waiting for their fsync go first
                try {
                    node.append(a.record(), a.durable());
                } catch (io.canary.log.StateLogException e) {
                    continue; // as RolloutExtension: verdict records are a history, a failing disk must not stop a rollback
                }
                records.add(a.record());
                if (a.record() instanceof LogRecord.RolloutStarted s) {
                    lastStarted = s.rolloutId();
                }
            } else if (effect instanceof Effect.Send s) {
                node.send(s.to(), s.message());
            } else if (effect instanceof Effect.Schedule s && s.timer() instanceof Timer.RolloutTick t) {
                sim.schedule(node, s.delay(), "rollout", "tick", () -> {
                    if (node.rollout() != this) {
                        return; // a driver of a reign that ended
                    }
                    boolean everyReachable = node.protocol.view(node.mono()).stream().allMatch(io.canary.PeerStatus::reachable);
                    run(engine.tick(t.generation(), view.mergedStep(StepCounts.keyOf(node.protocol.committed()), node.steady()),
                            everyReachable, node.steady()));
                });
            } else if (effect instanceof Effect.Complete c) {
                Caller caller = delegated.remove(c.callId());
                if (caller != null) {
                    node.run(node.protocol.onDelegatedDone(caller, c.outcome()));
                }
            }
        }
    }

    private void proposalDone(long proposalId, io.canary.internal.protocol.Outcome outcome) {
        List<Effect> effects = engine.proposalDone(proposalId, outcome, node.steady());
        if (node.rollout() != this) {
            // A driver of a reign that ended: only its callers still learn the outcome.
            effects = effects.stream().filter(e -> e instanceof Effect.Complete).toList();
        }
        run(effects);
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
