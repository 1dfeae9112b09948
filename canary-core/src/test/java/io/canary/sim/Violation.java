package io.canary.sim;

/** An invariant did not hold: the simulation stops and reports it with the seed and the trace. */
final class Violation extends RuntimeException {
    private final Invariant invariant;

    Violation(Invariant invariant, String message) {
        super(message, null, false, false);
        this.invariant = invariant;
    }

    Invariant invariant() {
        return invariant;
    }
}
