package io.canary.rollout;

import io.canary.health.VersionHealth;

/**
 * Decides whether a rollout step is healthy: the analysis behind every PROMOTE, HOLD and ROLLBACK.
 * The coordinator calls it once per analysis with the merged cluster health of the baseline and the
 * canary over the current step's traffic only.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li><b>Pure:</b> the verdict depends on the arguments alone. No clock (use {@code now}), no
 *       I/O, no randomness, no state kept between calls; the same arguments give the same verdict,
 *       so that analyses can be replayed and tested.</li>
 *   <li><b>Fast and non-blocking:</b> it runs on the coordinator's protocol thread, which also runs
 *       two-phase commit; microseconds, not milliseconds.</li>
 *   <li><b>Free of the rollout's mechanics:</b> a judge says what the numbers mean; counting
 *       consecutive failures, timers, retries and the 2PC changes are the controller's job.</li>
 *   <li><b>Sparse data never passes:</b> too little traffic is a HOLD, not a PROMOTE.</li>
 *   <li><b>Failure:</b> a judge should not throw; if it does, the analysis counts as a HOLD whose
 *       reason quotes the exception, and the rollout analyses again at the next interval.</li>
 * </ul>
 *
 * <p>{@link ThresholdJudge} compares against the plan's {@link Thresholds}. A sequential
 * (anytime-valid) statistical judge will be added later behind this same interface.
 */
@FunctionalInterface
public interface Judge {

    /**
     * Judges one analysis of a step. Called on the coordinator's protocol thread, never
     * concurrently by one node; a judge that keeps no state (as it must not) may be shared by
     * several nodes of one JVM.
     *
     * @param plan the rollout's plan (thresholds, minimum requests)
     * @param stepIndex the index into {@code plan.steps()} of the step analysed
     * @param baseline the baseline's health merged over every node, this step's traffic only
     * @param canary the canary's health merged over every node, this step's traffic only
     * @param now epoch milliseconds at the coordinator, to stamp the verdict
     * @return the verdict, with a reason a person can read and the numbers it used; a null or an
     *     exception counts as a HOLD whose reason says so
     */
    Verdict judge(RolloutPlan plan, int stepIndex, VersionHealth baseline, VersionHealth canary, long now);
}
