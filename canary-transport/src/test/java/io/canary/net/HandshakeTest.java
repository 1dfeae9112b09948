package io.canary.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.transport.Message;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A node of another cluster, an unknown node, or another protocol version is refused, saying why, on both sides. */
class HandshakeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aNodeOfAnotherClusterIsRejectedWithAClearLineOnBothSides() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            SocketTransportConfig prodB = net.config("node-b").clusterId("prod").build();
            try (SocketTransport a = net.start("node-a", inboxA);
                 SocketTransport b = net.transport("node-b", prodB)) {
                b.start("node-b", new Inbox());
                b.send("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false));

                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(a.rejections()).anySatisfy(line -> assertThat(line).matches(
                            "rejected connection from 127\\.0\\.0\\.1:\\d+ \\(node-b\\): cluster id 'prod' does not match node-a's cluster id 'test'"));
                    assertThat(b.rejections()).contains("connection to node-a at " + net.address("node-a")
                            + " rejected by node-a: cluster id 'prod' does not match node-a's cluster id 'test'");
                });
                assertThat(inboxA.all()).isEmpty();
                assertThat(b.connectedPeers()).isEmpty();
                assertThat(a.stats().acceptedConnections()).isZero();
            }
        }
    }

    @Test
    void aNodeSpeakingAnotherProtocolVersionIsRejectedWithAClearLineOnBothSides() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            SocketTransportConfig futureB = net.config("node-b").protocolVersion(3).build();
            try (SocketTransport a = net.start("node-a", inboxA);
                 SocketTransport b = net.transport("node-b", futureB)) {
                b.start("node-b", new Inbox());
                b.send("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false));

                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(a.rejections()).anySatisfy(line -> assertThat(line).matches(
                            "rejected connection from 127\\.0\\.0\\.1:\\d+ \\(node-b\\): protocol version 3 does not match node-a's protocol version 2"));
                    assertThat(b.rejections()).contains("connection to node-a at " + net.address("node-a")
                            + " rejected by node-a: protocol version 3 does not match node-a's protocol version 2");
                    // node-a dialling node-b: node-b is the acceptor there, and refuses first.
                    assertThat(b.rejections()).anySatisfy(line -> assertThat(line).matches(
                            "rejected connection from 127\\.0\\.0\\.1:\\d+ \\(node-a\\): protocol version 2 does not match node-b's protocol version 3"));
                    assertThat(a.rejections()).contains("connection to node-b at " + net.address("node-b")
                            + " rejected by node-b: protocol version 2 does not match node-b's protocol version 3");
                });
                assertThat(inboxA.all()).isEmpty();
            }
        }
    }

    @Test
    void aVersionOneNodeWhoseFramesHaveNoChecksumIsRejectedWithAClearLineOnBothSides() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            SocketTransportConfig oldB = net.config("node-b").protocolVersion(1).build();
            try (SocketTransport a = net.start("node-a", inboxA);
                 SocketTransport b = net.transport("node-b", oldB)) {
                b.start("node-b", new Inbox());
                b.send("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false));

                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(a.rejections()).anySatisfy(line -> assertThat(line).matches(
                            "rejected connection from 127\\.0\\.0\\.1:\\d+ \\(node-b\\): protocol version 1 does not match node-a's protocol version 2"));
                    assertThat(b.rejections()).contains("connection to node-a at " + net.address("node-a")
                            + " rejected by node-a: protocol version 1 does not match node-a's protocol version 2");
                });
                assertThat(inboxA.all()).isEmpty();
                assertThat(a.stats().malformedFrames()).isZero();
            }
        }
    }

    @Test
    void aNodeIdThatIsNotAMemberIsRejected() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            // node-b's own map calls itself node-z: node-a does not know that name.
            SocketTransportConfig confusedB = net.config("node-b").peers(Map.of("node-a", net.address("node-a"))).build();
            try (SocketTransport a = net.start("node-a", inboxA);
                 SocketTransport z = net.transport("node-b", confusedB)) {
                z.start("node-z", new Inbox());
                z.send("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false));

                await().atMost(WAIT).untilAsserted(() -> assertThat(a.rejections()).anySatisfy(line -> assertThat(line).matches(
                        "rejected connection from 127\\.0\\.0\\.1:\\d+ \\(node-z\\): node id 'node-z' is not a member of cluster 'test' as node-a knows it")));
                assertThat(inboxA.all()).isEmpty();
                assertThat(a.stats().rejectedConnections()).isPositive();
            }
        }
    }

    @Test
    void aPeerAddressThatLeadsToAnotherNodeIsRefusedByTheDialler() {
        try (Loopback net = new Loopback("test", "node-a", "node-b", "node-c")) {
            // node-a believes node-c listens where node-b does.
            SocketTransportConfig wrongMap = net.config("node-a").peer("node-c", net.address("node-b")).build();
            Inbox inboxB = new Inbox();
            try (SocketTransport a = net.transport("node-a", wrongMap); SocketTransport b = net.start("node-b", inboxB)) {
                assertThat(b.port()).isEqualTo(net.address("node-b").port());
                a.start("node-a", new Inbox());
                a.send("node-c", new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                await().atMost(WAIT).untilAsserted(() -> assertThat(a.rejections()).contains(
                        "connection to node-c at " + net.address("node-b") + " refused by node-a: the node at "
                                + net.address("node-b") + " says it is 'node-b', node-a expected 'node-c'"));
                assertThat(inboxB.messagesFrom("node-a")).isEmpty();
            }
        }
    }
}
