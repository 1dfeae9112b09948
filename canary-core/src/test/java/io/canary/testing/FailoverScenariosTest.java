package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.CanaryNode;
import io.canary.CoordinationStatus;
import io.canary.NodeConfig;
import io.canary.log.LogRecord;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutPlan;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fault scenarios of issue 10 ("Protocol v2"), each on a three-node {@link LocalCluster} with
 * the DEFAULT {@link NodeConfig} (heartbeat 200 ms, peer timeout 1 s, election timeout 1.5 s plus
 * 500 ms per rank, lease 3 s, prepare timeout 2 s), asserting what a user sees: the share
 * {@code route()} gives, the committed state, readiness, and the time it took (virtual time).
 */
class FailoverScenariosTest {
    private static final NodeConfig DEFAULTS = NodeConfig.ofDefaults();
    private static final Weights CANARY_25 = Weights.split("v1", "v2", 25);
    private static final Weights ROLLBACK = Weights.split("v1", "v2", 0);
    /** Bound on a rollback's answer when a member cannot take part: the prepare timeout and a round trip. */
    private static final Duration ROLLBACK_BOUND = Duration.ofMillis(2_500);
    /** Bound on failover: the successor's election timeout, one stagger, a few heartbeats of slack. */
    private static final Duration FAILOVER_BOUND = Duration.ofSeconds(3);

