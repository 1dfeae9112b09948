package io.canary.rollout;

/**
 * What a rollout does when a step reaches the plan's maximum step duration without the evidence
 * the judge needs to promote it (a HOLD that lasted too long: too little traffic, or a canary too
 * close to the margin to tell). On the wire and in the log by name or explicit code.
 */
public enum StepTimeout {
    /** Roll the canary back to 0%, ending the rollout as ROLLED_BACK (the default: never leave a canary in limbo). */
    ROLL_BACK,
    /** Pause the rollout at its step for an operator to decide (promote, resume or abort; the maximum pause still applies). */
    PAUSE
}
