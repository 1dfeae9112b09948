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
    /** Runtime: the coordinator's COMMIT decision is not fsynced before it routes on it (Commit itself goes out at the decision). */
    COMMIT_DECISION_NOT_DURABLE(false),
    /** Recovery: a restarted coordinator takes its own undecided PREPARED as committed (presumed abort forgotten). */
    FORGET_PRESUMED_ABORT_ON_RESTART(false),
    /** Protocol: a promotion waits only for the reachable members' votes (safety asymmetry broken). */
    PROMOTION_WAITS_ONLY_FOR_REACHABLE(true),
    /** Protocol: a change that is not a promotion commits on the coordinator's own YES (majority rule broken). */
    COMMIT_WITHOUT_MAJORITY(true),
    /** Protocol: a node takes Prepare and Commit of an older term (fencing broken). */
    ACCEPT_OLDER_TERM(true),
    /** Protocol: a restarted node forgets whom it voted for (two coordinators in one term). */
    FORGET_VOTE_ON_RESTART(true),
    /** Protocol: a new coordinator skips its recovery round (no adopting, no re-driving). */
    SKIP_RECOVERY(true),
    /** Protocol: a node never routes fail-safe, whatever its lease. */
    SERVE_WITHOUT_LEASE(true),
    /** Protocol: the coordinator tells the caller an aborted change failed before a majority logged the abort. */
    ANSWER_ABORT_BEFORE_MAJORITY(true),
    /** Protocol (issue 13's commit path): the coordinator counts its own YES with no durable PREPARED behind it. */
    OWN_VOTE_BEFORE_DURABLE(true),
    /** Protocol (issue 13's coalescing): a batch's riders are told "superseded, committed" before the batch commits. */
    SUPERSEDED_BEFORE_COMMIT(true),
    /** Protocol: every change, a rollback too, waits for every member's YES (a node lost for good vetoes rollbacks). */
    ROLLBACK_NEEDS_EVERY_VOTE(true),
    /** Protocol: only the preferred coordinator ever stands (no failover once it is lost for good). */
    ONLY_PREFERRED_STANDS(true),
    /** Protocol: a coordinator serves the canary without two-way contact with a majority (caught under long partitions). */
    COORDINATOR_IGNORES_OWN_LEASE(true),
    /** Protocol: a NO about the voter (its disk fails) vetoes a rollback (caught under a long disk failure). */
    SICK_VOTER_VETOES(true),
    /** Transport model: frames carry no checksum, so a corrupt frame is delivered damaged instead of closing its connection. */
    NO_FRAME_CHECKSUM(false),
    /** Runtime: the protocol is handed the wall clock as its monotonic clock (a step moves leases and reachability). */
    PROTOCOL_ON_WALL_CLOCK(false),
    /** Protocol: the router gets no lease deadline, so the lease is only checked when the protocol thread runs (a pause outlives it): LEASE. */
    LEASE_ONLY_CHECKED_ON_EVENTS(true),
    /** Protocol: the fresh-start deference to node-a has no bound (a node defers while it hears a node-a that cannot win). */
    DEFERENCE_UNCAPPED(true),
    /** Protocol: a weight set that yields to a later weight set is told it failed instead of being superseded by it. */
    YIELDED_WEIGHT_SET_FAILS(true),
    /** Protocol: a node whose log holds no term votes at once, before it heard every other member (amnesia rule inverted; disk loss forced on). */
    AMNESIAC_VOTES_AT_ONCE(true),
    /** Protocol: a voter grants a candidate behind a committed version a peer reported (8f8fcc2's rule inverted; disk loss forced on). */
    VOTE_FOR_CANDIDATE_BEHIND_REPORTED_COMMIT(true),
    /** Protocol: a voter grants a candidate behind the log position (newest promise) a peer reported (seeds 334040/375153's rule inverted; disk loss forced on). */
    VOTE_FOR_CANDIDATE_BEHIND_REPORTED_LOG(true),
    /** Protocol: a candidate's recovery round ignores the refusals and pre-vote replies it heard, and asks with its own position only (disk loss forced on). */
    RECOVERY_IGNORES_REFUSALS(true),
    /** Protocol (issue 13's commit path): Commit goes out once a majority voted YES, before the commit rules decide. */
    COMMIT_BEFORE_DECISION(true),
    /** Runtime (issue 13's group commit): when a group of records cannot be written, the sends that waited behind it still go out (a YES among them). */
    GROUP_FAILURE_KEEPS_SENDS(false),
    /** Runtime (issue 13's group commit): what waits behind a group runs before the group's fsync. */
    GROUP_RELEASED_BEFORE_FSYNC(false),
    /** Protocol (issue 13's lowering rule): the grace after a majority's YES applies to promotions too. */
    GRACE_FOR_PROMOTIONS(true),
    /** Protocol (disk loss forced on): a node whose log holds no term votes YES, logs aborts, echoes and takes a lease before it heard every member: AGREEMENT / ATOMICITY / LEASE. */
    AMNESIAC_JOINS_ANY_TERM(true),
    /** Protocol (disk loss forced on): no ballot ownership, a node stands in term+1 and voters grant anyone: LIVENESS (two coordinators in one term) / VALIDITY. */
    ANY_NODE_STANDS_IN_ANY_TERM(true),
    /** Protocol (disk loss forced on): a node whose log held no term stands on the amnesia fallback, before it heard every member: VALIDITY / DURABLE_BEFORE_VISIBLE. */
    AMNESIAC_STANDS_ON_FALLBACK(true),
    /** Protocol: a node restarted on a log whose current term it adopted while amnesiac (vote unknown) votes as if it forgot nothing (disk loss forced on). */
    AMNESIA_FORGOTTEN_ON_RESTART(true),
    /** Protocol (disk loss forced on): a node restarted while its recovery after a lost log is pending comes back as one that lost nothing (seeds 9209848, 9420412): LEASE / ROLLBACK_BOUND. */
    RECOVERY_FORGOTTEN_ON_RESTART(true),
    /** Protocol (disk loss forced on): a forwarded command not safe to run twice runs in any term, not only the one it was first sent in: AT_MOST_ONCE (seeds 3071551, 6024066). */
    FORWARD_RUNS_IN_ANY_TERM(true),
    /** Protocol (disk loss forced on): the timer fallback of sessions 3-5, an amnesiac node votes after 5 election timeouts having heard a majority: LEASE / CONFIRMED (seeds 3017518, 3093511). */
    AMNESIA_FALLBACK_ON_TIMER(true),
    /** Protocol (disk loss forced on): a restart on a log whose current vote is {@code ?} is amnesiac only if the log holds nothing but that term (the rule before session 6's {@code ?heard}; seed 7000049). */
    AMNESIA_ENDED_BY_A_LEARNED_STATE(true),
    /** Protocol (disk loss forced on): a candidate elects itself behind a committed version a peer reported, the rule it applies to others' candidacies (safety (4a)) skipped for its own: LEASE (seed 9437954). */
    CANDIDATE_IGNORES_REPORTED_COMMIT(true),
    /** Protocol (disk loss forced on): a recovering node heeds peers' reports for 5 election timeouts only, the lapse of sessions 4-7 (limit (e)): LEASE (seed 12000001, a holder heard once and then paused 7.9 s). */
    RECORDED_REPORTS_LAPSE(true),
    /** Protocol (disk loss forced on): candidates ignore the promises recovering voters relay: a recovering voter waits for a holder that never answers (ROLLBACK_BOUND). */
    RELAYED_PROMISES_IGNORED(true),
    /** Protocol (disk loss forced on): a candidate wins with a relayed promise beyond its recovery round's reach: AGREEMENT / LEASE (seed 12000001). */
    RELAYED_PROMISE_GAP_IGNORED(true),
    /** Protocol: a recovering node's commit of a version does not cover a peer's promise of it re-logged in a later term: no election while that peer's disk fails (ROLLBACK_BOUND, seed 18140443). */
    COMMIT_DOES_NOT_COVER_REPORTS(true);

    private final boolean inProtocol;

    Bug(boolean inProtocol) {
        this.inProtocol = inProtocol;
    }

    /** True if the bug is planted in the protocol classes (through the seam), not in the simulator's runtime. */
    public boolean inProtocol() {
        return inProtocol;
    }
}
