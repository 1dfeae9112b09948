package io.canary.launcher.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeAddressesTest {

    @Test
    void withoutAnyConfigurationTheReferenceLayoutIsOnLoopbackPorts50051To50053() {
        List<NodeAddress> nodes = NodeAddresses.resolve(null, Map.of());

        assertThat(nodes).extracting(NodeAddress::nodeId).containsExactly("node-a", "node-b", "node-c");
        assertThat(nodes).extracting(n -> n.baseUri().toString())
                .containsExactly("http://127.0.0.1:50051", "http://127.0.0.1:50052", "http://127.0.0.1:50053");
    }

    @Test
    void peersNodeVariablesSetTheHostsOfTheReferenceLayout() {
        List<NodeAddress> nodes = NodeAddresses.resolve(null,
                Map.of("PEERS_NODE_A", "192.168.1.100", "PEERS_NODE_B", " 192.168.1.101 ", "PEERS_NODE_C", "fe80::1"));

        assertThat(nodes).extracting(n -> n.baseUri().toString())
                .containsExactly("http://192.168.1.100:50051", "http://192.168.1.101:50052", "http://[fe80::1]:50053");
    }

    @Test
    void anExplicitListWinsOverTheEnvironmentAndKeepsItsOrder() {
        List<NodeAddress> nodes = NodeAddresses.resolve("edge-2=http://10.0.0.2:8080, edge-1=10.0.0.1:8081",
                Map.of("CANARY_NODES", "node-a=http://127.0.0.1:1", "PEERS_NODE_A", "10.9.9.9"));

        assertThat(nodes).extracting(NodeAddress::nodeId).containsExactly("edge-2", "edge-1");
        assertThat(nodes.get(1).baseUri().toString()).isEqualTo("http://10.0.0.1:8081");
    }

    @Test
    void canaryNodesIsUsedWhenNoListIsGiven() {
        List<NodeAddress> nodes = NodeAddresses.resolve(null, Map.of("CANARY_NODES", "node-x=http://127.0.0.1:9000"));

        assertThat(nodes).containsExactly(new NodeAddress("node-x", java.net.URI.create("http://127.0.0.1:9000")));
    }

    @Test
    void malformedEntriesAreRejectedWithTheEntryNamed() {
        assertThatThrownBy(() -> NodeAddresses.parse("node-a"))
                .hasMessage("'node-a' must look like node-a=http://host:port");
        assertThatThrownBy(() -> NodeAddresses.parse("node-a=http://host"))
                .hasMessageContaining("node node-a: address needs a host and a port");
        assertThatThrownBy(() -> NodeAddresses.parse("node-a=ftp://h:1"))
                .hasMessageContaining("must be http:// or https://");
        assertThatThrownBy(() -> NodeAddresses.parse("a=h:1,a=h:2")).hasMessage("node a is given twice");
        assertThatThrownBy(() -> NodeAddresses.parse(" , ")).hasMessageContaining("the node list is empty");
        assertThatThrownBy(() -> NodeAddresses.resolve(null, Map.of("CANARY_NODES", "oops")))
                .hasMessageStartingWith("CANARY_NODES: 'oops' must look like");
    }

    @Test
    void displayNamesFollowTheGuide() {
        assertThat(new NodeAddress("node-a", java.net.URI.create("http://h:1")).displayName()).isEqualTo("Node A");
        assertThat(new NodeAddress("edge-1", java.net.URI.create("http://h:1")).displayName()).isEqualTo("edge-1");
    }

    @Test
    void pathsResolveAgainstABaseWithOrWithoutATrailingSlash() {
        assertThat(new NodeAddress("n", java.net.URI.create("http://h:1/")).resolve("/health").toString()).isEqualTo("http://h:1/health");
        assertThat(NodeAddresses.format(NodeAddresses.parse("a=h:1,b=h:2"))).isEqualTo("a=http://h:1,b=http://h:2");
    }
}
