package io.canary.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.canary.net.codec.Samples;
import io.canary.transport.Message;
import io.canary.transport.TransportException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SocketTransportTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void everyMessageTypeCrossesRealSocketsUnchangedAndInOrder() {
        try (Loopback net = new Loopback("test", "node-a", "node-b");
             SocketTransport a = net.start("node-a", new Inbox())) {
            Inbox inboxB = new Inbox();
            try (SocketTransport b = net.start("node-b", inboxB)) {
                List<Message> sent = Samples.messages();
                sent.forEach(m -> a.send("node-b", m));

                await().atMost(WAIT).until(() -> inboxB.size() == sent.size());
                assertThat(inboxB.messagesFrom("node-a")).containsExactlyElementsOf(sent);
                assertThat(a.stats().messagesSent()).isEqualTo(sent.size());
                assertThat(b.stats().messagesReceived()).isEqualTo(sent.size());
            }
        }
    }

    @Test
    void bothDirectionsWorkAndTheSenderIsTheHandshakeIdentity() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            Inbox inboxB = new Inbox();
            try (SocketTransport a = net.start("node-a", inboxA); SocketTransport b = net.start("node-b", inboxB)) {
                a.send("node-b", new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                b.send("node-a", new Message.Heartbeat(0, 2, false, 0, -1, false, false));

                await().atMost(WAIT).until(() -> inboxA.size() == 1 && inboxB.size() == 1);
                assertThat(inboxB.all()).containsExactly(new Inbox.Received("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false)));
                assertThat(inboxA.all()).containsExactly(new Inbox.Received("node-b", new Message.Heartbeat(0, 2, false, 0, -1, false, false)));
                await().atMost(WAIT).until(() -> a.connectedPeers().equals(java.util.Set.of("node-b")));
            }
        }
    }

    @Test
    void aMessageToItselfIsDeliveredWithoutTheNetwork() {
        try (Loopback net = new Loopback("test", "node-a")) {
            Inbox inbox = new Inbox();
            try (SocketTransport a = net.start("node-a", inbox)) {
                a.send("node-a", new Message.CommitAck(0, 3));
                assertThat(inbox.all()).containsExactly(new Inbox.Received("node-a", new Message.CommitAck(0, 3)));
            }
        }
    }

    @Test
    void sendNeverThrowsAndCountsWhatItDrops() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            SocketTransport a = net.transport("node-a");
            a.send("node-b", new Message.CommitAck(0, 1)); // before start
            a.start("node-a", new Inbox());
            a.send("node-x", new Message.CommitAck(0, 2)); // unknown peer
            a.send(null, new Message.CommitAck(0, 3));
            a.send("node-b", null);
            a.close();
            a.send("node-b", new Message.CommitAck(0, 4)); // after close
            assertThat(a.stats().messagesDropped()).isEqualTo(5);
        }
    }

    @Test
    void aFullPeerQueueDropsInsteadOfBlocking() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            net.release("node-b"); // node-b is down: nothing drains the queue
            SocketTransportConfig config = net.config("node-a").queueCapacity(4).build();
            try (SocketTransport a = net.transport("node-a", config)) {
                a.start("node-a", new Inbox());
                for (int i = 0; i < 100; i++) {
                    a.send("node-b", new Message.CommitAck(0, i));
                }
                // The writer may hold one message while it waits for the connection: 4 or 5 are kept.
                assertThat(a.stats().messagesDropped()).isBetween(95L, 96L);
            }
        }
    }

    @Test
    void aPortInUseIsOneClearStartupError() {
        try (ControlPort taken = ControlPort.bind(Loopback.HOST, 0)) {
            SocketTransportConfig config = Loopback.fast().clusterId("test").port(taken.port()).build();
            SocketTransport t = new SocketTransport(config);
            assertThatThrownBy(() -> t.start("node-a", new Inbox()))
                    .isInstanceOf(TransportException.class)
                    .hasMessage("control port " + taken.port() + " is already in use by another process"
                            + " or a lingering connection (ss -tanp | grep :" + taken.port() + " shows which)");
            t.close();
        }
    }

    @Test
    void closeReleasesThePortAndThreadsSoTheNodeRestartsOnItAtOnce() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            SocketTransport a = net.start("node-a", inboxA);
            try (SocketTransport b = net.start("node-b", new Inbox())) {
                b.send("node-a", new Message.CommitAck(0, 1));
                await().atMost(WAIT).until(() -> inboxA.size() == 1);
                int port = a.port();

                a.close();
                // close() waits for the pool to terminate, but a pool reports termination a moment
                // before its worker threads have fully exited: poll instead of asserting at once.
                await().atMost(WAIT).untilAsserted(() -> assertThat(transportThreadsOf("node-a")).isEmpty());

                Inbox restarted = new Inbox();
                try (SocketTransport again = net.start("node-a", restarted)) {
                    assertThat(again.port()).isEqualTo(port);
                    await().atMost(WAIT).untilAsserted(() -> {
                        b.send("node-a", new Message.CommitAck(0, 2));
                        assertThat(restarted.messages()).contains(new Message.CommitAck(0, 2));
                    });
                }
            }
        }
    }

    @Test
    void aControlPortClosedBeforeStartIsOneClearError() {
        ControlPort port = ControlPort.bind(Loopback.HOST, 0);
        port.close();
        SocketTransport t = new SocketTransport(Loopback.fast().clusterId("test").build(), port);
        assertThatThrownBy(() -> t.start("node-a", new Inbox()))
                .isInstanceOf(TransportException.class)
                .hasMessage("control port " + port.port() + " was closed before the transport started; bind it again");
    }

    @Test
    void startTwiceOrAfterCloseIsRefused() {
        try (Loopback net = new Loopback("test", "node-a")) {
            SocketTransport a = net.start("node-a", new Inbox());
            assertThatThrownBy(() -> a.start("node-a", new Inbox()))
                    .isInstanceOf(TransportException.class).hasMessage("this transport is already started as node-a");
            a.close();
            a.close();
            assertThatThrownBy(() -> a.start("node-a", new Inbox()))
                    .isInstanceOf(TransportException.class).hasMessage("this transport is closed; create a new one to start again");
        }
    }

    @Test
    void configRejectsBadValuesNamingTheField() {
        assertThatThrownBy(() -> SocketTransportConfig.custom().build())
                .hasMessage("clusterId is required");
        assertThatThrownBy(() -> SocketTransportConfig.custom().port(70000))
                .hasMessage("port must be in [0,65535], got 70000");
        assertThatThrownBy(() -> SocketTransportConfig.custom().maxFrameBytes(10))
                .hasMessage("maxFrameBytes must be in [1024,67108864], got 10");
        assertThatThrownBy(() -> SocketTransportConfig.custom().queueCapacity(0))
                .hasMessage("queueCapacity must be >= 1, got 0");
        assertThatThrownBy(() -> SocketTransportConfig.custom().backoffJitter(1.5))
                .hasMessage("backoffJitter must be in [0,1], got 1.5");
        assertThatThrownBy(() -> SocketTransportConfig.custom().connectTimeout(Duration.ZERO))
                .hasMessage("connectTimeout must be in [1ms,1h], got PT0S");
        assertThatThrownBy(() -> SocketTransportConfig.custom().clusterId("c").backoffInitial(Duration.ofSeconds(10)).build())
                .hasMessage("backoffMax (PT5S) must not be below backoffInitial (PT10S)");
        assertThatThrownBy(() -> SocketTransportConfig.custom().peer("node-b", "localhost"))
                .hasMessage("expected host:port, got 'localhost'");
        assertThatThrownBy(() -> SocketTransportConfig.custom().peer("node-b", "localhost:0"))
                .hasMessage("port of peer node-b must be in [1,65535], got 0");
        assertThat(HostPort.parse("[::1]:60001")).isEqualTo(new HostPort("::1", 60001));
        assertThat(HostPort.parse("[::1]:60001").toString()).isEqualTo("[::1]:60001");
    }

    static List<String> transportThreadsOf(String nodeId) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("canary-in-" + nodeId + "-") || n.equals("canary-listen-" + nodeId)
                        || n.startsWith("canary-send-" + nodeId + "-to-") || n.equals("canary-nio-" + nodeId))
                .toList();
    }
}
