package io.canary.internal.rollout;

import io.canary.log.LogRecord;
import io.canary.model.RolloutInfo;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict.Decision;
import java.util.List;
import java.util.Optional;

/**
 * What a coordinator's replayed log says about the rollout its committed state names: the plan it
 * started with, and how many analyses of the current step failed in a row (a passing analysis
 * resets the count; inconclusive ones leave it as it is).
 *
 * @param plan the plan, empty if the log no longer holds the rollout's start
 * @param consecutiveFailures ROLLBACK verdicts of the current step since its last PROMOTE verdict
 */
record RecoveredRollout(Optional<RolloutPlan> plan, int consecutiveFailures) {

    static RecoveredRollout from(List<LogRecord> replayed, RolloutInfo info) {
        // The committed state carries the plan; the log's RolloutStarted is only a fallback for
        // states written before plans were replicated.
        RolloutPlan plan = info.plan().orElse(null);
        int failed = 0;
        for (LogRecord r : replayed) {
            if (r instanceof LogRecord.RolloutStarted s && s.rolloutId().equals(info.id()) && info.plan().isEmpty()) {
                plan = s.plan();
            } else if (r instanceof LogRecord.RolloutVerdict v && v.rolloutId().equals(info.id())
                    && v.verdict().stepIndex() == info.stepIndex()) {
                Decision d = v.verdict().decision();
                failed = d == Decision.ROLLBACK ? failed + 1 : d == Decision.PROMOTE ? 0 : failed;
            }
        }
        return new RecoveredRollout(Optional.ofNullable(plan), failed);
    }
}
