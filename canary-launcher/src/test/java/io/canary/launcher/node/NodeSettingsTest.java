package io.canary.launcher.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.canary.launcher.model.ModelSpec;
import io.canary.model.Weights;
import io.canary.net.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeSettingsTest {

    @Test
    void referenceLayoutTakesHostsFromTheEnvironmentAndPortsFromTheGuide() {
        NodeSettings s = NodeSettings.builder("node-b")
                .environment(Map.of("PEERS_NODE_A", "192.168.1.100", "PEERS_NODE_B", "192.168.1.101"))
                .build();
        assertThat(s.members()).containsExactly(
                Map.entry("node-a", new HostPort("192.168.1.100", 60001)),
                Map.entry("node-b", new HostPort("192.168.1.101", 60002)),
                Map.entry("node-c", new HostPort("127.0.0.1", 60003)));
        assertThat(s.coordinatorId()).isEqualTo("node-a");
        assertThat(s.isCoordinator()).isFalse();
        assertThat(s.controlPort()).isEqualTo(60002);
        assertThat(s.dataPort()).isEqualTo(50052);
        assertThat(s.bindHost()).isEqualTo("0.0.0.0");
        assertThat(s.logFile()).isEqualTo(Path.of("logs", "node-b.log"));
        assertThat(s.models()).containsOnlyKeys("v1", "v2");
        assertThat(s.initialWeights()).isEqualTo(Weights.split("v1", "v2", 0));
        assertThat(s.baseline()).isEqualTo("v1");
    }

    @Test
    void customPeersGiveDataPortsByPosition() {
        Map<String, HostPort> peers = new LinkedHashMap<>();
        peers.put("x", new HostPort("10.0.0.1", 7001));
        peers.put("y", new HostPort("10.0.0.2", 7001));
        NodeSettings s = NodeSettings.builder("y").members(peers).build();
        assertThat(s.coordinatorId()).isEqualTo("x");
        assertThat(s.controlPort()).isEqualTo(7001);
        assertThat(s.dataPort()).isEqualTo(50052);
    }

    @Test
    void baselineDefaultsToTheLargestInitialWeight() {
        NodeSettings s = NodeSettings.builder("node-a").environment(Map.of())
                .initialWeights(Weights.of(Map.of("v1", 0.2, "v2", 0.8))).build();
        assertThat(s.baseline()).isEqualTo("v2");
    }

    @Test
    void contradictionsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> NodeSettings.builder("node-a").environment(Map.of()).coordinatorId("node-z").build())
                .hasMessage("coordinator 'node-z' is not in the peer list [node-a, node-b, node-c]");
        assertThatThrownBy(() -> NodeSettings.builder("node-a").environment(Map.of()).rolloutCanary("v1").build())
                .hasMessage("rollout canary 'v1' is the baseline");
        assertThatThrownBy(() -> NodeSettings.builder("node-a").environment(Map.of()).rolloutCanary("v3").build())
                .hasMessageContaining("rollout canary 'v3' has no model");
        assertThatThrownBy(() -> NodeSettings.builder("node-a").dataPort(70_000))
                .hasMessage("data port must be in [0,65535], got 70000");
        assertThatThrownBy(() -> NodeSettings.builder(" "))
                .hasMessage("node id must not be blank");
        assertThatThrownBy(() -> NodeSettings.builder("node-a").environment(Map.of())
                .models(Map.of("v1", new ModelSpec.Demo(Duration.ZERO, 0)))
                .initialWeights(Weights.split("v1", "v2", 10)).build())
                .hasMessage("initial weights name version 'v2' but no model serves it (models: [v1])");
    }

    @Test
    void toBuilderKeepsEverything() {
        NodeSettings s = NodeSettings.builder("node-c").environment(Map.of()).adminToken("t").verbose(true)
                .dataPort(0).controlPort(0).rolloutCanary("v2").build();
        NodeSettings copy = s.toBuilder().build();
        assertThat(copy.toString()).isEqualTo(s.toString());
        assertThat(copy.adminToken()).contains("t");
    }
}
