package io.canary.internal.rollout;

import io.canary.internal.rollout.RolloutState.Analysing;
import io.canary.internal.rollout.RolloutState.Idle;
import io.canary.internal.rollout.RolloutState.Paused;
import io.canary.internal.rollout.RolloutState.Pending;
import io.canary.internal.rollout.RolloutState.Step;
import io.canary.model.RolloutInfo;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.rollout.Verdict;
import io.canary.rollout.Verdict.Decision;
import java.util.List;
import java.util.Optional;

/**
 * The engine's states read off the committed state alone: what a coordinator that takes a rollout
 * over (or sees a change it did not propose) is doing about it. Pure functions, so that every node
 * builds the same state from the same committed {@link RolloutInfo}.
 */
final class CommittedStates {
    private CommittedStates() {
    }

    /** The state of the committed rollout: idle unless active with a known plan; paused, or analysing its step. */
    static RolloutState of(RoutingState committed, int failures, long now) {
        RolloutInfo info = committed.rollout();
        if (!info.phase().isActive() || info.plan().isEmpty()) {
            return new Idle();
        }
        Step step = stepOf(info, now);
        if (info.phase() == Phase.PAUSED) {
            long pausedAt = committed.committedAt() > 0 ? Math.min(committed.committedAt(), now) : now;
            return new Paused(step, pausedAt, Optional.empty());
        }
        return analysing(step, failures, now);
    }

    /** A step freshly analysed: a threshold judge is first asked once the step lasted its interval. */
    static Analysing analysing(Step step, int failures, long now) {
        long interval = step.plan().stepInterval().toMillis();
        return new Analysing(step, failures, Math.max(now, step.startedAt() + interval), now, Optional.empty(), Optional.empty());
    }

    /** The committed step, started when it committed (never later than now: clocks differ between nodes). */
    static Step stepOf(RolloutInfo info, long now) {
        long startedAt = info.stepStartedAt() > 0 ? Math.min(info.stepStartedAt(), now) : now;
        return new Step(info.id(), info.plan().orElseThrow(), info.stepIndex(), startedAt);
    }

    /** {@code a} with a proposal in flight. */
    static Analysing withPending(Analysing a, Pending p) {
        return new Analysing(a.step(), a.failures(), a.nextAnalysisAt(), a.lastPublishedAt(), a.latest(), Optional.of(p));
    }

    /**
     * Consecutive failed analyses of the committed step among the verdicts a node holds (oldest first):
     * the threshold judge's count, which a new coordinator continues.
     */
    static int countFailures(List<Verdict> known, RolloutInfo info) {
        int failed = 0;
        for (Verdict v : known) {
            if (v.stepIndex() == info.stepIndex()) {
                failed = v.decision() == Decision.ROLLBACK ? failed + 1 : v.decision() == Decision.PROMOTE ? 0 : failed;
            }
        }
        return failed;
    }

    /** The percentage the step after {@code step} routes to the canary. */
    static int nextPercent(Step step) {
        return step.plan().steps().get(Math.min(step.index() + 1, step.plan().steps().size() - 1));
    }
}
