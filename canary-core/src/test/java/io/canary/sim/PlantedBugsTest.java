package io.canary.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Proof that the simulator has teeth: each deliberate bug ({@link Bug}), planted from this test
 * only, is caught within the CI seed budget of {@link SimulationTest}, by the invariant it breaks.
 */
class PlantedBugsTest {

    /** The invariants that may catch each bug first: catching it by accident (say, an exception) does not count. */
    private static Set<Invariant> expected(Bug bug) {
        return switch (bug) {
            case VOTE_YES_BEFORE_FSYNC -> Set.of(Invariant.DURABLE_BEFORE_VISIBLE);
            case APPLY_AT_PREPARE -> Set.of(Invariant.ROUTING_SAFETY);
            case COMMIT_DECISION_NOT_DURABLE -> Set.of(Invariant.DURABLE_BEFORE_VISIBLE,
                    Invariant.AGREEMENT, Invariant.ATOMICITY, Invariant.DURABILITY, Invariant.SAFETY_ASYMMETRY);
            case FORGET_PRESUMED_ABORT_ON_RESTART -> Set.of(Invariant.ATOMICITY, Invariant.AGREEMENT, Invariant.SAFETY_ASYMMETRY,
                    Invariant.ROUTING_SAFETY, Invariant.VALIDITY);
            case PROMOTION_WAITS_ONLY_FOR_REACHABLE -> Set.of(Invariant.SAFETY_ASYMMETRY);
            // Their consequence: two states under one version, a confirmed change undone, or a node left
            // serving a state the majority replaced (the real protocol never breaks LEASE in 10,000 seeds);
            // or, first, a Commit sent at the decision for a state no majority's durable YES chose (issue 13:
            // Commit leaves before the coordinator's own record, which is sound only for a chosen state).
            case COMMIT_WITHOUT_MAJORITY, ACCEPT_OLDER_TERM, FORGET_VOTE_ON_RESTART, SKIP_RECOVERY -> Set.of(
                    Invariant.AGREEMENT, Invariant.DURABILITY, Invariant.CONFIRMED, Invariant.VALIDITY, Invariant.ROUTING_SAFETY,
                    Invariant.LEASE, Invariant.ATOMICITY, Invariant.LIVENESS, Invariant.ROLLBACK_BOUND,
                    Invariant.DURABLE_BEFORE_VISIBLE);
            case SERVE_WITHOUT_LEASE -> Set.of(Invariant.LEASE);
            // It also tells a weight set that yielded to a later one "failed" at once, instead of letting it ride.
            case ANSWER_ABORT_BEFORE_MAJORITY -> Set.of(Invariant.CONFIRMED, Invariant.SUPERSEDED_NOT_FAILED);
            // Issue 13: a caller told "committed" before the deciding YES votes were durable, or before the batch committed.
            case OWN_VOTE_BEFORE_DURABLE, SUPERSEDED_BEFORE_COMMIT -> Set.of(Invariant.VALIDITY, Invariant.CONFIRMED,
                    Invariant.SAFETY_ASYMMETRY);
            // Caught only by the faults that never stop soon: a node lost for good, a disk failing past the faults' end.
            case ROLLBACK_NEEDS_EVERY_VOTE -> Set.of(Invariant.NO_VETO, Invariant.ROLLBACK_BOUND, Invariant.LIVENESS);
            case ONLY_PREFERRED_STANDS -> Set.of(Invariant.ROLLBACK_BOUND, Invariant.LIVENESS);
            case SICK_VOTER_VETOES -> Set.of(Invariant.NO_VETO, Invariant.ROLLBACK_BOUND);
            // Caught only by a partition of a minute or more: a short one heals before the lease bound.
            case COORDINATOR_IGNORES_OWN_LEASE -> Set.of(Invariant.LEASE);
            // A damaged commit or sync is logged as a state nobody committed.
            case NO_FRAME_CHECKSUM -> Set.of(Invariant.AGREEMENT, Invariant.ROUTING_SAFETY, Invariant.VALIDITY, Invariant.CONFIRMED);
            // A wall-clock step back keeps a lease alive for as long as the step; one forward ends leases and contact at once.
            case PROTOCOL_ON_WALL_CLOCK -> Set.of(Invariant.LEASE, Invariant.LIVENESS, Invariant.ROLLBACK_BOUND);
            // A process paused longer than the lease serves the canary the moment it resumes, before its protocol thread runs.
            case LEASE_ONLY_CHECKED_ON_EVENTS -> Set.of(Invariant.LEASE);
            // Caught only with node-a alive but deaf (it hears nobody): the others defer to it and nobody is elected.
            case DEFERENCE_UNCAPPED -> Set.of(Invariant.ROLLBACK_BOUND, Invariant.LIVENESS);
            // Caught when a promotion by weight set is preparing as a lowering weight set arrives (1d905e8's rule).
            case YIELDED_WEIGHT_SET_FAILS -> Set.of(Invariant.SUPERSEDED_NOT_FAILED);
            // Issue 13: Commit sent at a majority of YES, before a promotion has every vote: a member commits it.
            case COMMIT_BEFORE_DECISION -> Set.of(Invariant.SAFETY_ASYMMETRY, Invariant.ATOMICITY, Invariant.CONFIRMED,
                    Invariant.AGREEMENT);
            // Issue 13's group commit: a YES (or a Commit, an apply) out before the record it waited for is durable.
            case GROUP_FAILURE_KEEPS_SENDS, GROUP_RELEASED_BEFORE_FSYNC -> Set.of(Invariant.DURABLE_BEFORE_VISIBLE);
            // Issue 13: a promotion committed on a majority once the lowerings' grace ran out.
            case GRACE_FOR_PROMOTIONS -> Set.of(Invariant.SAFETY_ASYMMETRY);
            // Disk loss (forced on for them): a wiped node's vote may elect a coordinator behind a committed version.
            // Both were first caught at seed 7645 by LIVENESS (node-b kept a committed version 2 the elected coordinator,
            // at 1, lacked); since safety (4b, 4c) and group commit AMNESIAC_VOTES_AT_ONCE is still first caught at seed 7645, and
            // VOTE_FOR_CANDIDATE_BEHIND_REPORTED_COMMIT only with 4b and 4c off too (see the test below).
            // Since session 6 the operator watches its rollback: at 7645 node-b, back with its committed version 2 after the
            // coordinator elected at version 1 had answered the rollback "already at 0%", shows the canary up (ROLLBACK_BOUND).
            case AMNESIAC_VOTES_AT_ONCE, VOTE_FOR_CANDIDATE_BEHIND_REPORTED_COMMIT -> Set.of(Invariant.AGREEMENT,
                    Invariant.DURABILITY, Invariant.CONFIRMED, Invariant.VALIDITY, Invariant.ROUTING_SAFETY, Invariant.LEASE,
                    Invariant.ATOMICITY, Invariant.LIVENESS, Invariant.ROLLBACK_BOUND);
            // Disk loss (forced on): a wiped voter elects a candidate without the promise a peer holds and reported,
            // whose recovery round proposes another state under that version (seeds 334040, 375153).
            // (with RECOVERY_IGNORES_REFUSALS: see theReportedStateVoteRulesAreCaughtTogetherWithinTheCiSeedBudget)
            case VOTE_FOR_CANDIDATE_BEHIND_REPORTED_LOG -> Set.of(Invariant.AGREEMENT, Invariant.CONFIRMED,
                    Invariant.VALIDITY, Invariant.DURABILITY, Invariant.LEASE, Invariant.ROUTING_SAFETY, Invariant.ATOMICITY);
            // Alone not caught within the CI budget (4b covers it on the simulator's draws, and 4b's own lapse after
            // 5 election timeouts keeps elections live); planted with 4a and 4b off too, below.
            case RECOVERY_IGNORES_REFUSALS -> Set.of(Invariant.ROLLBACK_BOUND, Invariant.LIVENESS);
            // Disk loss (forced on): a wiped node joins a deposed coordinator's term, which it cannot fence.
            case AMNESIAC_JOINS_ANY_TERM -> Set.of(Invariant.AGREEMENT, Invariant.ATOMICITY, Invariant.CONFIRMED,
                    Invariant.LEASE, Invariant.VALIDITY, Invariant.DURABLE_BEFORE_VISIBLE);
            // Disk loss (forced on): a wiped voter gives its forgotten term to a second candidate.
            case ANY_NODE_STANDS_IN_ANY_TERM, AMNESIAC_STANDS_ON_FALLBACK -> Set.of(Invariant.LIVENESS, Invariant.VALIDITY, Invariant.AGREEMENT,
                    Invariant.DURABLE_BEFORE_VISIBLE, Invariant.CONFIRMED, Invariant.ATOMICITY);
            // Disk loss (forced on): a wiped node that crashed after adopting a term restarts as if it forgot nothing,
            // and its vote elects a candidate behind a promise only an unheard member holds (seed 3098018).
            case AMNESIA_FORGOTTEN_ON_RESTART -> Set.of(Invariant.AGREEMENT, Invariant.CONFIRMED, Invariant.VALIDITY,
                    Invariant.DURABILITY, Invariant.LEASE, Invariant.ROUTING_SAFETY, Invariant.ATOMICITY, Invariant.LIVENESS);
            // Disk loss (forced on): a wiped node restarted after its amnesia ended, before its recovery ran its course,
            // comes back as if it lost nothing and elects (or is) a coordinator without a commit only an unheard member
            // holds (seeds 9209848, 9420412, session 7): that coordinator serves an older state (LEASE), proposes
            // another state under the version, or never gets its rollback past the holder's NO.
            case RECOVERY_FORGOTTEN_ON_RESTART -> Set.of(Invariant.LEASE, Invariant.ROLLBACK_BOUND, Invariant.AGREEMENT,
                    Invariant.CONFIRMED, Invariant.VALIDITY, Invariant.DURABILITY, Invariant.ROUTING_SAFETY,
                    Invariant.ATOMICITY, Invariant.LIVENESS);
            // Disk loss (forced on): a wiped coordinator, elected again, runs a resent PROMOTE it had run before its loss.
            case FORWARD_RUNS_IN_ANY_TERM -> Set.of(Invariant.AT_MOST_ONCE);
            // Disk loss (forced on): the old timer fallback takes a paused holder for lost, and a wiped node's vote elects
            // a candidate behind the record only that holder and the lost copy held (seeds 3017518, 3093511, session 6).
            // Disk loss (forced on): a state learned while amnesiac (a sync) ends amnesia at a restart, and the crashed wiped
            // node comes back voting in a term whose coordinator it cannot fence (seed 7000049, session 6's ?heard rule).
            case AMNESIA_ENDED_BY_A_LEARNED_STATE -> Set.of(Invariant.LEASE, Invariant.CONFIRMED, Invariant.VALIDITY,
                    Invariant.AGREEMENT, Invariant.ATOMICITY, Invariant.DURABILITY, Invariant.ROUTING_SAFETY, Invariant.LIVENESS,
                    Invariant.DURABLE_BEFORE_VISIBLE);
            case AMNESIA_FALLBACK_ON_TIMER -> Set.of(Invariant.LEASE, Invariant.CONFIRMED, Invariant.VALIDITY, Invariant.AGREEMENT,
                    Invariant.ATOMICITY, Invariant.DURABILITY, Invariant.ROUTING_SAFETY, Invariant.LIVENESS,
                    Invariant.DURABLE_BEFORE_VISIBLE);
            // Disk loss (forced on): a wiped candidate elects itself behind a commit a paused holder reported (seed 9437954,
            // session 7): it serves the state that commit replaced (LEASE), then proposes another state under its version.
            case CANDIDATE_IGNORES_REPORTED_COMMIT -> Set.of(Invariant.LEASE, Invariant.CONFIRMED, Invariant.AGREEMENT,
                    Invariant.VALIDITY, Invariant.ROUTING_SAFETY, Invariant.ROLLBACK_BOUND);
            // Session 8, limit (e) closed. The lapse: a wiped node takes a holder it heard once and that then paused for
            // longer than 5 election timeouts as lost, and elects itself without that holder's promise (seed 12000001).
            case RECORDED_REPORTS_LAPSE -> Set.of(Invariant.LEASE, Invariant.CONFIRMED, Invariant.AGREEMENT,
                    Invariant.VALIDITY, Invariant.ROUTING_SAFETY);
            // Without the relay, a recovering node waits for a holder that never answers: no election, no rollback.
            case RELAYED_PROMISES_IGNORED -> Set.of(Invariant.ROLLBACK_BOUND, Invariant.LIVENESS);
            // A candidate with a relayed promise beyond its reach re-drives an older version and then proposes another
            // state under the promise's version.
            case RELAYED_PROMISE_GAP_IGNORED -> Set.of(Invariant.LEASE, Invariant.CONFIRMED, Invariant.AGREEMENT,
                    Invariant.VALIDITY, Invariant.ROUTING_SAFETY);
            // A recovering node takes a promise of a version it committed, re-logged in a later term, for newer: it refuses
            // itself and every candidate while the reporter cannot win (its disk fails): no election, no rollback.
            case COMMIT_DOES_NOT_COVER_REPORTS -> Set.of(Invariant.ROLLBACK_BOUND, Invariant.LIVENESS);
        };
    }

