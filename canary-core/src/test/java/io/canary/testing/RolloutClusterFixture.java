package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.NodeConfig;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;

/**
 * What the rollout tests on a 3-node {@link LocalCluster} share: the cluster, simulated traffic
 * (by default 20 requests per 100 ms tick per node, v1 with 1% errors), the canary's percent of every
 * state node-b committed ({@link #percentOf}), and the checks that no protocol task threw.
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
        startCluster(LocalCluster.DEFAULT_CONFIG, 20, canaryErrorRate, seed);
    }

    /** Starts the cluster with {@code config} and {@code requestsPerNodePerTick} of traffic. */
    protected void startCluster(NodeConfig config, int requestsPerNodePerTick, double canaryErrorRate, long seed) {
        cluster = LocalCluster.builder().nodes(3).config(config).build();
        assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(5))).isTrue();
        cluster.node("node-b").addListener(s -> percentsAtB.add(percentOf(s)));
        traffic = new SimulatedTraffic(cluster, requestsPerNodePerTick, Duration.ofMillis(100), seed)
                .model("v1", 100, 0.01).model("v2", 100, canaryErrorRate).start();
    }

    /** The percent recorded of a state node-b committed: the canary's routed share. */
    protected int percentOf(RoutingState s) {
        return (int) Math.round(s.weights().share("v2") * 100);
    }

    /** Runs virtual time until {@code f} is done (10 s at most) and returns its state; its failure fails the test. */
    protected RoutingState await(CompletableFuture<RoutingState> f) {
        assertThat(cluster.advanceUntil(f::isDone, Duration.ofSeconds(10))).as("request finished").isTrue();
        try {
            return f.get();
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("request failed: " + e.getCause().getMessage(), e);
        }
    }

    protected boolean everyNodeIn(Phase phase) {
        return cluster.nodes().stream().allMatch(n -> n.state().rollout().phase() == phase);
    }
}
