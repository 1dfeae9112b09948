package io.canary;

import io.canary.model.RolloutInfo;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import java.util.List;
import java.util.Optional;

/**
 * A rollout as one node sees it: the committed progress, the plan (known on the coordinator), and
 * the most recent verdicts (newest last).
 *
 * @param info the progress committed in the routing state
 * @param plan the plan, if this node knows it
 * @param verdicts recent verdicts, oldest first
 */
public record RolloutStatus(RolloutInfo info, Optional<RolloutPlan> plan, List<Verdict> verdicts) {
    public RolloutStatus {
        verdicts = List.copyOf(verdicts);
    }
}
