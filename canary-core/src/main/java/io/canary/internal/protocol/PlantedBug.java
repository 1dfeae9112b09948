package io.canary.internal.protocol;

/**
 * Deliberate protocol bugs that only the deterministic simulator plants, to prove that its
 * invariants catch a broken protocol (a simulator that finds nothing must be shown able to).
 *
 * <p>Package-private on purpose: the only way in is {@link ProtocolNode#plant}, also
 * package-private, which no production class calls. The simulator reaches it through a bridge
 * that lives in the TEST sources of this package ({@code io.canary.internal.protocol.SimulatorSeam}),
 * so no production code path can plant a bug.
 */
enum PlantedBug {
    /** The coordinator asks only the reachable members to vote on a promotion (the safety asymmetry broken). */
    PROMOTION_WAITS_ONLY_FOR_REACHABLE,
    /** A change that is not a promotion commits on the YES of the coordinator alone (the majority rule broken). */
    COMMIT_WITHOUT_MAJORITY,
    /** A node takes Prepare and Commit of an older term, and a coordinator ignores newer terms in heartbeats (fencing broken). */
    ACCEPT_OLDER_TERM,
    /** A node forgets whom it voted for (at a restart, and within its term): two coordinators in one term. */
    FORGET_VOTE_ON_RESTART,
    /** A new coordinator skips its recovery round: neither adopts the majority's committed state nor re-drives. */
    SKIP_RECOVERY,
    /** A node never goes fail-safe, whatever its lease (the lease broken). */
    SERVE_WITHOUT_LEASE,
    /** The coordinator tells the caller an aborted change failed before a majority logged the abort. */
    ANSWER_ABORT_BEFORE_MAJORITY,
    /** The coordinator counts its own YES with no durable PREPARED behind it (caught by VALIDITY: a caller told committed before a majority's YES was durable). */
    OWN_VOTE_BEFORE_DURABLE,
    /** The riders of a coalesced batch are told "superseded, committed" when the batch starts, before it commits (caught by VALIDITY / CONFIRMED when a batch aborts). */
    SUPERSEDED_BEFORE_COMMIT,
    /** A rollback queued behind a preparing promotion waits for it instead of making it yield (caught by RollbackFirstTest's bound). */
    ROLLBACK_WAITS_FOR_PROMOTION,
    /** Every change, a rollback too, waits for every member's YES like a promotion (a lost member vetoes rollbacks): ROLLBACK_BOUND. */
    ROLLBACK_NEEDS_EVERY_VOTE,
    /** Only the preferred coordinator (node-a) ever stands for election (no failover once it is lost for good): ROLLBACK_BOUND, LIVENESS. */
    ONLY_PREFERRED_STANDS,
    /** A coordinator keeps serving the canary without two-way contact with a majority (its own lease ignored): LEASE, under long partitions. */
    COORDINATOR_IGNORES_OWN_LEASE,
    /** A NO about the voter itself (its disk fails, it shuts down) vetoes a rollback like a NO about the proposal: ROLLBACK_BOUND, under a long disk failure. */
    SICK_VOTER_VETOES,
    /** The router is given no lease deadline, so the lease is checked only when the protocol thread runs (a long pause outlives it): LEASE, at serve time. */
    LEASE_ONLY_CHECKED_ON_EVENTS,
    /** The fresh-start deference to an earlier member of the preferred order has no bound: a node defers for as long as it hears node-a, even when node-a cannot win (it hears nobody): ROLLBACK_BOUND, under a deaf node-a. */
    DEFERENCE_UNCAPPED,
    /** A weight set that yields to a later weight set is told it failed instead of riding in the later one's transaction (the rule of 1d905e8 inverted): SUPERSEDED_NOT_FAILED. */
    YIELDED_WEIGHT_SET_FAILS,
    /** A node whose log holds no term votes (pre-vote and vote) at once, before it heard every other member (the amnesia rule inverted): LIVENESS under disk loss (an older coordinator elected, seed 7645). */
    AMNESIAC_VOTES_AT_ONCE,
    /** A voter grants (pre-vote and vote) a candidate behind a committed version a peer reported (8f8fcc2's rule inverted): LIVENESS under disk loss (an older coordinator elected, seed 7645). */
    VOTE_FOR_CANDIDATE_BEHIND_REPORTED_COMMIT,
    /** A voter grants (pre-vote and vote) a candidate behind the log position (newest promise) a peer reported in its heartbeats (the rule of seeds 334040/375153 inverted): AGREEMENT / CONFIRMED under disk loss. */
    VOTE_FOR_CANDIDATE_BEHIND_REPORTED_LOG,
    /** A candidate's recovery round and the position it asks with use the granted votes only, not the refusals and pre-vote replies it heard: ATOMICITY under disk loss, planted with the two vote rules above (seed 4194; alone they cover for it). */
    RECOVERY_IGNORES_REFUSALS,
    /** The coordinator sends Commit once a majority voted YES, before the commit rules decide (a promotion needs every vote, and may abort): SAFETY_ASYMMETRY. */
    COMMIT_BEFORE_DECISION,
    /** The grace a lowering gets after a majority's YES applies to promotions too (they commit without every vote): SAFETY_ASYMMETRY. */
    GRACE_FOR_PROMOTIONS,
    /** A node whose log holds no term takes part in transactions before it heard every member (votes YES, logs and acknowledges aborts, echoes heartbeats, takes a lease), so a deposed coordinator it cannot fence commits with it: AGREEMENT / ATOMICITY / LEASE under disk loss (seeds 3034026, 3035498, 3017518). */
    AMNESIAC_JOINS_ANY_TERM,
    /** Ballot ownership off: a node stands in the term after the highest it knows and voters grant any candidate (a wiped voter gives one term to two coordinators): LIVENESS "two coordinators in one term" under disk loss; ElectionsTest proves the voter's rule. */
    ANY_NODE_STANDS_IN_ANY_TERM,
    /** A node whose log held no term stands once the amnesia fallback lets it vote, before it heard every member (it may reuse a term it won and forgot, and its transaction ids): VALIDITY / DURABLE_BEFORE_VISIBLE under disk loss (seeds 1033121, 3015087); ElectionsTest proves the rule. */
    AMNESIAC_STANDS_ON_FALLBACK,
    /** A node restarted on a log whose current term it adopted while amnesiac (vote unknown) is no longer amnesiac (the rule of seed 3098018 inverted): VALIDITY / AGREEMENT under disk loss. */
    AMNESIA_FORGOTTEN_ON_RESTART,
    /** A node restarted while its recovery after a lost log is pending (a RECOVERING record not done) comes back as one that lost nothing, not amnesiac (the rule of seeds 9209848, 9420412 inverted): LEASE / ROLLBACK_BOUND under disk loss. */
    RECOVERY_FORGOTTEN_ON_RESTART,
    /** A coordinator runs a forwarded command that is not safe to run twice whatever term it was first sent in (and the forwarder resends it to the same node in a newer term): AT_MOST_ONCE under disk loss (seeds 3071551, 6024066). */
    FORWARD_RUNS_IN_ANY_TERM,
    /** The timer fallback of sessions 3-5: a node amnesiac for 5 election timeouts that heard a majority votes without having heard every member (it takes a paused holder for lost, and elects a candidate behind the record only that holder and its own lost copy held): LEASE / CONFIRMED / VALIDITY under disk loss (seeds 3017518, 3093511). */
    AMNESIA_FALLBACK_ON_TIMER,
    /** A node restarted on a log whose current vote is {@code ?} is amnesiac only if that log holds nothing else (no state, promise or abort): the rule before session 6, when a state learned while amnesiac (a Commit, a StateSync) made a crashed wiped node come back voting (seed 7000049); ?heard's rule inverted. */
    AMNESIA_ENDED_BY_A_LEARNED_STATE,
    /** A candidate counts its own vote although its candidacy is behind a committed version a peer reported (safety (4a) for the voter's own candidacy, session 7, inverted): LEASE / AGREEMENT under disk loss (seed 9437954). */
    CANDIDATE_IGNORES_REPORTED_COMMIT,
    /** The lapse of sessions 4-7 (limit (e)): a recovering node heeds the positions peers reported for 5 election timeouts only, and stops recovering then, so a holder it heard once and that then went silent longer is taken as lost: LEASE under disk loss (seed 12000001). */
    RECORDED_REPORTS_LAPSE,
    /** Candidates ignore the promises a recovering voter relays (and a recovering candidate its own): without the lapse a recovering voter then waits for a holder that never answers: ROLLBACK_BOUND under disk loss (seed 6696). */
    RELAYED_PROMISES_IGNORED,
    /** A candidate wins although a relayed promise is beyond its recovery round's reach (of a version past the highest committed state it found plus one): AGREEMENT / LEASE under disk loss (seed 12000001). */
    RELAYED_PROMISE_GAP_IGNORED,
    /** A recovering node's own commit does not cover a peer's report of a promise at or below that version (terms compared only): it refuses itself and others while the reporter's disk fails: ROLLBACK_BOUND (seed 18140443). */
    COMMIT_DOES_NOT_COVER_REPORTS
}
