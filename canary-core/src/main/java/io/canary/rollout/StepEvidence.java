package io.canary.rollout;

import io.canary.health.VersionHealth;
import java.util.List;
import java.util.Objects;

/**
 * What a judge sees: the current step's cumulative traffic of the baseline and the canary, merged
 * over every node that counts this step (requests, errors and latency histogram buckets since the
 * step began, not a sliding window). Immutable.
 *
 * @param stepIndex the index into the plan's steps of the step judged
 * @param stepStartedAt epoch milliseconds at the coordinator when the step began
 * @param now epoch milliseconds at the coordinator, to stamp the verdict
 * @param baseline the baseline's traffic since the step began, every node merged
 * @param canary the canary's traffic since the step began, every node merged
 * @param nodes the nodes whose counts were merged
 */
public record StepEvidence(int stepIndex, long stepStartedAt, long now, VersionHealth baseline, VersionHealth canary,
                           List<String> nodes) {
    public StepEvidence {
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(canary, "canary");
        nodes = List.copyOf(nodes);
    }

    /** How long the step has lasted, in milliseconds. */
    public long elapsedMillis() {
        return Math.max(0, now - stepStartedAt);
    }
}
