package io.canary.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.canary.ClusterHealth;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClusterHealthViewTest {
    private final ClusterHealthView view = new ClusterHealthView(Duration.ofSeconds(30));

    private static HealthSnapshot snapshot(String node, long takenAt, LatencyHistogram h, long requests, long errors) {
        return new HealthSnapshot(node, takenAt, 30_000, Map.of("v2", new VersionHealth("v2", requests, errors, h.snapshot())));
    }

    @Test
    void clusterP95IsThePercentileOfTheMergedDistributionNotTheAverageOfNodePercentiles() {
        Random r = new Random(7);
        List<Long> all = new ArrayList<>();
        double sumOfNodeP95 = 0;
        String[] nodes = {"node-a", "node-b", "node-c"};
        for (String node : nodes) {
            // node-c is the slow one: ~200 ms against ~10 ms elsewhere
            double median = node.equals("node-c") ? 200e6 : 10e6;
            LatencyHistogram h = new LatencyHistogram();
            for (int i = 0; i < 3_000; i++) {
                long v = (long) (median * Math.exp(0.3 * r.nextGaussian()));
                h.record(v);
                all.add(v);
            }
            sumOfNodeP95 += h.snapshot().percentileMillis(0.95);
            view.update(snapshot(node, 1_000, h, 3_000, 0), 1_000);
        }
        all.sort(null);
        double exactP95 = all.get((int) Math.ceil(0.95 * all.size()) - 1) / 1e6;
        double averageOfNodeP95 = sumOfNodeP95 / nodes.length;

        ClusterHealth cluster = view.merged(1_500);
        double clusterP95 = cluster.version("v2").stats().p95Ms();

        assertThat(cluster.nodes()).containsExactly("node-a", "node-b", "node-c");
        assertThat(cluster.version("v2").requests()).isEqualTo(9_000);
        assertThat(clusterP95).isCloseTo(exactP95, within(exactP95 * 0.03));
        assertThat(Math.abs(averageOfNodeP95 - exactP95) / exactP95)
                .as("an average of node p95s (%.1f ms) misses the cluster p95 (%.1f ms)", averageOfNodeP95, exactP95)
                .isGreaterThan(0.3);
    }

    @Test
    void mirroredTrafficMergesAcrossNodesApartFromUserTraffic() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(1_000_000);
        VersionHealth mirror = new VersionHealth("v2", 1, 1, h.snapshot());
        view.update(new HealthSnapshot("node-a", 100, 30_000, Map.of(), Map.of("v2", mirror)), 100);
        view.update(new HealthSnapshot("node-b", 100, 30_000, Map.of(), Map.of("v2", mirror)), 100);
        ClusterHealth cluster = view.merged(200);
        assertThat(cluster.mirror("v2").requests()).isEqualTo(2);
        assertThat(cluster.mirror("v2").errors()).isEqualTo(2);
        assertThat(cluster.version("v2").requests()).isZero();
    }

    @Test
    void countsAddUpAcrossNodes() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(1_000_000);
        view.update(snapshot("node-a", 100, h, 1, 1), 100);
        view.update(snapshot("node-b", 100, h, 1, 0), 100);
        VersionHealth v2 = view.merged(200).version("v2");
        assertThat(v2.requests()).isEqualTo(2);
        assertThat(v2.errorRate()).isEqualTo(0.5);
        assertThat(v2.latency().totalCount()).isEqualTo(2);
    }

    @Test
    void aNodeThatHasNotReportedWithinTheWindowIsLeftOut() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(1_000_000);
        view.update(snapshot("node-a", 0, h, 1, 0), 0);
        view.update(snapshot("node-b", 20_000, h, 1, 0), 20_000);
        ClusterHealth at40 = view.merged(40_000);
        assertThat(at40.nodes()).containsExactly("node-b");
        assertThat(at40.version("v2").requests()).isEqualTo(1);
        assertThat(view.merged(60_000).nodes()).isEmpty();
    }

    @Test
    void onlySnapshotsReceivedSinceAGivenTimeCountForAStep() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(1_000_000);
        view.update(snapshot("node-a", 900, h, 1, 0), 900);
        view.update(snapshot("node-b", 1_100, h, 1, 0), 1_100);
        assertThat(view.mergedSince(1_000, 1_200).nodes()).containsExactly("node-b");
    }

    @Test
    void aReorderedOlderReportNeverReplacesANewerOne() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(1_000_000);
        view.update(snapshot("node-a", 2_000, h, 1, 0), 2_000);
        view.update(snapshot("node-a", 1_000, h, 1, 1), 2_100);
        VersionHealth v2 = view.merged(2_200).version("v2");
        assertThat(v2.requests()).as("node-a's newer report counts").isEqualTo(1);
        assertThat(v2.errors()).as("the older one, with its error, does not").isZero();
    }
}
