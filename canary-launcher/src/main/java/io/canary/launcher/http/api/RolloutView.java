package io.canary.launcher.http.api;

import io.canary.model.RolloutInfo;
import java.util.List;

/**
 * A rollout's committed progress, as carried in every routing state.
 *
 * @param id rollout id ("" when none ran)
 * @param canary the version rolled out ("" when none ran)
 * @param steps canary percentages
 * @param stepIndex index of the current step, -1 before the first
 * @param percent the canary's current percentage
 * @param phase NONE, PROGRESSING, PAUSED, COMPLETED, ROLLED_BACK or ABORTED
 * @param reason why it is in this phase
 */
public record RolloutView(String id, String canary, List<Integer> steps, int stepIndex, int percent, String phase,
                          String reason) {

    public static RolloutView of(RolloutInfo r) {
        return new RolloutView(r.id(), r.canary(), r.steps(), r.stepIndex(), r.currentPercent(), r.phase().name(),
                r.reason());
    }
}
