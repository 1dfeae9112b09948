package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.ClusterHealth;
import io.canary.health.HealthSnapshot;
import io.canary.health.VersionHealth;
import io.canary.model.Weights;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Health measured on each node through {@code record} and merged across the cluster through HealthReports. */
class ClusterHealthExchangeTest {
    private final LocalCluster cluster = LocalCluster.builder().nodes(3).build();

    @AfterEach
    void tearDown() {
        assertThat(cluster.failures()).isEmpty();
        cluster.close();
    }

    private void recordOn(String node, String version, int n, double latencyMs, int errors) {
        for (int i = 0; i < n; i++) {
            cluster.node(node).record(version, (long) (latencyMs * 1e6), i >= errors);
        }
    }

    @Test
    void eachNodeReportsItsOwnHealthAndEveryNodeSeesTheMergedClusterHealth() {
        assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(5))).isTrue();
        recordOn("node-a", "v1", 1000, 10, 0);
        recordOn("node-b", "v1", 1000, 10, 10);
        recordOn("node-c", "v1", 1000, 200, 20); // the slow node
        cluster.advance(Duration.ofSeconds(2)); // every node has reported since

        HealthSnapshot c = cluster.node("node-c").health();
        assertThat(c.version("v1").requests()).isEqualTo(1000);
        assertThat(c.version("v1").stats().p50Ms()).isBetween(194.0, 206.0);

        for (String id : cluster.ids()) {
            ClusterHealth merged = cluster.node(id).clusterHealth();
            assertThat(merged.nodes()).as("seen from %s", id).containsExactly("node-a", "node-b", "node-c");
            VersionHealth v1 = merged.version("v1");
            assertThat(v1.requests()).isEqualTo(3000);
            assertThat(v1.errors()).isEqualTo(30);
            // p95 of the merged distribution: the slow node's third of the traffic dominates it
            assertThat(v1.stats().p95Ms()).isBetween(194.0, 206.0);
        }
    }

    @Test
    void aNodeThatStopsReportingLeavesTheClusterViewAfterTheWindow() {
        assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(5))).isTrue();
        recordOn("node-c", "v1", 10, 10, 0);
        cluster.advance(Duration.ofSeconds(2));
        assertThat(cluster.node("node-a").clusterHealth().nodes()).contains("node-c");
        cluster.isolate("node-c");
        cluster.advance(Duration.ofSeconds(31));
        assertThat(cluster.node("node-a").clusterHealth().nodes()).containsExactly("node-a", "node-b");
    }

    @Test
    void aWeightChangeRestartsTheHealthWindowOnEveryNode() {
        assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(5))).isTrue();
        recordOn("node-b", "v2", 50, 10, 50);
        CompletableFuture<?> f = cluster.node("node-b").proposeWeights(Weights.split("v1", "v2", 10));
        assertThat(cluster.advanceUntil(f::isDone, Duration.ofSeconds(5))).isTrue();
        cluster.advance(Duration.ofSeconds(1));
        recordOn("node-b", "v2", 5, 10, 0);
        assertThat(cluster.node("node-b").health().version("v2").requests()).isEqualTo(5);
        assertThat(cluster.node("node-b").health().version("v2").errors()).isZero();
    }

    @Test
    void recordingAVersionNoStateNamesIsIgnored() {
        assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(5))).isTrue();
        recordOn("node-a", "v9", 10, 10, 0);
        assertThat(cluster.node("node-a").health().versions()).containsOnlyKeys("v1", "v2");
    }
}
