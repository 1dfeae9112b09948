package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.CanaryNode;
import io.canary.CoordinationStatus;
import io.canary.NodeConfig;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Session 6 (issue 10): no timer ends amnesia in a cluster of up to three. A node restarted on an empty data dir
 * waits to hear every member before it votes or serves the canary; a member lost for good is replaced by the
 * operator (a node started under its name on an empty data dir), after which the cluster elects and commits again.
 * Three nodes, DEFAULT {@link NodeConfig}, virtual time; asserts what a user sees: {@code route()}, the committed
 * state, readiness, the coordination status.
 */
class MemberReplacementTest {
    private static final Weights CANARY_25 = Weights.split("v1", "v2", 25);
    private static final Weights ROLLBACK = Weights.split("v1", "v2", 0);

    private LocalCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            assertThat(cluster.failures()).as("protocol tasks that threw").isEmpty();
            cluster.close();
        }
    }

    @Test
    void aWipedNodeWaitsForALostMemberUntilTheOperatorReplacesItThenARollbackCommitsEverywhere() {
        cluster = LocalCluster.builder().nodes(3).config(NodeConfig.ofDefaults()).build();
        assertThat(cluster.advanceUntil(() -> cluster.node("node-a").isCoordinator() && cluster.allReady(),
                Duration.ofSeconds(5))).isTrue();
        RoutingState at25 = await(cluster.node("node-a").proposeWeights(CANARY_25), Duration.ofSeconds(3));
        assertThat(cluster.advanceUntil(() -> everyNodeOn(at25), Duration.ofSeconds(2))).isTrue();

        cluster.crash("node-c");
        cluster.wipe("node-c"); // node-c's disk is replaced
        cluster.crash("node-a"); // node-a's machine is gone for good
        cluster.restart("node-c");
        cluster.advance(Duration.ofSeconds(30)); // four times the old 7.5 s timer fallback

        CanaryNode c = cluster.node("node-c");
        CoordinationStatus waiting = c.coordination();
        assertThat(waiting.waitingFor()).as("node-c waits for node-a, whom it never heard").containsExactly("node-a");
        assertThat(waiting.failSafe()).isTrue();
        assertThat(waiting.failSafeReason()).contains("waiting to hear node-a",
                "replace it by starting a node named node-a on an empty data dir");
        assertThat(routed(c)).as("the canary at 0% on node-c: safe, not live").containsOnly("v1");
        assertThat(c.isReady()).isFalse();
        assertThat(cluster.nodes().stream().filter(n -> n.isCoordinator() && !n.id().equals("node-a")))
                .as("nobody elected: node-b needs node-c's vote").isEmpty();
        assertThat(routed(cluster.node("node-b"))).as("node-b holds no lease either").containsOnly("v1");

        cluster.replace("node-a"); // the operator: a node named node-a on an empty data dir
        assertThat(cluster.advanceUntil(() -> cluster.nodes().stream().anyMatch(CanaryNode::isCoordinator),
                Duration.ofSeconds(10))).as("everyone hears everyone: an election").isTrue();
        assertThat(c.coordination().waitingFor()).isEmpty();
        CanaryNode coordinator = cluster.coordinator().orElseThrow();
        assertThat(coordinator.id()).as("only node-b kept the committed 25%: it must coordinate").isEqualTo("node-b");
        assertThat(cluster.advanceUntil(() -> everyNodeOn(coordinator.state()) && cluster.allReady(), Duration.ofSeconds(5)))
                .as("node-a and node-c synced to the 25% node-b kept").isTrue();
        RoutingState rolledBack = await(cluster.node("node-c").proposeWeights(ROLLBACK), Duration.ofSeconds(5));
        assertThat(rolledBack.version()).isGreaterThan(at25.version());
        assertThat(cluster.advanceUntil(() -> everyNodeOn(rolledBack) && cluster.allReady(), Duration.ofSeconds(5)))
                .as("the rollback committed on all three, every node ready").isTrue();
        for (String id : List.of("node-a", "node-b", "node-c")) {
            assertThat(routed(cluster.node(id))).as(id).containsOnly("v1");
        }
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
