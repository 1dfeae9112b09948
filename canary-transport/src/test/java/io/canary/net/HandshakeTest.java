package io.canary.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.transport.Message;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A node of another cluster, an unknown node, or another protocol version is refused, saying why, on both sides. */
class HandshakeTest {
    /** This build's protocol version, and the next one (a node of a newer release). */
    private static final int CURRENT = io.canary.net.codec.WireFormat.PROTOCOL_VERSION;
    private static final int NEXT = CURRENT + 1;
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
            SocketTransportConfig futureB = net.config("node-b").protocolVersion(NEXT).build();
            try (SocketTransport a = net.start("node-a", inboxA);
                 SocketTransport b = net.transport("node-b", futureB)) {
                b.start("node-b", new Inbox());
                b.send("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false));

                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(a.rejections()).anySatisfy(line -> assertThat(line).matches(
                            "rejected connection from 127\\.0\\.0\\.1:\\d+ \\(node-b\\): protocol version " + NEXT + " does not match node-a's protocol version " + CURRENT));
                    assertThat(b.rejections()).contains("connection to node-a at " + net.address("node-a")
                            + " rejected by node-a: protocol version " + NEXT + " does not match node-a's protocol version " + CURRENT);
                    // node-a dialling node-b: node-b is the acceptor there, and refuses first.
                    assertThat(b.rejections()).anySatisfy(line -> assertThat(line).matches(
                            "rejected connection from 127\\.0\\.0\\.1:\\d+ \\(node-a\\): protocol version " + CURRENT + " does not match node-b's protocol version " + NEXT));
                    assertThat(a.rejections()).contains("connection to node-b at " + net.address("node-b")
                            + " rejected by node-b: protocol version " + CURRENT + " does not match node-b's protocol version " + NEXT);
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
                            "rejected connection from 127\\.0\\.0\\.1:\\d+ \\(node-b\\): protocol version 1 does not match node-a's protocol version " + CURRENT));
                    assertThat(b.rejections()).contains("connection to node-a at " + net.address("node-a")
                            + " rejected by node-a: protocol version 1 does not match node-a's protocol version " + CURRENT);
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

    /**
     * A connection that opens and never says hello holds a slot only until the handshake deadline
     * ({@code connectTimeout}): the node closes it, and a real peer still gets through meanwhile.
     */
    @ParameterizedTest
    @EnumSource(IoModel.class)
    void aConnectionThatNeverSaysHelloIsClosedAtTheHandshakeDeadline(IoModel io) throws Exception {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            SocketTransportConfig configA = net.config("node-a").ioModel(io).connectTimeout(Duration.ofMillis(300)).build();
            try (SocketTransport a = net.transport("node-a", configA);
                 java.net.Socket silent = new java.net.Socket()) {
                a.start("node-a", inboxA);
                HostPort at = net.address("node-a");
                silent.connect(new java.net.InetSocketAddress(at.host(), at.port()), 5_000);
                silent.setSoTimeout((int) WAIT.toMillis());
                long opened = System.nanoTime();

                try (SocketTransport b = net.start("node-b", new Inbox())) {
                    b.send("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                    await().atMost(WAIT).until(() -> inboxA.size() == 1);
                }
                int read;
                try {
                    read = silent.getInputStream().read();
                } catch (java.net.SocketException reset) {
                    read = -1; // closed with a reset: closed all the same
                }
                long heldMillis = (System.nanoTime() - opened) / 1_000_000;
                assertThat(read).as("the node closed the silent connection").isEqualTo(-1);
                assertThat(heldMillis).as("closed at the deadline, not at our read timeout").isLessThan(WAIT.toMillis());
                assertThat(a.stats().acceptedConnections()).isEqualTo(1);
            }
        }
    }
}
