package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;

/**
 * What the rollout tests on a 3-node {@link LocalCluster} share: the cluster, simulated traffic
 * (20 requests per 100 ms tick per node, v1 with 1% errors), the canary's percent of every state
 * node-b committed, and the checks that no protocol task threw.
 */
abstract class RolloutClusterFixture {
    protected LocalCluster cluster;
    protected SimulatedTraffic traffic;
    /** The canary's routed percent of every state node-b committed. */
    protected final List<Integer> percentsAtB = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            assertThat(cluster.failures()).as("protocol tasks that threw").isEmpty();
            cluster.close();
        }
    }

    /** Starts the cluster and the traffic; {@code seed} fixes the traffic's random draws. */
    protected void startCluster(double canaryErrorRate, long seed) {
        cluster = LocalCluster.builder().nodes(3).build();
        assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(5))).isTrue();
        cluster.node("node-b").addListener(s -> percentsAtB.add((int) Math.round(s.weights().share("v2") * 100)));
        traffic = new SimulatedTraffic(cluster, 20, Duration.ofMillis(100), seed)
                .model("v1", 100, 0.01).model("v2", 100, canaryErrorRate).start();
    }

    protected RoutingState await(CompletableFuture<RoutingState> f) {
        assertThat(cluster.advanceUntil(f::isDone, Duration.ofSeconds(10))).as("request finished").isTrue();
        return f.join();
    }

    protected boolean everyNodeIn(Phase phase) {
        return cluster.nodes().stream().allMatch(n -> n.state().rollout().phase() == phase);
    }
}
