package io.canary.sim;

import io.canary.internal.protocol.Outcome;
import io.canary.model.Weights;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.canary.transport.Message;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What operators do while faults rage: weight changes from random nodes (promotions and
 * rollbacks), rollouts of healthy and degrading canaries, and pause, resume, promote and abort.
 * Every command goes in through a node's real command path (forwarded to the coordinator unless it
 * is the coordinator).
 */
final class Workload {
    static final Duration STEP_INTERVAL = Duration.ofSeconds(1);
    private static final List<List<Integer>> STEPS = List.of(List.of(10, 50, 100), List.of(25, 100), List.of(5, 25, 50, 100));
    private static final RolloutAction[] ACTIONS = RolloutAction.values();

    private final SplittableRandom random;
    private final Traffic traffic;
    long issued;
    long succeeded;
    long failed;
    long rolloutsAsked;

    Workload(SplittableRandom random, Traffic traffic) {
        this.random = random;
        this.traffic = traffic;
    }

    /** A random command for {@code node}, issued through it. */
    Message.Command next(Member node) {
        String baseline = node.routed().baseline();
        String other = baseline.equals("v1") ? "v2" : "v1";
        boolean running = node.routed().rollout().phase().isActive();
        int pick = random.nextInt(100);
        if (running ? pick < 20 : pick < 55) {
            return new Message.ProposeWeights(Weights.split(baseline, other, random.nextInt(21) * 5));
        }
        if (running ? pick < 35 : pick < 90) {
            rolloutsAsked++;
            traffic.setDegraded(other, random.nextInt(3) == 0);
            RolloutPlan plan = RolloutPlan.builder(baseline, other).steps(STEPS.get(random.nextInt(STEPS.size())))
                    .stepInterval(STEP_INTERVAL).minRequests(20).failureLimit(1 + random.nextInt(2)).build();
            return new Message.StartRollout(plan);
        }
        return new Message.ControlRollout(ACTIONS[random.nextInt(ACTIONS.length)]);
    }

    void done(Outcome outcome) {
        if (outcome instanceof Outcome.Success) {
            succeeded++;
        } else {
            failed++;
        }
    }
}
