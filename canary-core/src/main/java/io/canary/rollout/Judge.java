package io.canary.rollout;

/**
 * Decides whether a rollout step is healthy: the analysis behind every PROMOTE, HOLD and ROLLBACK.
 * The coordinator calls it with the plan and the step's cumulative evidence merged over every
 * node ({@link StepEvidence}).
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li><b>Pure:</b> the verdict depends on the arguments alone. No clock (use
 *       {@link StepEvidence#now()}), no I/O, no randomness, no state kept between calls; the same
 *       arguments give the same verdict, so that analyses can be replayed and tested, and a new
 *       coordinator reaches the verdicts the old one would have.</li>
 *   <li><b>Fast and non-blocking:</b> it runs on the coordinator's protocol thread, which also runs
 *       two-phase commit; microseconds, not milliseconds.</li>
 *   <li><b>Free of the rollout's mechanics:</b> a judge says what the numbers mean; the minimum and
 *       maximum step durations, counting consecutive failures, timers, retries and the 2PC changes
 *       are the rollout engine's job. A PROMOTE before the step's minimum duration is held by the
 *       engine until then.</li>
 *   <li><b>Sparse data never passes:</b> too little traffic is a HOLD, not a PROMOTE.</li>
 *   <li><b>Failure:</b> a judge should not throw; if it does, the analysis counts as a HOLD whose
 *       reason quotes the exception.</li>
 * </ul>
 *
 * <p>{@link SequentialJudge} (the default) is anytime-valid; {@link ThresholdJudge} compares against
 * the plan's {@link Thresholds} once per step interval.
 */
@FunctionalInterface
public interface Judge {

    /**
     * Judges the step as the evidence stands. Called on the coordinator's protocol thread, never
     * concurrently by one node; a judge that keeps no state (as it must not) may be shared by
     * several nodes of one JVM.
     *
     * @param plan the rollout's plan (margins, alpha, thresholds, minimum requests)
     * @param evidence the step's cumulative traffic of both versions, merged over the nodes
     * @return the verdict, with a reason a person can read and the numbers it used; a null or an
     *     exception counts as a HOLD whose reason says so
     */
    Verdict judge(RolloutPlan plan, StepEvidence evidence);

    /**
     * True if this judge's verdicts stay valid however often it is asked (anytime-valid): the
     * engine then asks at every health exchange and acts on a ROLLBACK at once. Otherwise (the
     * default) the engine asks once per step interval and rolls back after the plan's
     * {@code failureLimit} consecutive ROLLBACK verdicts.
     */
    default boolean anytimeValid() {
        return false;
    }
}
