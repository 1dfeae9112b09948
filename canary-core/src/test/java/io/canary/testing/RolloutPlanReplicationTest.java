package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.CanaryNode;
import io.canary.log.LogRecord;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.rollout.RolloutPlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rollout's plan is part of every committed state: every node knows it, whatever its log holds. */
class RolloutPlanReplicationTest {
    private LocalCluster cluster;
    private SimulatedTraffic traffic;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            assertThat(cluster.failures()).as("protocol tasks that threw").isEmpty();
            cluster.close();
        }
    }

    private void startCluster() {
        cluster = LocalCluster.builder().nodes(3).build();
        assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(5))).isTrue();
        traffic = new SimulatedTraffic(cluster, 20, Duration.ofMillis(100), 7)
                .model("v1", 100, 0.01).model("v2", 100, 0.01).start();
    }

    private static RolloutPlan plan() {
        return RolloutPlan.builder("v1", "v2").stepInterval(Duration.ofSeconds(10)).build();
    }

    private RoutingState await(CompletableFuture<RoutingState> f) {
        assertThat(cluster.advanceUntil(f::isDone, Duration.ofSeconds(10))).isTrue();
        return f.join();
    }

    @Test
    void everyNodeSCommittedStateCarriesThePlanStepAndPhase() {
        startCluster();
        RolloutPlan plan = plan();
        await(cluster.node("node-b").startRollout(plan));
        cluster.advance(Duration.ofSeconds(1));
        for (CanaryNode n : cluster.nodes()) {
            assertThat(n.state().rollout().plan()).as(n.id()).contains(plan);
            assertThat(n.state().rollout().stepIndex()).isZero();
            assertThat(n.state().rollout().phase()).isEqualTo(Phase.PROGRESSING);
            assertThat(n.state().rollout().stepStartedAt()).isPositive();
            // a participant knows the plan too, not only the coordinator
            assertThat(n.rolloutStatus().plan()).as(n.id()).contains(plan);
        }
    }

    /**
     * Issue 10's checkpoint window: a checkpoint taken between RolloutStarted and the first step's
     * commit kept no RolloutStarted record, and a restart then aborted a healthy rollout as "plan
     * lost". Here the coordinator's log loses every RolloutStarted record (what that checkpoint
     * left); the restarted coordinator takes the plan from the committed state and completes.
     */
    @Test
    void aRestartedCoordinatorWhoseLogLostTheRolloutStartCarriesOnFromTheCommittedPlan() {
        startCluster();
        RolloutPlan plan = plan();
        await(cluster.node("node-a").startRollout(plan));
        cluster.advance(Duration.ofSeconds(2));
        List<LogRecord> kept = new ArrayList<>();
        for (LogRecord r : cluster.log("node-a").records()) {
            if (!(r instanceof LogRecord.RolloutStarted)) {
                kept.add(r);
            }
        }
        cluster.log("node-a").checkpoint(kept);
        cluster.crash("node-a");
        CanaryNode restarted = cluster.restart("node-a");
        assertThat(cluster.advanceUntil(restarted::isReady, Duration.ofSeconds(10))).isTrue();
        assertThat(restarted.rolloutStatus().plan()).contains(plan);
        assertThat(cluster.advanceUntil(() -> cluster.nodes().stream()
                .allMatch(n -> n.state().rollout().phase() == Phase.COMPLETED), Duration.ofMinutes(30)))
                .as("completed, not aborted as 'plan lost': %s", restarted.state().rollout()).isTrue();
        assertThat(restarted.state().rollout().reason()).doesNotContain("plan lost");
    }
}
