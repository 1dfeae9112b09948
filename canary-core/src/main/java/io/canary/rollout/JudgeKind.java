package io.canary.rollout;

/**
 * Which built-in judge a plan asks for (a node built with its own {@link Judge} uses that one
 * instead). On the wire and in the log by name or explicit code, never by ordinal.
 */
public enum JudgeKind {
    /**
     * {@link SequentialJudge}: anytime-valid confidence sequences on the step's cumulative
     * evidence, evaluated at every health exchange, the false-rollback probability of a whole
     * rollout bounded by {@link Analysis#alpha()}; the plan's absolute thresholds act as guardrails.
     * The default.
     */
    SEQUENTIAL,
    /**
     * {@link ThresholdJudge}: the plan's {@link Thresholds} compared once per step interval, a
     * rollback after {@code failureLimit} failed analyses in a row (the behaviour before
     * sequential analysis).
     */
    THRESHOLD
}