    private LocalCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            assertThat(cluster.failures()).as("protocol tasks that threw").isEmpty();
            cluster.close();
        }
    }

    private void startAt25Percent() {
        cluster = LocalCluster.builder().nodes(3).config(DEFAULTS).build();
        assertThat(cluster.advanceUntil(() -> cluster.node("node-a").isCoordinator() && cluster.allReady(),
                Duration.ofSeconds(5))).as("node-a elected at a fresh start, every node ready").isTrue();
        RoutingState at25 = await(cluster.node("node-a").proposeWeights(CANARY_25), Duration.ofSeconds(3));
        assertThat(cluster.advanceUntil(() -> everyNodeOn(at25), Duration.ofSeconds(2))).isTrue();
        assertThat(routed(cluster.node("node-c"))).containsExactlyInAnyOrder("v1", "v2");
    }

    @Test
    void aRollbackCommitsDespiteAOneWayCutFromTheCoordinatorToNodeC() {
        startAt25Percent();
        // node-c's heartbeats still reach node-a, but nothing of node-a's reaches node-c.
        cluster.network().cut("node-a", "node-c");
        cluster.advance(Duration.ofSeconds(2));
        long t0 = now();
        CompletableFuture<RoutingState> rollback = cluster.node("node-b").proposeWeights(ROLLBACK);
        RoutingState done = await(rollback, ROLLBACK_BOUND);
        assertThat(done.weights()).isEqualTo(ROLLBACK);
        report("rollback with a one-way cut coordinator->node-c", now() - t0);
        assertThat(now() - t0).as("a one-way link vetoes nothing: node-c is not reachable both ways").isLessThan(500);
        assertThat(routed(cluster.node("node-a"))).containsOnly("v1");
        assertThat(routed(cluster.node("node-b"))).containsOnly("v1");
        // node-c hears nobody backed by a majority: within the lease it routes the baseline, and says so.
        assertThat(cluster.advanceUntil(() -> cluster.node("node-c").coordination().failSafe(), DEFAULTS.leaseTimeout()))
                .isTrue();
        assertThat(routed(cluster.node("node-c"))).containsOnly("v1");
        assertThat(cluster.node("node-c").isReady()).isFalse();

        cluster.heal();
        assertThat(cluster.advanceUntil(() -> everyNodeOn(done) && cluster.allReady(), Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void aRollbackCommitsWhileNodeCsDiskFails() {
        startAt25Percent();
        cluster.log("node-c").failAppends(true);
        long t0 = now();
        RoutingState done = await(cluster.node("node-b").proposeWeights(ROLLBACK), ROLLBACK_BOUND);
        assertThat(done.weights()).isEqualTo(ROLLBACK);
        report("rollback with node-c's disk failing", now() - t0);
        assertThat(now() - t0).as("'cannot write its state log' is about node-c, not the change").isLessThan(500);
        assertThat(routed(cluster.node("node-a"))).containsOnly("v1");
        assertThat(routed(cluster.node("node-b"))).containsOnly("v1");
        // node-c cannot log the commit either: it stops, and a stopped node never routes the canary.
        assertThat(cluster.advanceUntil(() -> routed(cluster.node("node-c")).equals(Set.of("v1")), Duration.ofSeconds(1)))
                .isTrue();
        assertThat(cluster.node("node-c").isReady()).isFalse();

        cluster.log("node-c").failAppends(false);
        cluster.restart("node-c");
        assertThat(cluster.advanceUntil(() -> everyNodeOn(done) && cluster.allReady(), Duration.ofSeconds(5)))
                .as("%s", cluster.nodes().stream().map(n -> n.id() + " " + n.state().version() + " " + n.coordination()
                        + " ready=" + n.isReady()).toList()).isTrue();
    }

    @Test
    void aRollbackOneSecondAfterAParticipantCrashCommits() {
        startAt25Percent();
        cluster.crash("node-c");
        cluster.advance(Duration.ofSeconds(1));
        long t0 = now();
        RoutingState done = await(cluster.node("node-b").proposeWeights(ROLLBACK), ROLLBACK_BOUND);
        assertThat(done.weights()).isEqualTo(ROLLBACK);
        report("rollback 1 s after a participant crash", now() - t0);
        assertThat(now() - t0).as("at most the prepare timeout").isLessThanOrEqualTo(DEFAULTS.prepareTimeout().toMillis() + 100);
        assertThat(routed(cluster.node("node-a"))).containsOnly("v1");
        assertThat(routed(cluster.node("node-b"))).containsOnly("v1");

        cluster.restart("node-c");
        assertThat(routed(cluster.node("node-c"))).as("restarted, not yet current: fail-safe").containsOnly("v1");
        assertThat(cluster.advanceUntil(() -> everyNodeOn(done) && cluster.allReady(), Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void losingTheCoordinatorForGoodDuringAFailingRolloutTheOthersElectASuccessorThatRollsItBack() {
        cluster = LocalCluster.builder().nodes(3).config(DEFAULTS).build();
        assertThat(cluster.advanceUntil(() -> cluster.node("node-a").isCoordinator() && cluster.allReady(),
                Duration.ofSeconds(5))).isTrue();
        SimulatedTraffic traffic = new SimulatedTraffic(cluster, 20, Duration.ofMillis(100), 7)
                .model("v1", 100, 0.01).model("v2", 100, 0.01).start();
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").steps(List.of(5, 25, 50, 100))
                .stepInterval(Duration.ofSeconds(10)).minRequests(100).build();
        await(cluster.node("node-b").startRollout(plan), Duration.ofSeconds(3));
        // the sequential judge promotes a healthy 5% step once the evidence shows it within the margins (minutes)
        assertThat(cluster.advanceUntil(() -> cluster.node("node-b").state().rollout().currentPercent() == 25,
                Duration.ofMinutes(20))).isTrue();
        traffic.model("v2", 100, 0.5); // the canary now fails half its requests

        long t0 = now();
        cluster.crash("node-a"); // and never comes back
        assertThat(cluster.advanceUntil(() -> coordinatorOtherThan("node-a"), FAILOVER_BOUND))
                .as("a successor within %s", FAILOVER_BOUND).isTrue();
        long failover = now() - t0;
        report("failover after losing node-a (successor elected, recovery round done)", failover);
        CanaryNode successor = cluster.node("node-b");
        CoordinationStatus status = successor.coordination();
        assertThat(status.coordinator()).contains("node-b");
        assertThat(status.term()).as("a new term").isGreaterThan(1);
        assertThat(cluster.node("node-c").coordination().coordinator()).contains("node-b");
        // The successor took the rollout over from the committed state and rolls the failing canary back.
        assertThat(cluster.advanceUntil(() -> cluster.node("node-b").state().rollout().phase() == Phase.ROLLED_BACK
                && cluster.node("node-c").state().rollout().phase() == Phase.ROLLED_BACK, Duration.ofSeconds(60))).isTrue();
        report("failing canary rolled back by the successor after losing node-a", now() - t0);
        assertThat(routed(cluster.node("node-b"))).containsOnly("v1");
        assertThat(routed(cluster.node("node-c"))).containsOnly("v1");
        assertThat(failover).isLessThanOrEqualTo(FAILOVER_BOUND.toMillis());
        traffic.stop();
    }

    @Test
    void losingTheCoordinatorForGoodAManualAbortThroughASurvivorCommitsWithinTheFailoverBound() {
        startAt25Percent();
        cluster.crash("node-a");
        long t0 = now();
        CompletableFuture<RoutingState> abort = cluster.node("node-c").proposeWeights(ROLLBACK);
        RoutingState done = await(abort, FAILOVER_BOUND.plus(ROLLBACK_BOUND));
        assertThat(done.weights()).isEqualTo(ROLLBACK);
        report("rollback through a survivor right after losing the coordinator", now() - t0);
        assertThat(now() - t0).as("failover, then one commit round").isLessThanOrEqualTo(FAILOVER_BOUND.toMillis() + 500);
        assertThat(routed(cluster.node("node-b"))).containsOnly("v1");
        assertThat(cluster.advanceUntil(() -> routed(cluster.node("node-c")).equals(Set.of("v1")), Duration.ofMillis(500)))
                .isTrue();
        // node-a returns as a member and catches up.
        cluster.restart("node-a");
        assertThat(cluster.advanceUntil(() -> everyNodeOn(done) && cluster.allReady(), Duration.ofSeconds(5))).isTrue();
        assertThat(cluster.node("node-a").isCoordinator()).isFalse();
    }

    @Test
    void anIsolatedNodeGoesFailSafeSaysSoKeepsServingAndRecoversByItself() {
        startAt25Percent();
        long t0 = now();
        cluster.isolate("node-c");
        assertThat(cluster.advanceUntil(() -> cluster.node("node-c").coordination().failSafe(),
                DEFAULTS.leaseTimeout().plus(DEFAULTS.heartbeatInterval()))).isTrue();
        report("isolated node-c goes fail-safe", now() - t0);
        assertThat(now() - t0).isLessThanOrEqualTo(DEFAULTS.leaseTimeout().plus(DEFAULTS.heartbeatInterval()).toMillis());
        CanaryNode c = cluster.node("node-c");
        assertThat(routed(c)).as("the canary's share goes to the baseline").containsOnly("v1");
        assertThat(c.state().weights()).as("without a commit: the committed state stands").isEqualTo(CANARY_25);
        assertThat(c.isReady()).isFalse();
        assertThat(c.coordination().failSafeReason()).contains("majority");
        assertThat(routed(cluster.node("node-b"))).as("the majority side is unaffected").containsExactlyInAnyOrder("v1", "v2");

        // Meanwhile the majority rolls back; node-c must not serve the canary when it returns either.
        RoutingState done = await(cluster.node("node-b").proposeWeights(ROLLBACK), ROLLBACK_BOUND);
        cluster.heal();
        assertThat(cluster.advanceUntil(() -> everyNodeOn(done) && cluster.node("node-c").isReady(), Duration.ofSeconds(3)))
                .isTrue();
        assertThat(c.coordination().failSafe()).isFalse();
        assertThat(routed(c)).containsOnly("v1");
    }

    @Test
    void anEmptyDataDirOnTheCoordinatorNeitherForksNorReusesTransactionIdsAndARollbackReachesEveryMember() {
        startAt25Percent();
        RoutingState v3 = await(cluster.node("node-a").proposeWeights(Weights.split("v1", "v2", 30)), Duration.ofSeconds(3));
        assertThat(cluster.advanceUntil(() -> everyNodeOn(v3), Duration.ofSeconds(2))).isTrue();
        Set<Long> txIds = committedTxIds();
        cluster.crash("node-a");
        cluster.wipe("node-a");
        cluster.restart("node-a");
        assertFailsSafeUntilCurrentThenRollsBackEveryone(v3, txIds);
    }

    @Test
    void aTruncatedOrRestoredCoordinatorLogNeitherForksNorReusesTransactionIds() {
        startAt25Percent();
        List<LogRecord> early = cluster.log("node-a").records(); // a backup taken at 25%
        RoutingState v3 = await(cluster.node("node-a").proposeWeights(Weights.split("v1", "v2", 30)), Duration.ofSeconds(3));
        assertThat(cluster.advanceUntil(() -> everyNodeOn(v3), Duration.ofSeconds(2))).isTrue();
        Set<Long> txIds = committedTxIds();
        cluster.crash("node-a");
        cluster.restoreLog("node-a", early); // its newest records are gone (lying fsync, restored backup)
        CanaryNode a = cluster.restart("node-a");
        assertThat(a.state().version()).as("older than the cluster").isLessThan(v3.version());
        assertFailsSafeUntilCurrentThenRollsBackEveryone(v3, txIds);
    }

    @Test
    void wallClockStepsNeitherMakeADeadPeerLookAliveNorALivePeerLookDead() {
        startAt25Percent();
        cluster.crash("node-c");
        cluster.advance(Duration.ofMillis(1500));
        cluster.scheduler().stepWallClock(Duration.ofSeconds(-30)); // NTP sets the clock back
        cluster.advance(Duration.ofMillis(200));
        assertThat(cluster.node("node-a").cluster().stream().filter(p -> p.nodeId().equals("node-c")).findFirst()
                .orElseThrow().reachable()).as("a dead peer stays unreachable").isFalse();
        long t0 = now();
        RoutingState done = await(cluster.node("node-b").proposeWeights(ROLLBACK), ROLLBACK_BOUND);
        assertThat(now() - t0).as("no wait for the dead peer's vote").isLessThan(500);

        cluster.scheduler().stepWallClock(Duration.ofHours(1)); // and an hour forward
        cluster.advance(Duration.ofSeconds(5));
        assertThat(cluster.node("node-a").isCoordinator()).as("no election: node-a still coordinates").isTrue();
        assertThat(cluster.node("node-a").coordination().term()).isEqualTo(1);
        assertThat(cluster.node("node-b").coordination().failSafe()).isFalse();
        assertThat(routed(cluster.node("node-b"))).containsOnly("v1");
        assertThat(cluster.node("node-b").state()).isEqualTo(done);
    }

    private void assertFailsSafeUntilCurrentThenRollsBackEveryone(RoutingState newest, Set<Long> earlierTxIds) {
        CanaryNode a = cluster.node("node-a");
        assertThat(routed(a)).as("a node that does not know it is current serves no canary").containsOnly("v1");
        assertThat(a.isReady()).isFalse();
        assertThat(cluster.advanceUntil(() -> a.state().equals(newest) && a.isReady(), FAILOVER_BOUND)).isTrue();
        RoutingState done = await(a.proposeWeights(ROLLBACK), FAILOVER_BOUND.plus(ROLLBACK_BOUND));
        assertThat(done.version()).as("a new version, never a second state under an old one").isEqualTo(newest.version() + 1);
        assertThat(earlierTxIds).as("transaction ids are never reused").doesNotContain(done.txId());
        assertThat(cluster.advanceUntil(() -> everyNodeOn(done), Duration.ofSeconds(2))).isTrue();
        for (CanaryNode n : cluster.nodes()) {
            assertThat(routed(n)).as("%s really at 0%%", n.id()).containsOnly("v1");
        }
        Set<String> states = new HashSet<>();
        for (String id : cluster.ids()) {
            for (LogRecord r : cluster.log(id).records()) {
                if (r instanceof LogRecord.Committed c) {
                    states.add(c.state().version() + ":" + c.state().txId());
                }
            }
        }
        assertThat(states.stream().map(s -> s.substring(0, s.indexOf(':'))).distinct().count())
                .as("one state per version across every log: %s", states).isEqualTo(states.size());
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private static void report(String what, long millis) {
        System.out.println("[failover scenarios, default NodeConfig, virtual time] " + what + ": " + millis + " ms");
    }

    private long now() {
        return cluster.scheduler().monotonicMillis();
    }

    private boolean coordinatorOtherThan(String id) {
        return cluster.nodes().stream().anyMatch(n -> !n.id().equals(id) && n.isCoordinator());
    }

    private Set<Long> committedTxIds() {
        Set<Long> ids = new HashSet<>();
        for (String id : cluster.ids()) {
            for (LogRecord r : cluster.log(id).records()) {
                if (r instanceof LogRecord.Committed c) {
                    ids.add(c.state().txId());
                }
            }
        }
        return ids;
    }

    private boolean everyNodeOn(RoutingState state) {
        return ScenarioChecks.everyNodeOn(cluster, state);
    }

    private static Set<String> routed(CanaryNode node) {
        return ScenarioChecks.routed(node);
    }

    private RoutingState await(CompletableFuture<RoutingState> f, Duration max) {
        return ScenarioChecks.await(cluster, f, max);
    }
}
