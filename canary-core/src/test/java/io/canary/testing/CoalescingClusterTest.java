package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.WeightChange;
import io.canary.model.Weights;
import io.canary.transport.Message;
import io.canary.transport.local.NetworkListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Coalescing end to end (issue 13), through {@code CanaryNode.setWeights} on a {@link LocalCluster}:
 * weight sets queued while a transaction runs commit as one, and every caller (local or forwarded
 * from another node) learns the version that carries its change or that a later one superseded it.
 */
class CoalescingClusterTest {
    private final LocalCluster cluster = LocalCluster.builder().nodes(3).build();

    @AfterEach
    void tearDown() {
        assertThat(cluster.failures()).isEmpty();
        cluster.close();
    }

    @Test
    void weightSetsQueuedBehindATransactionCommitAsOneAndEveryCallerIsTold() {
        assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(5))).isTrue();
        AtomicInteger prepareRounds = new AtomicInteger();
        cluster.network().addListener(new NetworkListener() {
            @Override
            public void onSend(String from, String to, Message message) {
                if (message instanceof Message.Prepare && to.equals("node-c")) {
                    prepareRounds.incrementAndGet();
                }
            }
        });
        CompletableFuture<WeightChange> first = cluster.node("node-a").setWeights(Weights.split("v1", "v2", 10));
        List<CompletableFuture<WeightChange>> queued = List.of(
                cluster.node("node-a").setWeights(Weights.split("v1", "v2", 40)),
                cluster.node("node-b").setWeights(Weights.split("v1", "v2", 20)),
                cluster.node("node-c").setWeights(Weights.split("v1", "v2", 30)));
        assertThat(cluster.advanceUntil(() -> queued.stream().allMatch(CompletableFuture::isDone) && first.isDone(),
                Duration.ofSeconds(5))).isTrue();

        WeightChange one = first.join();
        assertThat(one.superseded()).isFalse();
        assertThat(one.version()).isEqualTo(2);
        assertThat(one.committed().weights()).isEqualTo(Weights.split("v1", "v2", 10));

        List<WeightChange> rest = queued.stream().map(CompletableFuture::join).toList();
        assertThat(rest).as("one transaction carries all three").extracting(WeightChange::version).containsOnly(3L);
        assertThat(rest.stream().filter(w -> !w.superseded())).as("exactly one carrier").hasSize(1);
        WeightChange carrier = rest.stream().filter(w -> !w.superseded()).findFirst().orElseThrow();
        for (WeightChange rider : rest) {
            if (rider.superseded()) {
                assertThat(rider.supersededBy()).hasValueSatisfying(by -> assertThat(by).startsWith("weights "));
                assertThat(rider.committed()).isEqualTo(carrier.committed());
            }
        }
        assertThat(prepareRounds.get()).as("two prepare rounds for four changes").isEqualTo(2);
        for (String id : cluster.ids()) {
            assertThat(cluster.node(id).state()).isEqualTo(carrier.committed());
        }
    }

    @Test
    void everyCallerOfARefusedBatchLearnsTheFailure() {
        LocalCluster picky = LocalCluster.builder().nodes(3).servableVersions("node-c", java.util.Set.of("v1", "v3")).build();
        try {
            assertThat(picky.advanceUntil(picky::allReady, Duration.ofSeconds(5))).isTrue();
            // A real transaction node-c accepts, while the two behind it queue and merge into one.
            CompletableFuture<WeightChange> first = picky.node("node-a").setWeights(Weights.split("v1", "v3", 5));
            CompletableFuture<WeightChange> second = picky.node("node-a").setWeights(Weights.split("v1", "v2", 10));
            CompletableFuture<WeightChange> third = picky.node("node-b").setWeights(Weights.split("v1", "v2", 20));
            assertThat(picky.advanceUntil(() -> first.isDone() && second.isDone() && third.isDone(), Duration.ofSeconds(5)))
                    .isTrue();
            assertThat(first.join().version()).isEqualTo(2);
            assertThat(second).isCompletedExceptionally();
            assertThat(third).isCompletedExceptionally();
            for (CompletableFuture<WeightChange> f : List.of(second, third)) {
                assertThat(f.handle((v, e) -> e.getCause() != null ? e.getCause().getMessage() : e.getMessage()).join())
                        .contains("node-c voted NO").contains("cannot serve v2").contains("v2=0.2");
            }
            assertThat(picky.node("node-b").state().weights()).isEqualTo(Weights.split("v1", "v3", 5));
        } finally {
            assertThat(picky.failures()).isEmpty();
            picky.close();
        }
    }
}
