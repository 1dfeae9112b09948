package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.CanaryNode;
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
 * A plan that begins with a shadow step, on a 3-node {@link LocalCluster} with 200 req/s per node in
 * virtual time: no user is routed to the canary, a share of the baseline's requests is mirrored to
 * it ({@code recordMirror}, as the proxy does), and the default sequential judge decides on the
 * mirrored copies' evidence against the baseline's real traffic.
 */
class ShadowStepTest extends RolloutClusterFixture {
    private void startCluster(double canaryErrorRate) {
        startCluster(canaryErrorRate, 7);
    }

    @Test
    void aBadCanaryIsRolledBackAtTheShadowStepBeforeAnyUserIsRoutedToIt() {
        startCluster(0.06);
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").shadow(20).build();
        assertThat(plan.steps()).containsExactly(0, 5, 25, 50, 100);
        RoutingState started = await(cluster.node("node-a").startRollout(plan));
        assertThat(started.rollout().isShadowStep()).isTrue();
        assertThat(started.rollout().shadowMirrorBasisPoints()).isEqualTo(2_000);
        assertThat(started.rollout().reason()).contains("shadow step").contains("20% of v1's requests mirrored to v2");
        assertThat(cluster.advanceUntil(() -> everyNodeIn(Phase.ROLLED_BACK), Duration.ofSeconds(60))).isTrue();
        // no user ever reached the canary: every state node-b committed kept it at 0%
        assertThat(traffic.routedTo("v2")).isZero();
        assertThat(traffic.mirroredTo("v2")).isPositive();
        assertThat(percentsAtB).isNotEmpty().allMatch(p -> p == 0);
        CanaryNode b = cluster.node("node-b");
        assertThat(b.state().rollout().stepIndex()).isZero();
        assertThat(b.state().rollout().reason()).contains("shadow step");
        // mirroring stops with the rollout
        assertThat(b.state().rollout().shadowMirrorBasisPoints()).isZero();
        cluster.advance(Duration.ofSeconds(1));
        List<Verdict> verdicts = b.rolloutStatus().verdicts();
        assertThat(verdicts).extracting(Verdict::decision).containsExactly(Decision.ROLLBACK);
        assertThat(verdicts.get(0).reason()).startsWith("shadow step (20% of v1's requests mirrored to v2, no user on it): "
                + "canary error rate").contains("worse beyond the rollback margin");
        // the verdict's canary numbers are the mirrored copies'
        assertThat(verdicts.get(0).canary().errorRate()).isGreaterThan(0.03);
    }

    @Test
    void aHealthyCanaryIsPromotedFromTheShadowStepToTheFirstRealStep() {
        startCluster(0.01);
        RolloutPlan plan = RolloutPlan.builder("v1", "v2").shadow(20).build();
        await(cluster.node("node-c").startRollout(plan));
        assertThat(cluster.advanceUntil(() -> cluster.node("node-b").state().rollout().currentPercent() == 5,
                Duration.ofMinutes(15))).isTrue();
        long mirroredAtPromotion = traffic.mirroredTo("v2");
        assertThat(mirroredAtPromotion).isGreaterThan(plan.minRequests());
        assertThat(percentsAtB).startsWith(0, 5);
        List<Verdict> verdicts = cluster.node("node-b").rolloutStatus().verdicts();
        assertThat(verdicts).extracting(Verdict::decision).contains(Decision.PROMOTE).doesNotContain(Decision.ROLLBACK);
        assertThat(verdicts.stream().filter(v -> v.decision() == Decision.PROMOTE).findFirst().orElseThrow().reason())
                .startsWith("shadow step").contains("canary within the margins");
        // from the first real step on, users reach the canary and copies stop
        cluster.advance(Duration.ofSeconds(5));
        assertThat(traffic.routedTo("v2")).isPositive();
        assertThat(cluster.node("node-b").state().rollout().shadowMirrorBasisPoints()).isZero();
        assertThat(traffic.mirroredTo("v2")).isLessThan(mirroredAtPromotion + 400);
    }
}
