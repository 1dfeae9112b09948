package io.canary.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.CanaryNode;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import io.canary.testing.LocalCluster;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A template to copy into your own project: a three-node Canary cluster inside one JVM on core's
 * {@link LocalCluster} (in-memory network, in-memory logs, a manual clock), traffic driven through
 * {@code route}/{@code record} exactly as your service would, and a whole progressive rollout
 * checked in virtual time. It runs in milliseconds, never sleeps and never flakes: time moves only
 * when the test says so.
 *
 * <p>Replace the simulated models below with calls to your own model versions (or recorded
 * latencies and outcomes) to check that your rollout plan promotes what it should and rolls back
 * what it should.
 */
class RolloutInProcessTest {
    /** How often each node serves a batch of requests, in virtual time. */
    private static final Duration TICK = Duration.ofMillis(100);
    private static final int REQUESTS_PER_NODE_PER_TICK = 20;

    private final Random random = new Random(42);
    private LocalCluster cluster;
    private double canaryErrorRate;
    private double canaryLatencyMs;
    private final List<Integer> percentsSeenByNodeB = new java.util.ArrayList<>();

    @BeforeEach
    void startCluster() {
        cluster = LocalCluster.builder().nodes(3).build();
        // Nothing happens until virtual time moves: let the nodes connect and sync.
        assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(5))).isTrue();
        // Listeners see every state a node commits, in order, on its protocol thread.
        cluster.node("node-b").addListener(state -> percentsSeenByNodeB.add(state.rollout().currentPercent()));
        cluster.scheduler().schedule(TICK, this::serveTraffic);
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    /** One tick of traffic: every node routes requests and records how the chosen version did. */
    private void serveTraffic() {
        for (CanaryNode node : cluster.nodes()) {
            for (int i = 0; i < REQUESTS_PER_NODE_PER_TICK; i++) {
                String version = node.route("user-" + random.nextInt(10_000));
                boolean canary = version.equals("v2");
                double latencyMs = (canary ? canaryLatencyMs : 40) * Math.exp(0.2 * random.nextGaussian());
                boolean ok = random.nextDouble() >= (canary ? canaryErrorRate : 0.01);
                node.record(version, (long) (latencyMs * 1_000_000), ok);
            }
        }
        cluster.scheduler().schedule(TICK, this::serveTraffic);
    }

    private static RolloutPlan plan() {
        return RolloutPlan.builder("v1", "v2")
                .steps(5, 25, 50, 100)
                .stepInterval(Duration.ofSeconds(10))
                .minRequests(100)
                .maxErrorRateDelta(0.05)
                .maxP95Ratio(1.5)
                .failureLimit(2)
                .build();
    }

    private RoutingState startRollout() {
        CompletableFuture<RoutingState> started = cluster.node("node-b").startRollout(plan());
        assertThat(cluster.advanceUntil(started::isDone, Duration.ofSeconds(10))).isTrue();
        return started.join();
    }

    private boolean everyNodeIn(Phase phase) {
        return cluster.nodes().stream().allMatch(n -> n.state().rollout().phase() == phase);
    }

    @Test
    void aHealthyCanaryIsPromotedStepByStepUntilItServesEverything() {
        canaryErrorRate = 0.01;
        canaryLatencyMs = 40;

        assertThat(startRollout().weights().share("v2")).isEqualTo(0.05);
        // The default (sequential) judge promotes a step once the evidence shows the canary within its
        // margin, which takes a few virtual minutes at this traffic; it holds until then.
        assertThat(cluster.advanceUntil(() -> everyNodeIn(Phase.COMPLETED), Duration.ofMinutes(30))).isTrue();

        for (CanaryNode node : cluster.nodes()) {
            assertThat(node.state().weights().share("v2")).as(node.id()).isEqualTo(1.0);
            assertThat(node.state().baseline()).as(node.id()).isEqualTo("v2");
        }
        // Every step was analysed and passed (HOLDs while evidence gathered, never a ROLLBACK): 5% -> 25% -> 50% -> 100%.
        List<Verdict> verdicts = cluster.node("node-a").rolloutStatus().verdicts();
        assertThat(verdicts).extracting(Verdict::decision).doesNotContain(Verdict.Decision.ROLLBACK);
        assertThat(verdicts).extracting(Verdict::decision).filteredOn(d -> d == Verdict.Decision.PROMOTE).hasSize(3);
        assertThat(percentsSeenByNodeB).containsExactly(5, 25, 50, 100);
    }

    @Test
    void aCanaryThatFailsRequestsIsRolledBackOnEveryNode() {
        canaryErrorRate = 0.30;
        canaryLatencyMs = 40;

        startRollout();
        assertThat(cluster.advanceUntil(() -> everyNodeIn(Phase.ROLLED_BACK), Duration.ofMinutes(3))).isTrue();

        for (CanaryNode node : cluster.nodes()) {
            assertThat(node.state().weights().share("v1")).as(node.id()).isEqualTo(1.0);
            assertThat(node.state().rollout().canary()).isEqualTo("v2");
        }
        Verdict last = cluster.node("node-a").rolloutStatus().verdicts().get(cluster.node("node-a").rolloutStatus().verdicts().size() - 1);
        assertThat(last.decision()).isEqualTo(Verdict.Decision.ROLLBACK);
        assertThat(last.reason()).containsIgnoringCase("error rate");
        assertThat(last.canary().errorRate()).isGreaterThan(0.2);
    }

    @Test
    void aCanaryThreeTimesSlowerIsRolledBackByTheLatencyRatio() {
        canaryErrorRate = 0.01;
        canaryLatencyMs = 120;

        startRollout();
        assertThat(cluster.advanceUntil(() -> everyNodeIn(Phase.ROLLED_BACK), Duration.ofMinutes(3))).isTrue();

        Verdict last = cluster.node("node-a").rolloutStatus().verdicts().get(cluster.node("node-a").rolloutStatus().verdicts().size() - 1);
        // The sequential judge compares latency quantiles (p50, p90, p99) against the baseline's.
        assertThat(last.decision()).isEqualTo(Verdict.Decision.ROLLBACK);
        // Whichever quantile's evidence suffices first (it hangs on the random draws): each is a latency verdict.
        assertThat(last.reason()).containsPattern("canary p(50|90|99) .* vs baseline p(50|90|99) ");
        assertThat(last.canary().p95Ms()).isGreaterThan(last.baseline().p95Ms() * 1.5);
    }
}