    @ParameterizedTest
    @EnumSource(value = Bug.class, mode = EnumSource.Mode.EXCLUDE,
            names = {"VOTE_FOR_CANDIDATE_BEHIND_REPORTED_COMMIT", "VOTE_FOR_CANDIDATE_BEHIND_REPORTED_LOG", "RECOVERY_IGNORES_REFUSALS",
                "AMNESIAC_JOINS_ANY_TERM", "ANY_NODE_STANDS_IN_ANY_TERM", "AMNESIAC_STANDS_ON_FALLBACK",
                // Session 6: rarer than one in 10,000 seeds; proven at the seeds it was found on, below.
                "FORWARD_RUNS_IN_ANY_TERM",
                // Not caught in the CI budget (a wiped node must crash again after adopting a term, before it heard
                // every member): proven by ElectionsTest's restarted-amnesiac case.
                "AMNESIA_FORGOTTEN_ON_RESTART",
                // Session 6: the fallback's losses are rarer than one in 10,000 seeds; caught at the seeds it was found on.
                "AMNESIA_FALLBACK_ON_TIMER",
                // Session 7: ?heard's rule inverted; its loss needs a wiped node to learn a state while amnesiac and crash
                // again before it heard every member: caught at the seed it was found on, and by ElectionsTest.
                "AMNESIA_ENDED_BY_A_LEARNED_STATE",
                // Session 7: rarer than one in 10,000 seeds (main, without the rule, passes the CI budget; its losses were found by
                // the lead's searches of 45,000-60,000 seeds with disk loss); caught at those seeds, below.
                "RECOVERY_FORGOTTEN_ON_RESTART",
                // Session 7: not caught in the 10,000 CI seeds; caught at the seed it was found on, below.
                "CANDIDATE_IGNORES_REPORTED_COMMIT",
                // Session 8 (limit (e) closed): rarer than one in 10,000 seeds; caught at the seeds they were found on, below.
                "RECORDED_REPORTS_LAPSE", "RELAYED_PROMISES_IGNORED", "RELAYED_PROMISE_GAP_IGNORED",
                // Session 10: found at seed 18140443 by a search of 150,000; caught there, below.
                "COMMIT_DOES_NOT_COVER_REPORTS"})
    void eachPlantedBugIsCaughtWithinTheCiSeedBudget(Bug bug) {
        // Ballot ownership makes a forgotten vote harmless on its own (a voter can only give a term to its owner, and
        // twice to it is once): FORGET_VOTE_ON_RESTART is planted with ownership off (first caught at seed 11, ATOMICITY).
        Set<Bug> bugs = bug == Bug.FORGET_VOTE_ON_RESTART ? Set.of(bug, Bug.ANY_NODE_STANDS_IN_ANY_TERM) : Set.of(bug);
        SimRunner.Batch batch = SimRunner.run(1, SimulationTest.CI_SEEDS, seed -> SimParams.of(seed).withBugs(bugs), true);
        SimResult caught = batch.firstFailure();
        assertThat(caught).as(bug + " was not caught in " + SimulationTest.CI_SEEDS + " seeds").isNotNull();
        assertThat(caught.violated()).as(caught.report()).isIn(expected(bug));
        System.out.println(bug + " caught by " + caught.violated() + " at seed " + caught.params().seed() + " ("
                + batch.stats().runs() + " runs, " + batch.wallMillis() + " ms): " + caught.message());
    }

