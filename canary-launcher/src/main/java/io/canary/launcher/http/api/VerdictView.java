package io.canary.launcher.http.api;

import io.canary.rollout.Verdict;

/** One analysis of a rollout step, with the numbers it judged. */
public record VerdictView(Verdict.Decision decision, String reason, int stepIndex, long at, VersionStatsView baseline,
                          VersionStatsView canary) {

    public VerdictView {
        reason = reason == null ? "" : reason;
        baseline = baseline == null ? VersionStatsView.EMPTY : baseline;
        canary = canary == null ? VersionStatsView.EMPTY : canary;
    }

    public static VerdictView of(Verdict v) {
        return new VerdictView(v.decision(), v.reason(), v.stepIndex(), v.at(), VersionStatsView.of(v.baseline()),
                VersionStatsView.of(v.canary()));
    }
}
