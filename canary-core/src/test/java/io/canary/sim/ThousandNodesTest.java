package io.canary.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.NodeConfig;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.testing.LocalCluster;
import io.canary.transport.Message;
import io.canary.transport.local.NetworkListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * Issue 13: 1,000 nodes in virtual time, at the DEFAULT timings, commit a promotion and roll it back
 * within stated bounds (ARCHITECTURE.md, "Scale"), with background traffic that grows with N.
 */
class ThousandNodesTest {
    static final int N = 1000;
    /** First election and every node current and ready, from a cold start. */
    static final Duration READY_BOUND = Duration.ofSeconds(5);
    /** A promotion (every member's vote) commits and reaches every node. */
    static final Duration PROMOTION_BOUND = Duration.ofSeconds(2);
    /** A rollback commits and reaches every node, with 10 members crashed a second before. */
    static final Duration ROLLBACK_BOUND = Duration.ofSeconds(3);

    private static java.util.logging.Level before;

    @org.junit.jupiter.api.BeforeAll
    static void quiet() {
        // A thousand nodes each log their start, their coordinator and their lease: keep the output readable.
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        before = root.getLevel();
        root.setLevel(java.util.logging.Level.WARNING);
    }

    @org.junit.jupiter.api.AfterAll
    static void loud() {
        java.util.logging.Logger.getLogger("").setLevel(before);
    }

    /** One seed in CI (about 10 s of CPU); more with {@code -Dcanary.sim.thousand.seeds=5}. */
    static java.util.stream.LongStream seeds() {
        return java.util.stream.LongStream.rangeClosed(1, Long.getLong("canary.sim.thousand.seeds", 1));
    }

    @ParameterizedTest(name = "seed {0}")
    @org.junit.jupiter.params.provider.MethodSource("seeds")
    void aThousandNodesCommitAndRollBackWithinTheBounds(long seed) {
        NodeConfig defaults = NodeConfig.ofDefaults();
        try (LocalCluster cluster = LocalCluster.builder().nodes(N).seed(seed).config(defaults).build()) {
            // 1 ms one way on every link (the same on each, so every link stays FIFO, like TCP).
            cluster.network().delay(Duration.ofMillis(1), Duration.ofMillis(1));
            AtomicLong sent = new AtomicLong();
            cluster.network().addListener(new NetworkListener() {
                @Override
                public void onSend(String from, String to, Message message) {
                    sent.incrementAndGet();
                }
            });
            long t0 = cluster.scheduler().nowMillis();
            assertThat(cluster.advanceUntil(cluster::allReady, READY_BOUND)).as("all ready").isTrue();
            long readyMs = cluster.scheduler().nowMillis() - t0;

            Weights ten = Weights.split("v1", "v2", 10);
            long p0 = cluster.scheduler().nowMillis();
            CompletableFuture<RoutingState> promote = cluster.node("node-500").proposeWeights(ten);
            assertThat(cluster.advanceUntil(() -> promote.isDone() && everyNodeOn(cluster, 2), PROMOTION_BOUND))
                    .as("promotion committed everywhere").isTrue();
            assertThat(promote.join().weights()).isEqualTo(ten);
            long promotionMs = cluster.scheduler().nowMillis() - p0;

            // Ten members crash; a second later the canary is rolled back: nobody can veto it.
            for (int i = 990; i < 1000; i++) {
                cluster.crash(LocalCluster.nodeId(i));
            }
            cluster.advance(Duration.ofSeconds(1));
            long r0 = cluster.scheduler().nowMillis();
            sent.set(0);
            CompletableFuture<RoutingState> rollback = cluster.node("node-42").proposeWeights(Weights.split("v1", "v2", 0));
            List<String> alive = cluster.ids().subList(0, 990);
            assertThat(cluster.advanceUntil(() -> rollback.isDone()
                    && alive.stream().allMatch(id -> cluster.node(id).route().equals("v1")
                    && cluster.node(id).state().version() == 3), ROLLBACK_BOUND))
                    .as("rollback reached every live node").isTrue();
            assertThat(rollback.join().version()).isEqualTo(3);
            long rollbackMs = cluster.scheduler().nowMillis() - r0;
            sent.set(0);
            cluster.advance(Duration.ofSeconds(2));
            long perSecond = sent.get() / 2;
            assertThat(cluster.failures()).isEmpty();
            System.out.printf("RESULT sim1000 seed=%d ready_ms=%d promotion_ms=%d rollback_ms=%d messages_per_s=%d%n",
                    seed, readyMs, promotionMs, rollbackMs, perSecond);
            // O(N): a few heartbeats per node per beat, never the N² of all-to-all (5,000,000/s here).
            assertThat(perSecond).isLessThan(100L * N);
        }
    }

    private static boolean everyNodeOn(LocalCluster cluster, long version) {
        for (String id : cluster.ids()) {
            if (cluster.node(id).state().version() != version) {
                return false;
            }
        }
        return true;
    }
}
