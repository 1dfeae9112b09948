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
 * @param verdicts recent published verdicts, oldest first
 * @param analysis the coordinator's latest analysis of the current step, published or not (the
 *     sequential judge looks at every health exchange and publishes a HOLD at most once per step
 *     interval); empty on other nodes and when no rollout is active
 */
public record RolloutStatus(RolloutInfo info, Optional<RolloutPlan> plan, List<Verdict> verdicts, Optional<Verdict> analysis) {
    public RolloutStatus {
        verdicts = List.copyOf(verdicts);
        java.util.Objects.requireNonNull(analysis, "analysis");
    }

    /** A status without a latest analysis. */
    public RolloutStatus(RolloutInfo info, Optional<RolloutPlan> plan, List<Verdict> verdicts) {
        this(info, plan, verdicts, Optional.empty());
    }
}
