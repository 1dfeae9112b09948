package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.CanaryNode;
import io.canary.NodeConfig;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.rollout.JudgeKind;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A wall-clock step (NTP, an operator, a VM restored from a snapshot) changes nothing a rollout
 * measures: the rollout engine and the health windows run on {@link io.canary.time.SteadyClock}
 * (the wall clock at start plus monotonic time), so a step back neither stretches a pause nor
 * stalls a rollback's retries by the length of the step, and a step forward ends nothing early.
 * Default {@code LocalCluster} timings, virtual time; every node shares the stepped clock.
 */
class RolloutWallClockStepTest {
    private static final Duration STEP = Duration.ofSeconds(10);
    private static final Duration MAX_PAUSE = Duration.ofMinutes(2);

    private LocalCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            assertThat(cluster.failures()).as("protocol tasks that threw").isEmpty();
            cluster.close();
        }
    }

    private void start(double canaryErrors) {
        NodeConfig config = NodeConfig.from(LocalCluster.DEFAULT_CONFIG).maxPause(MAX_PAUSE).build();
        cluster = LocalCluster.builder().nodes(3).config(config).build();
        assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(5))).isTrue();
        new SimulatedTraffic(cluster, 20, Duration.ofMillis(100), 7).model("v1", 100, 0.01).model("v2", 100, canaryErrors).start();
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").judge(JudgeKind.THRESHOLD).stepInterval(STEP).minRequests(100).build();
        await(cluster.node("node-b").startRollout(plan));
    }

    private RoutingState await(CompletableFuture<RoutingState> f) {
        assertThat(cluster.advanceUntil(f::isDone, Duration.ofSeconds(10))).as("request finished").isTrue();
        try {
            return f.get();
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("request failed: " + e.getCause().getMessage(), e);
        }
    }

    private boolean everyNodeIn(Phase phase) {
        return cluster.nodes().stream().allMatch(n -> n.state().rollout().phase() == phase);
    }

    @Test
    void aStepBackOfAnHourDoesNotStretchAPauseByAnHour() {
        start(0.01);
        await(cluster.node("node-a").controlRollout(RolloutAction.PAUSE));
        cluster.scheduler().stepWallClock(Duration.ofHours(-1));
        cluster.advanceUntil(() -> false, MAX_PAUSE.minusSeconds(2));
        assertThat(everyNodeIn(Phase.PAUSED)).isTrue();
        assertThat(cluster.advanceUntil(() -> everyNodeIn(Phase.ABORTED), Duration.ofSeconds(6)))
                .as("aborted at the maximum pause, not an hour later").isTrue();
        for (CanaryNode n : cluster.nodes()) {
            assertThat(n.route("user-1")).as(n.id()).isEqualTo("v1");
            assertThat(n.state().weights().share("v1")).isEqualTo(1.0);
        }
    }

    @Test
    void aStepForwardOfAnHourDoesNotEndAPauseEarly() {
        start(0.01);
        await(cluster.node("node-a").controlRollout(RolloutAction.PAUSE));
        cluster.scheduler().stepWallClock(Duration.ofHours(1));
        cluster.advanceUntil(() -> false, MAX_PAUSE.minusSeconds(2));
        assertThat(everyNodeIn(Phase.PAUSED)).as("still paused: only %s of the %s maximum passed; node-b: %s",
                MAX_PAUSE.minusSeconds(2), MAX_PAUSE, cluster.node("node-b").state().rollout()).isTrue();
        assertThat(cluster.node("node-c").state().weights().share("v2")).isPositive();
    }

    @Test
    void aFailingCanaryIsStillRolledBackEverywhereAfterAStepBack() {
        start(0.5);
        cluster.scheduler().stepWallClock(Duration.ofHours(-1));
        assertThat(cluster.advanceUntil(() -> everyNodeIn(Phase.ROLLED_BACK), STEP.multipliedBy(4)))
                .as("rolled back within a few analysis intervals").isTrue();
        for (CanaryNode n : cluster.nodes()) {
            assertThat(n.route("user-2")).as(n.id()).isEqualTo("v1");
        }
    }
}
