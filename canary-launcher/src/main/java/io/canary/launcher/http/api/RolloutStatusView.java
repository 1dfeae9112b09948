package io.canary.launcher.http.api;

import io.canary.RolloutStatus;
import java.util.List;

/**
 * {@code GET /rollout}: the committed progress, the plan ({@code null} on a node that does not
 * know it) and the recent verdicts, oldest first; {@code analysis} is the coordinator's latest analysis
 * of the current step, published or not ({@code null} elsewhere and when no rollout runs).
 */
public record RolloutStatusView(RolloutView rollout, PlanView plan, List<VerdictView> verdicts, VerdictView analysis) {

    public RolloutStatusView {
        rollout = rollout == null ? RolloutView.NONE : rollout;
        verdicts = verdicts == null ? List.of() : verdicts;
    }

    public static RolloutStatusView of(RolloutStatus s) {
        return new RolloutStatusView(RolloutView.of(s.info()), s.plan().map(PlanView::of).orElse(null),
                s.verdicts().stream().map(VerdictView::of).toList(), s.analysis().map(VerdictView::of).orElse(null));
    }
}
