package io.canary.net.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.canary.PeerStatus;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.net.TlsSettings;
import io.canary.testing.LocalCluster;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A cluster on mutual TLS 1.3 does what it does on plain TCP (the full 2PC scenarios run over plain
 * sockets in {@link SocketTwoPhaseCommitTest}; TLS changes only the connection, so one commit and one
 * catch-up show the layers fit, without paying every scenario's handshakes twice).
 */
class TlsClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void aClusterOnMutualTlsCommitsAndARestartedParticipantCatchesUp() throws Exception {
        try (SocketClusterHarness cluster = new SocketClusterHarness(List.of(), (from, message) -> { },
                (id, b) -> b.tls(new TlsSettings(resource(id + ".p12"), "changeit", resource("truststore.p12"), "changeit")))) {
            cluster.start(3, LocalCluster.DEFAULT_CONFIG, RoutingState.initial("v1", "v2"), Map.of());
            cluster.awaitUntil("every node ready and hearing every other", () -> cluster.ids().stream().allMatch(id ->
                    cluster.node(id).isReady() && cluster.node(id).cluster().stream().allMatch(PeerStatus::reachable)), WAIT);

            RoutingState v2 = commit(cluster, "node-b", 10);
            cluster.crash("node-c");
            cluster.awaitUntil("node-a sees node-c gone", () -> cluster.node("node-a").cluster().stream()
                    .noneMatch(p -> p.nodeId().equals("node-c") && p.reachable()), WAIT);
            RoutingState v3 = commit(cluster, "node-a", 0); // a rollback: commits without the crashed node
            cluster.restart("node-c");

            cluster.awaitUntil("every node at " + v3, () -> cluster.ids().stream()
                    .allMatch(id -> cluster.node(id).state().equals(v3)), WAIT);
            assertThat(v2.version()).isEqualTo(2);
            assertThat(v3.version()).isEqualTo(3);
            for (String id : cluster.ids()) {
                assertThat(cluster.transport(id).rejections()).as("rejections at %s", id).isEmpty();
            }
        }
    }

    private static RoutingState commit(SocketClusterHarness cluster, String via, double canaryPercent) throws Exception {
        CompletableFuture<RoutingState> f = cluster.node(via).proposeWeights(Weights.split("v1", "v2", canaryPercent));
        cluster.awaitUntil("proposal via " + via + " answered", f::isDone, WAIT);
        return f.get();
    }

    private static Path resource(String name) {
        try {
            return Path.of(TlsClusterTest.class.getResource("/tls/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
