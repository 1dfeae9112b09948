package io.canary.sim;

/**
 * Deliberate bugs the simulator plants to prove that its invariants catch a broken protocol. Each
 * is switched on only by {@link SimParams#bugs()}, i.e. from a test: the runtime-level ones live in
 * the simulator's own effect executor ({@link SimNode}) and recovery, the protocol-level ones in
 * {@code io.canary.internal.protocol.PlantedBug}, reachable only through the test-source bridge
 * {@code io.canary.internal.protocol.SimulatorSeam}.
 */
public enum Bug {
    /** Runtime: a participant's PREPARED record is not fsynced before its YES vote goes out. */
    VOTE_YES_BEFORE_FSYNC(false),
    /** Runtime: a participant routes on a proposed state as soon as it is prepared. */
    APPLY_AT_PREPARE(false),
    /** Runtime: the coordinator's COMMIT decision is not fsynced before Commit is sent. */
    COMMIT_DECISION_NOT_DURABLE(false),
    /** Recovery: a restarted coordinator takes its own undecided PREPARED as committed (presumed abort forgotten). */
    FORGET_PRESUMED_ABORT_ON_RESTART(false),
    /** Protocol: a promotion waits only for the reachable members' votes (safety asymmetry broken). */
    PROMOTION_WAITS_ONLY_FOR_REACHABLE(true),
    /** Protocol: the coordinator answers an in-doubt participant's DecisionQuery with Commit for a transaction it aborted. */
    COMMIT_UNKNOWN_TRANSACTION(true);

    private final boolean inProtocol;

    Bug(boolean inProtocol) {
        this.inProtocol = inProtocol;
    }

    /** True if the bug is planted in the protocol classes (through the seam), not in the simulator's runtime. */
    public boolean inProtocol() {
        return inProtocol;
    }
}
