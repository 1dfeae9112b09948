package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.CanaryNode;
import io.canary.RolloutStatus;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import io.canary.rollout.Verdict.Decision;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The default, sequential judge on a 3-node {@link LocalCluster} with 200 req/s per node, in
 * virtual time: analysed at every health exchange on the step's cumulative evidence from every node.
 */
class ContinuousAnalysisTest extends RolloutClusterFixture {
    private void startCluster(double canaryErrorRate) {
        startCluster(canaryErrorRate, 42);
    }

    private boolean everyNodeAt(int percent) {
        return cluster.nodes().stream().allMatch(n -> n.state().rollout().currentPercent() == percent);
    }

    @Test
    void aCanaryFailingFivePointsMoreIsRolledBackOnEveryNodeWithinSecondsAndEveryNodeSaysWhy() {
        startCluster(0.06);
        await(cluster.node("node-c").startRollout(RolloutPlan.builder("v1", "v2").build()));
        long started = cluster.scheduler().nowMillis();
        assertThat(cluster.advanceUntil(() -> everyNodeIn(Phase.ROLLED_BACK), Duration.ofSeconds(60))).isTrue();
        long took = cluster.scheduler().nowMillis() - started;
        assertThat(took).as("ms from start to 0%% everywhere").isLessThan(45_000);
        for (CanaryNode n : cluster.nodes()) {
            assertThat(n.state().weights().share("v2")).isZero();
            assertThat(n.route("user-7")).isEqualTo("v1");
        }
        cluster.advance(Duration.ofSeconds(1));
        RolloutStatus atB = cluster.node("node-b").rolloutStatus();
        assertThat(atB.verdicts()).extracting(Verdict::decision).containsExactly(Decision.ROLLBACK);
        assertThat(atB.verdicts().get(0).reason()).startsWith("canary error rate").contains("worse beyond the rollback margin")
                .contains("evidence 1/alpha reached after");
        // node-b never routed more than the first step's 5% to the canary, and ended at 0
        assertThat(percentsAtB).containsSubsequence(5, 0).allMatch(p -> p <= 5);
        assertThat(percentsAtB.get(percentsAtB.size() - 1)).isZero();
    }

    @Test
    void aHealthyCanaryIsPromotedStepByStepAndTheCoordinatorShowsItsLatestAnalysis() {
        startCluster(0.01);
        await(cluster.node("node-a").startRollout(RolloutPlan.builder("v1", "v2").build()));
        cluster.advance(Duration.ofSeconds(10));
        RolloutStatus status = cluster.node("node-a").rolloutStatus();
        assertThat(status.analysis()).hasValueSatisfying(v -> assertThat(v.reason()).isNotBlank());
        assertThat(cluster.node("node-b").rolloutStatus().analysis()).isEmpty();
        assertThat(cluster.advanceUntil(() -> everyNodeIn(Phase.COMPLETED), Duration.ofMinutes(40))).isTrue();
        assertThat(percentsAtB).containsExactly(5, 25, 50, 100);
        List<Verdict> verdicts = cluster.node("node-c").rolloutStatus().verdicts();
        assertThat(verdicts).extracting(Verdict::decision).contains(Decision.PROMOTE).doesNotContain(Decision.ROLLBACK);
    }

    @Test
    void aCanaryThatBreaksAfterAPromotionIsRolledBackFromTheStepItReached() {
        startCluster(0.01);
        await(cluster.node("node-a").startRollout(RolloutPlan.builder("v1", "v2").build()));
        assertThat(cluster.advanceUntil(() -> everyNodeAt(25), Duration.ofMinutes(20))).isTrue();
        traffic.model("v2", 100, 0.06);
        long broke = cluster.scheduler().nowMillis();
        assertThat(cluster.advanceUntil(() -> everyNodeIn(Phase.ROLLED_BACK), Duration.ofSeconds(60))).isTrue();
        assertThat(cluster.scheduler().nowMillis() - broke).isLessThan(30_000);
        assertThat(cluster.node("node-a").state().rollout().stepIndex()).isEqualTo(1);
    }

    @Test
    void aCoordinatorRestartMidStepKeepsTheStepItsClockAndItsEvidenceAndStillRollsABadCanaryBack() {
        startCluster(0.01);
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").build();
        await(cluster.node("node-a").startRollout(plan));
        assertThat(cluster.advanceUntil(() -> everyNodeAt(25), Duration.ofMinutes(20))).isTrue();
        long stepStart = cluster.node("node-a").state().rollout().stepStartedAt();
        cluster.advance(Duration.ofSeconds(5));
        cluster.crash("node-a");
        cluster.advance(Duration.ofSeconds(2));
        CanaryNode restarted = cluster.restart("node-a");
        assertThat(cluster.advanceUntil(restarted::isReady, Duration.ofSeconds(10))).isTrue();
        assertThat(restarted.state().rollout().currentPercent()).isEqualTo(25);
        assertThat(restarted.state().rollout().stepStartedAt()).isEqualTo(stepStart);
        assertThat(restarted.rolloutStatus().plan()).contains(plan);
        traffic.model("v2", 100, 0.08);
        assertThat(cluster.advanceUntil(() -> everyNodeIn(Phase.ROLLED_BACK), Duration.ofSeconds(60)))
                .as("rolled back by the restarted coordinator: %s", restarted.state().rollout()).isTrue();
    }
}
