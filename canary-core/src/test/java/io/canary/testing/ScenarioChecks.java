package io.canary.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.CanaryNode;
import io.canary.model.RoutingState;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** What the LocalCluster scenario tests check a user sees: routed versions, committed state, answers in virtual time. */
final class ScenarioChecks {
    private ScenarioChecks() {
    }

    /** True when every node of {@code cluster} holds {@code state}. */
    static boolean everyNodeOn(LocalCluster cluster, RoutingState state) {
        return cluster.nodes().stream().allMatch(n -> n.state().equals(state));
    }

    /** What {@code route} gives over 400 keys. */
    static Set<String> routed(CanaryNode node) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 400; i++) {
            seen.add(node.route("user-" + i));
        }
        return seen;
    }

    /** Advances {@code cluster}'s clock until {@code f} is answered (at most {@code max}) and returns its state. */
    static RoutingState await(LocalCluster cluster, CompletableFuture<RoutingState> f, Duration max) {
        assertThat(cluster.advanceUntil(f::isDone, max)).as("answered within %s", max).isTrue();
        try {
            return f.get();
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("failed: " + e.getCause().getMessage(), e);
        }
    }
}
