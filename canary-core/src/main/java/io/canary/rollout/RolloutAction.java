package io.canary.rollout;

/** Operator commands on a running rollout. */
public enum RolloutAction {
    /** Hold at the current step; analyses stop until resumed. */
    PAUSE,
    /** Continue analysing after a pause. */
    RESUME,
    /** Go to the next step now, without waiting for a passing analysis. */
    PROMOTE,
    /** Roll back to the baseline at 100% now. */
    ABORT
}
