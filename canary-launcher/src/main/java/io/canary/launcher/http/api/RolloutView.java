package io.canary.launcher.http.api;

import io.canary.model.RolloutInfo;
import io.canary.model.RolloutInfo.Phase;
import java.util.List;

/**
 * A rollout's committed progress, as carried in every routing state.
 *
 * @param id rollout id ("" when none ran)
 * @param canary the version rolled out ("" when none ran)
 * @param steps canary percentages
 * @param stepIndex index of the current step, -1 before the first
 * @param percent the canary's current percentage
 * @param phase where the rollout stands
 * @param reason why it is in this phase
 */
public record RolloutView(String id, String canary, List<Integer> steps, int stepIndex, int percent, Phase phase,
                          String reason) {
    /** No rollout has run. */
    public static final RolloutView NONE = of(RolloutInfo.NONE);

    public RolloutView {
        id = id == null ? "" : id;
        canary = canary == null ? "" : canary;
        steps = steps == null ? List.of() : List.copyOf(steps);
        phase = phase == null ? Phase.NONE : phase;
        reason = reason == null ? "" : reason;
    }

    public static RolloutView of(RolloutInfo r) {
        return new RolloutView(r.id(), r.canary(), r.steps(), r.stepIndex(), r.currentPercent(), r.phase(), r.reason());
    }

    /** True while the rollout still has work to do. */
    public boolean isActive() {
        return phase.isActive();
    }

    /** True once a rollout ran and ended. */
    public boolean isFinished() {
        return phase == Phase.COMPLETED || phase == Phase.ROLLED_BACK || phase == Phase.ABORTED;
    }
}
