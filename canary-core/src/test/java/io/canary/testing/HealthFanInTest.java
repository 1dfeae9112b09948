package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.ClusterHealth;
import io.canary.PeerStatus;
import io.canary.transport.Message;
import io.canary.transport.local.NetworkListener;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Health and heartbeats fan in to the coordinator and its warm successors (issue 13): per interval
 * the cluster sends O(N) of them, not N², while the coordinator and each successor still hold every
 * node's health and two-way evidence of every member.
 */
class HealthFanInTest {
    private static final int N = 12;
    private final LocalCluster cluster = LocalCluster.builder().nodes(N).build();

    @AfterEach
    void tearDown() {
        assertThat(cluster.failures()).isEmpty();
        cluster.close();
    }

    private void recordEverywhere() {
        for (String id : cluster.ids()) {
            for (int i = 0; i < 100; i++) {
                cluster.node(id).record("v1", 10_000_000L, i >= 1);
            }
        }
    }

    @Test
    void healthReportsAndHeartbeatsGrowLinearlyWithTheCluster() {
        assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(10))).isTrue();
        Map<Class<?>, AtomicLong> sent = new HashMap<>();
        cluster.network().addListener(new NetworkListener() {
            @Override
            public void onSend(String from, String to, Message message) {
                sent.computeIfAbsent(message.getClass(), c -> new AtomicLong()).incrementAndGet();
            }
        });
        Duration window = Duration.ofSeconds(10);
        cluster.advance(window);
        long intervals = window.toMillis() / LocalCluster.DEFAULT_CONFIG.healthInterval().toMillis();
        long beats = window.toMillis() / LocalCluster.DEFAULT_CONFIG.heartbeatInterval().toMillis();
        long health = sent.getOrDefault(Message.HealthReport.class, new AtomicLong()).get();
        long heartbeats = sent.getOrDefault(Message.Heartbeat.class, new AtomicLong()).get();
        // Each node reports to the coordinator and two successors (those three to the other two hubs).
        assertThat(health).isLessThanOrEqualTo(intervals * 3L * N).isGreaterThan(intervals * (N - 1));
        // The three hubs heartbeat everyone, everyone else the three hubs: about 6N per beat, not N(N-1).
        assertThat(heartbeats).isLessThanOrEqualTo(beats * 6L * N);
        assertThat(heartbeats).isLessThan(beats * (long) N * (N - 1) / 2);
    }

    @Test
    void theCoordinatorAndItsSuccessorsHoldEveryNodesHealth() {
        assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(10))).isTrue();
        recordEverywhere();
        cluster.advance(Duration.ofSeconds(2));
        for (String hub : List.of("node-a", "node-b", "node-c")) {
            ClusterHealth merged = cluster.node(hub).clusterHealth();
            assertThat(merged.nodes()).as("seen from %s", hub).hasSize(N);
            assertThat(merged.version("v1").requests()).isEqualTo(100L * N);
            assertThat(merged.version("v1").errors()).isEqualTo(N);
        }
        // Anyone else knows its own health (and the hubs' do not reach it): a partial view, by design.
        ClusterHealth other = cluster.node("node-g").clusterHealth();
        assertThat(other.nodes()).contains("node-g").hasSizeLessThan(N);
    }

    @Test
    void theCoordinatorHasTwoWayContactWithEveryMember() {
        assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(10))).isTrue();
        for (String hub : List.of("node-a", "node-b", "node-c")) {
            List<PeerStatus> view = cluster.node(hub).cluster();
            assertThat(view).as("seen from %s", hub).hasSize(N).allMatch(PeerStatus::reachable);
            assertThat(view).allMatch(p -> p.committedVersion() == 1);
        }
    }

    @Test
    void aSuccessorJudgesOnEveryNodesHealthRightAfterTheCoordinatorIsLost() {
        assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(10))).isTrue();
        recordEverywhere();
        cluster.advance(Duration.ofSeconds(2));
        cluster.crash("node-a");
        assertThat(cluster.advanceUntil(() -> cluster.node("node-b").isCoordinator(), Duration.ofSeconds(5))).isTrue();
        // Right at takeover: node-b already holds the snapshots every node sent it as a warm successor.
        ClusterHealth merged = cluster.node("node-b").clusterHealth();
        // (node-a's last snapshot is still inside the window: what it counted stays true.)
        assertThat(merged.nodes()).hasSize(N);
        assertThat(merged.version("v1").requests()).isEqualTo(100L * N);
        // And the new hubs (b, then a and c as its successors) keep receiving from every survivor.
        recordEverywhere();
        cluster.advance(Duration.ofSeconds(2));
        List<String> survivors = cluster.ids().stream().filter(id -> !id.equals("node-a")).toList();
        assertThat(cluster.node("node-c").clusterHealth().nodes()).containsAll(survivors);
        List<PeerStatus> view = cluster.node("node-b").cluster();
        assertThat(view.stream().filter(PeerStatus::reachable).count()).isEqualTo(N - 1);
    }
}
