package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.CanaryNode;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalClusterTest {

    /** Every committed version is the same everywhere and none repeats or skips, whatever the network does. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void nodesAgreeOnEveryCommittedStateDespiteLossDuplicationAndReordering(long seed) {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3).seed(seed).build()) {
            assertThat(cluster.advanceUntil(cluster::allReady, Duration.ofSeconds(5))).isTrue();
            cluster.network().dropProbability(0.2).duplicateProbability(0.2).reorder(0.3, Duration.ofMillis(50));

            List<RoutingState> committed = new ArrayList<>();
            for (int percent = 1; percent <= 6; percent++) {
                CanaryNode via = cluster.nodes().get(percent % 3);
                for (int attempt = 0; attempt < 20; attempt++) {
                    CompletableFuture<RoutingState> f = via.proposeWeights(Weights.split("v1", "v2", percent));
                    assertThat(cluster.advanceUntil(f::isDone, Duration.ofSeconds(10))).isTrue();
                    if (!f.isCompletedExceptionally()) {
                        committed.add(f.join());
                        break;
                    }
                }
            }
            cluster.heal();
            RoutingState last = committed.get(committed.size() - 1);
            assertThat(cluster.advanceUntil(() -> cluster.nodes().stream().allMatch(n -> n.state().equals(last)),
                    Duration.ofSeconds(10))).isTrue();
            assertThat(committed).extracting(RoutingState::version).doesNotHaveDuplicates().isSorted();
            assertThat(last.version()).isEqualTo(1 + committed.size());
            assertThat(last.weights()).isEqualTo(Weights.split("v1", "v2", 6));
            assertThat(cluster.failures()).isEmpty();
        }
    }
}
