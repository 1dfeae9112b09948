package io.canary.internal.rollout;

import io.canary.ClusterHealth;
import io.canary.internal.protocol.Effect;
import io.canary.internal.protocol.Outcome;
import io.canary.internal.protocol.Timer;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.rollout.Judge;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.StepEvidence;
import io.canary.rollout.Verdict;
import io.canary.rollout.Verdict.Decision;
import io.canary.transport.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives a {@link RolloutEngine} the way the node does, in virtual time: proposals commit at once
 * (unless {@link #failProposals}), ticks fire every health interval, verdicts are collected.
 * The judge answers what {@link #decision} says.
 */
final class EngineHarness {
    static final Duration TICK = Duration.ofSeconds(1);
    static final Duration RETRY = Duration.ofSeconds(2);
    static final Duration MAX_PAUSE = Duration.ofMinutes(5);

    Decision decision = Decision.HOLD;
    boolean anytimeValid = true;
    boolean failProposals;
    /** Promotions only abort, as with a member lost (a promotion needs every vote). */
    boolean failPromotions;
    /** What each tick says of the coordinator's two-way contact with every member. */
    boolean everyReachable = true;
    long now = 1_000_000;
    RoutingState committed = RoutingState.initial("v1", "v2");
    final List<Verdict> published = new ArrayList<>();
    final List<Long> judgedAt = new ArrayList<>();
    final Map<Long, Outcome> completed = new HashMap<>();
    final List<String> proposals = new ArrayList<>();
    final List<Message> sent = new ArrayList<>();
    RolloutEngine engine;
    private final List<long[]> ticks = new ArrayList<>(); // {at, generation}
    private long nextCall = 1;

    EngineHarness() {
        engine = newEngine();
        run(engine.takeOver(committed, List.of(), now));
    }

    RolloutEngine newEngine() {
        Judge judge = new Judge() {
            @Override
            public Verdict judge(RolloutPlan plan, StepEvidence e) {
                judgedAt.add(e.now());
                return new Verdict(decision, "fake " + decision, e.stepIndex(), e.now(), e.baseline().stats(), e.canary().stats());
            }

            @Override
            public boolean anytimeValid() {
                return anytimeValid;
            }
        };
        return new RolloutEngine("node-a", List.of("node-a", "node-b", "node-c"), new Analyst(judge), TICK, RETRY, MAX_PAUSE);
    }

    static RolloutPlan plan() {
        return RolloutPlan.builder("v1", "v2").stepInterval(Duration.ofSeconds(30)).maxStepDuration(Duration.ofMinutes(10)).build();
    }

    long start(RolloutPlan plan) {
        return command(new Message.StartRollout(plan));
    }

    long control(RolloutAction action) {
        return command(new Message.ControlRollout(action));
    }

    long command(Message.Command c) {
        long call = nextCall++;
        run(engine.command(c, call, now));
        return call;
    }

    /** A new coordinator (same committed state and verdicts) takes over. */
    void failover() {
        ticks.clear();
        engine = newEngine();
        run(engine.takeOver(committed, published, now));
    }

    void advance(Duration d) {
        long end = now + d.toMillis();
        while (true) {
            long[] next = null;
            for (long[] t : ticks) {
                if (next == null || t[0] < next[0]) {
                    next = t;
                }
            }
            if (next == null || next[0] > end) {
                break;
            }
            ticks.remove(next);
            now = next[0];
            run(engine.tick(next[1], new ClusterHealth(now, List.of("node-a"), Map.of()), everyReachable, now));
        }
        now = end;
    }

    String failureOf(long call) {
        Outcome o = completed.get(call);
        return o instanceof Outcome.Failure f ? f.reason() : null;
    }

    void run(List<Effect> effects) {
        for (Effect e : effects) {
            if (e instanceof Effect.Propose p) {
                proposals.add(p.description());
                if (failPromotions && p.description().startsWith("promote")) {
                    run(engine.proposalDone(p.proposalId(), Outcome.failure("no vote from node-c within 2s"), now));
                    continue;
                }
                if (failProposals) {
                    run(engine.proposalDone(p.proposalId(), Outcome.failure("no majority"), now));
                    continue;
                }
                RoutingState next;
                try {
                    next = p.change().apply(committed);
                } catch (RuntimeException ex) {
                    run(engine.proposalDone(p.proposalId(), Outcome.failure(ex.getMessage()), now));
                    continue;
                }
                committed = new RoutingState(committed.version() + 1, RoutingState.Status.COMMITTED, next.weights(),
                        next.baseline(), committed.version() + 1, now, next.rollout());
                run(engine.committed(committed, now));
                run(engine.proposalDone(p.proposalId(), Outcome.success(committed), now));
            } else if (e instanceof Effect.Append a && a.record() instanceof LogRecord.RolloutVerdict v) {
                published.add(v.verdict());
            } else if (e instanceof Effect.Send s) {
                sent.add(s.message());
            } else if (e instanceof Effect.Schedule s && s.timer() instanceof Timer.RolloutTick t) {
                ticks.add(new long[] {now + s.delay().toMillis(), t.generation()});
            } else if (e instanceof Effect.Complete c) {
                completed.put(c.callId(), c.outcome());
            }
        }
    }
}