    /**
     * Safety (4a), (4b) and (4c) (ARCHITECTURE.md) cover for each other on what the simulator draws: with
     * any one of the two vote rules off alone ({@code VOTE_FOR_CANDIDATE_BEHIND_REPORTED_COMMIT}: 4a, caught
     * at seed 7645 before 4b and 4c existed; {@code VOTE_FOR_CANDIDATE_BEHIND_REPORTED_LOG}: 4b) no seed of
     * the CI budget fails, for the candidates also take the newer state from the refusals they hear (4c).
     * With all three off, a wiped voter's vote elects a coordinator without the newest state. Until session 10
     * the CI budget caught it (first at seed 2794: five members, a rollback that never commits), but that run's
     * disk loss took copies whose majority rested on a member already lost for good, a loss beyond what the
     * protocol promises, which the simulator's budget now leaves out ({@code DiskLossBudget.restsOnThisCopy}).
     * The first seed that fails since (a search of 10,001..70,000) is 31156: three members, CONFIRMED (a caller
     * told version 3 committed as one state, another coordinator committing a different version 3). Each vote
     * rule alone, and (4c), are proven by ElectionsTest.
     */
    @Test
    void theReportedStateVoteRulesAreCaughtTogetherAtTheSeedTheyFailOn() {
        Set<Bug> bugs = Set.of(Bug.VOTE_FOR_CANDIDATE_BEHIND_REPORTED_COMMIT, Bug.VOTE_FOR_CANDIDATE_BEHIND_REPORTED_LOG,
                Bug.RECOVERY_IGNORES_REFUSALS);
        SimResult result = new Simulation(SimParams.of(31156).withBugs(bugs)).run();
        assertThat(result.passed()).as(bugs + " at seed 31156").isFalse();
        Set<Invariant> consequences = new java.util.HashSet<>(expected(Bug.VOTE_FOR_CANDIDATE_BEHIND_REPORTED_LOG));
        consequences.addAll(Set.of(Invariant.ROLLBACK_BOUND, Invariant.LIVENESS));
        assertThat(result.violated()).as(result.report()).isIn(consequences);
    }

