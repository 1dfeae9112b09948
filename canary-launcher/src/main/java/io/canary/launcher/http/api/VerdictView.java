package io.canary.launcher.http.api;

import io.canary.rollout.Verdict;

/** One analysis of a rollout step, with the numbers it judged. */
public record VerdictView(String decision, String reason, int stepIndex, long at, VersionStatsView baseline,
                          VersionStatsView canary) {

    public static VerdictView of(Verdict v) {
        return new VerdictView(v.decision().name(), v.reason(), v.stepIndex(), v.at(), VersionStatsView.of(v.baseline()),
                VersionStatsView.of(v.canary()));
    }
}
