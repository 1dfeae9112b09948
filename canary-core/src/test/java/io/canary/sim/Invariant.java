package io.canary.sim;

/** What the simulator checks after every step; a run fails on the first one that does not hold. */
public enum Invariant {
    /** No two nodes ever commit different states for the same version, in any term. */
    AGREEMENT,
    /** A change its caller was told committed is never undone, and one it was told failed never commits. */
    CONFIRMED,
    /** Every committed state was proposed and is valid (weights sum to 1, version +1, rollout shape). */
    VALIDITY,
    /** A node never reports a lower committed version than it reported before, across restarts. */
    DURABILITY,
    /** No transaction commits once a majority logged its abort in the transaction's own term (its coordinator's decision, the one a caller is told). */
    ATOMICITY,
    /** A node routes only on a state it has committed (durably, and the cluster committed it). */
    ROUTING_SAFETY,
    /**
     * A promotion is never committed unless every configured node voted YES for it (one a successor
     * re-drove after a coordinator crash, which may already have committed, finishes with a majority).
     */
    SAFETY_ASYMMETRY,
    /** Durable before visible: no YES vote or Commit leaves a node before its record is fsynced. */
    DURABLE_BEFORE_VISIBLE,
    /** An operator's command takes effect at most once: never more manual promotions than PROMOTE commands. */
    AT_MOST_ONCE,
    /**
     * A node serves a canary share only under a valid lease: never while a newer state committed more
     * than the lease bound ago (two lease timeouts, two heartbeats and the network's worst delay).
     */
    LEASE,
    /**
     * Nobody vetoes a rollback: a change that does not raise a canary share is never aborted once a
     * majority voted YES and every other vote was a NO about the voter itself (its disk fails, it shuts down).
     */
    NO_VETO,
    /**
     * A weight set that yields to a later weight set (a promotion preparing when a lowering weight set
     * arrives) is superseded by it, never told it failed: it rides in the later one's transaction.
     */
    SUPERSEDED_NOT_FAILED,
    /** Once faults stop, a requested rollback reaches every node within the stated bound. */
    ROLLBACK_BOUND,
    /** Once faults stop, every node reaches the coordinator's state and nothing stays pending, within the bound. */
    LIVENESS,
    /** Protocol code threw where it must not (a crash of the protocol thread). */
    NO_EXCEPTION
}