    /**
     * Session 5's disk-loss rules (ARCHITECTURE, safety (5)): the losses they close are rarer than one in 10,000 seeds
     * of the CI fault set (found by searches of 50,000-100,000 seeds), so each rule's planted inversion is proven at the
     * seeds it was found on (each passes with the rule, see RegressionSeedsTest), and by ElectionsTest on one node.
     */
    @ParameterizedTest(name = "{0} caught at seed {1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "AMNESIAC_JOINS_ANY_TERM | 3034026",
        "AMNESIAC_JOINS_ANY_TERM | 3035498",
        // Since session 6 these double votes also need the timer fallback (the wiped voter voted on it), planted too.
        "ANY_NODE_STANDS_IN_ANY_TERM+AMNESIA_FALLBACK_ON_TIMER | 546013",
        "ANY_NODE_STANDS_IN_ANY_TERM+AMNESIA_FALLBACK_ON_TIMER | 57187",
        "ANY_NODE_STANDS_IN_ANY_TERM+AMNESIA_FALLBACK_ON_TIMER | 1001667",
        // Since session 6 there is no timer fallback to stand on: the stand rule's inversion shows with the fallback planted too.
        "AMNESIAC_STANDS_ON_FALLBACK+AMNESIA_FALLBACK_ON_TIMER | 3015087",
        // Session 6: the timer fallback itself (a wiped node takes a paused holder for lost), at the seeds of its class.
        "AMNESIA_FALLBACK_ON_TIMER | 3017518",
        "AMNESIA_FALLBACK_ON_TIMER | 3093511",
        "AMNESIA_FALLBACK_ON_TIMER | 575921",
        // Since session 7 the wiped candidate at 3098018 also refuses itself behind the commit node-a reported (4a on
        // its own vote): the fallback's consequence there shows with that rule planted off too.
        "AMNESIA_FALLBACK_ON_TIMER+CANDIDATE_IGNORES_REPORTED_COMMIT | 3098018",
        // Session 7: the ?heard rule of session 6 (a restart whose current vote is "?" is amnesiac whatever the log holds).
        "AMNESIA_ENDED_BY_A_LEARNED_STATE | 7000049",
        // Session 8, limit (e): the lapse of sessions 4-7 (a holder heard once and paused 7.9 s taken as lost) fails the
        // seed it was found on exactly as it did on main; without the relay a recovering node waits for a crash-looping
        // holder (6696, the seed the lapse was made for); and a relayed promise beyond a candidate's reach is the
        // fork the gap rule stops (12000001: a v3 proposed over the decided v3 only the paused holder kept).
        "RECORDED_REPORTS_LAPSE | 12000001",
        "RELAYED_PROMISES_IGNORED | 6696",
        "RELAYED_PROMISE_GAP_IGNORED | 12000001",
        // Session 10: a recovering node's commit covers reports of promises at or below its version (found by a search
        // with diskLossOneIn=1; fails the same way with disk loss off: the node was amnesiac from a crash before its
        // first term, not from a lost disk).
        "COMMIT_DOES_NOT_COVER_REPORTS | 18140443",
    })
    void eachDiskLossRuleOfSessionFiveIsCaughtAtTheSeedItWasFoundOn(String bugNames, long seed) {
        Set<Bug> bugs = java.util.Arrays.stream(bugNames.split("\\+")).map(Bug::valueOf).collect(java.util.stream.Collectors.toSet());
        Bug bug = Bug.valueOf(bugNames.split("\\+")[0]);
        SimResult result = new Simulation(SimParams.of(seed).withBugs(bugs)).run();
        assertThat(result.passed()).as(bugs + " at seed " + seed).isFalse();
        assertThat(result.violated()).as(result.report()).isIn(expected(bug));
    }

    /**
     * Session 6's at-most-once rule (ARCHITECTURE, safety (6)): a forwarded command that is not safe to run twice runs
     * only in the term it was first sent in; session 7's durable recovery (safety (5)): a wiped node restarted before its
     * recovery ran its course is amnesiac again; and session 7's (4a) on a candidate's own vote. Each inversion is caught
     * at the seeds it was found on (each passes with the rule, see RegressionSeedsTest); ForwarderTest and ElectionsTest
     * prove the rules on one node.
     */
    @ParameterizedTest(name = "{0} caught at seed {1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "FORWARD_RUNS_IN_ANY_TERM | 3071551",
        "FORWARD_RUNS_IN_ANY_TERM | 6024066",
        // Session 7: a wiped node's recovery survives its restarts (ARCHITECTURE, safety (5)).
        // Since (4a) on the candidate's own vote (seeds7a) covers both seeds as well (the wiped node had heard the holder's
        // commit), each shows with that rule planted off too.
        "RECOVERY_FORGOTTEN_ON_RESTART+CANDIDATE_IGNORES_REPORTED_COMMIT | 9209848",
        "RECOVERY_FORGOTTEN_ON_RESTART+CANDIDATE_IGNORES_REPORTED_COMMIT | 9420412",
        "RECOVERY_FORGOTTEN_ON_RESTART | 14051001",
        // Session 7 (ARCHITECTURE, safety (4a) on the candidate's own vote): not caught in the CI budget either.
        // Since session 8's reports without lapse cover both seeds as well (the wiped voter still heeds the holder's
        // report), each shows with that rule planted off too.
        "CANDIDATE_IGNORES_REPORTED_COMMIT+RECORDED_REPORTS_LAPSE | 9437954",
        "CANDIDATE_IGNORES_REPORTED_COMMIT+RECORDED_REPORTS_LAPSE | 8036954",
    })
    void eachDiskLossRuleOfSessionsSixAndSevenIsCaughtAtTheSeedItWasFoundOn(String bugNames, long seed) {
        Set<Bug> bugs = java.util.Arrays.stream(bugNames.split("\\+")).map(Bug::valueOf).collect(java.util.stream.Collectors.toSet());
        Bug bug = Bug.valueOf(bugNames.split("\\+")[0]);
        SimResult result = new Simulation(SimParams.of(seed).withBugs(bugs)).run();
        assertThat(result.passed()).as(bugs + " at seed " + seed).isFalse();
        assertThat(result.violated()).as(result.report()).isIn(expected(bug));
    }

    /**
     * The same bugs with the direct fsync-ordering check switched off: their consequences (two
     * nodes disagreeing, a commit forgotten after a crash, a transaction both committed and
     * aborted) must be caught by the end-to-end invariants as well. (VOTE_YES_BEFORE_FSYNC is not
     * here: in this protocol a participant never decides on its own and always accepts a Commit,
     * so a lost PREPARED has no visible consequence; only the direct check catches it.)
     */
    @ParameterizedTest
    @EnumSource(value = Bug.class, names = {"COMMIT_DECISION_NOT_DURABLE"})
    void durabilityBugsAreCaughtByTheirConsequencesToo(Bug bug) {
        SimRunner.Batch batch = SimRunner.run(1, SimulationTest.CI_SEEDS,
                seed -> SimParams.of(seed).withBugs(Set.of(bug)).withDurableBeforeVisibleCheck(false), true);
        SimResult caught = batch.firstFailure();
        assertThat(caught).as(bug + " was not caught by its consequences in " + SimulationTest.CI_SEEDS + " seeds").isNotNull();
        assertThat(caught.violated()).as(caught.report()).isIn(expected(bug)).isNotEqualTo(Invariant.DURABLE_BEFORE_VISIBLE);
        System.out.println(bug + " (no fsync-order check) caught by " + caught.violated() + " at seed "
                + caught.params().seed() + " (" + batch.stats().runs() + " runs, " + batch.wallMillis() + " ms): " + caught.message());
    }

    /** The bugs planted in the protocol classes are caught with the real node runtime around them too. */
    @ParameterizedTest
    @EnumSource(value = Bug.class, names = {"PROMOTION_WAITS_ONLY_FOR_REACHABLE", "SERVE_WITHOUT_LEASE"})
    void protocolBugsAreCaughtUnderTheRealNodeRuntime(Bug bug) {
        SimRunner.Batch batch = SimRunner.run(1, SimulationTest.RUNTIME_SEEDS,
                seed -> SimParams.of(seed).withMode(SimParams.Mode.RUNTIME).withBugs(Set.of(bug)), true);
        SimResult caught = batch.firstFailure();
        assertThat(caught).as(bug + " was not caught in " + SimulationTest.RUNTIME_SEEDS + " runtime seeds").isNotNull();
        assertThat(caught.violated()).as(caught.report()).isIn(expected(bug));
        System.out.println(bug + " (node runtime) caught by " + caught.violated() + " at seed " + caught.params().seed()
                + ": " + caught.message());
    }
}
