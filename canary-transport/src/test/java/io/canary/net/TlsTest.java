package io.canary.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.canary.transport.Message;
import io.canary.transport.TransportException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Optional mutual TLS: only nodes with a trusted certificate naming their own id get in. */
class TlsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    static TlsSettings tls(String keyStore) {
        return new TlsSettings(resource(keyStore + ".p12"), "changeit", resource("truststore.p12"), "changeit");
    }

    static Path resource(String name) {
        try {
            return Path.of(TlsTest.class.getResource("/tls/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void nodesOnMutualTlsExchangeMessagesAndReconnectAfterARestart() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            try (SocketTransport a = net.transport("node-a", net.config("node-a").tls(tls("node-a")).build())) {
                a.start("node-a", inboxA);
                Inbox inboxB = new Inbox();
                SocketTransport b = net.transport("node-b", net.config("node-b").tls(tls("node-b")).build());
                b.start("node-b", inboxB);
                a.send("node-b", new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                b.send("node-a", new Message.Heartbeat(0, 2, true, 0, -1, false, false));
                await().atMost(WAIT).until(() -> inboxA.size() == 1 && inboxB.size() == 1);
                assertThat(inboxA.all()).containsExactly(new Inbox.Received("node-b", new Message.Heartbeat(0, 2, true, 0, -1, false, false)));
                assertThat(inboxB.all()).containsExactly(new Inbox.Received("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false)));

                b.close();
                Inbox restartedInbox = new Inbox();
                try (SocketTransport restarted = net.transport("node-b", net.config("node-b").tls(tls("node-b")).build())) {
                    restarted.start("node-b", restartedInbox);
                    await().atMost(WAIT).until(() -> restarted.connectedPeers().contains("node-a"));
                    for (int i = 0; i < 10; i++) {
                        a.send("node-b", new Message.CommitAck(0, i));
                    }
                    await().atMost(WAIT).until(() -> restartedInbox.size() == 10);
                    assertThat(restartedInbox.messages()).first().isEqualTo(new Message.CommitAck(0, 0));
                }
                assertThat(a.rejections()).isEmpty();
            }
        }
    }

    @Test
    void aTlsNodeOnNioAndOneOnTheBlockingModelSpeakTheSameBytes() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            Inbox inboxB = new Inbox();
            try (SocketTransport a = net.transport("node-a", net.config("node-a").tls(tls("node-a")).ioModel(IoModel.NIO).build());
                 SocketTransport b = net.transport("node-b", net.config("node-b").tls(tls("node-b")).ioModel(IoModel.BLOCKING)
                         .build())) {
                a.start("node-a", inboxA);
                b.start("node-b", inboxB);
                assertThat(SocketTransportTest.transportThreadsOf("node-a")).containsExactly("canary-nio-node-a");
                for (int i = 0; i < 5; i++) {
                    a.send("node-b", new Message.CommitAck(0, i));
                    b.send("node-a", new Message.CommitAck(1, i));
                }
                await().atMost(WAIT).until(() -> inboxA.size() == 5 && inboxB.size() == 5);
                assertThat(inboxB.messages()).first().isEqualTo(new Message.CommitAck(0, 0));
                assertThat(inboxA.all()).allSatisfy(r -> assertThat(r.from()).isEqualTo("node-b"));
                assertThat(a.rejections()).isEmpty();
                assertThat(b.rejections()).isEmpty();
            }
        }
    }

    @Test
    void aPeerWithACertificateTheClusterDoesNotTrustIsRejectedOnBothSides() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            try (SocketTransport a = net.transport("node-a", net.config("node-a").tls(tls("node-a")).build());
                 SocketTransport b = net.transport("node-b", net.config("node-b").tls(tls("untrusted-node-b")).build())) {
                a.start("node-a", inboxA);
                b.start("node-b", new Inbox());
                b.send("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(a.rejections()).anySatisfy(line -> assertThat(line).matches(
                            "rejected connection from 127\\.0\\.0\\.1:\\d+: TLS handshake failed: the peer presented no certificate our truststore vouches for"));
                    assertThat(a.rejections()).contains("connection to node-b at " + net.address("node-b")
                            + " failed its TLS handshake: the peer's certificate is not signed by a certificate in our truststore");
                    assertThat(b.rejections()).anySatisfy(line -> assertThat(line)
                            .startsWith("connection to node-a at " + net.address("node-a") + " failed its TLS handshake: "));
                });
                assertThat(inboxA.all()).isEmpty();
            }
        }
    }

    @Test
    void aTrustedCertificateOfAnotherNodeCannotBeUsedToPoseAsThisOne() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            // Signed by the cluster's CA, but for node-z: it must not speak for node-b.
            try (SocketTransport a = net.transport("node-a", net.config("node-a").tls(tls("node-a")).build());
                 SocketTransport b = net.transport("node-b", net.config("node-b").tls(tls("node-z")).build())) {
                a.start("node-a", inboxA);
                b.start("node-b", new Inbox());
                b.send("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(a.rejections()).anySatisfy(line -> assertThat(line).matches(
                            "rejected connection from 127\\.0\\.0\\.1:\\d+ \\(node-b\\): the TLS certificate of node-b names \\[node-z\\], not node-b"));
                    assertThat(a.rejections()).contains("connection to node-b at " + net.address("node-b")
                            + " refused by node-a: its TLS certificate names [node-z], not node-b");
                });
                assertThat(inboxA.all()).isEmpty();
            }
        }
    }

    @Test
    void aPlainTcpPeerCannotTalkToATlsNode() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            try (SocketTransport a = net.transport("node-a", net.config("node-a").tls(tls("node-a")).build());
                 SocketTransport b = net.transport("node-b", net.config("node-b").build())) {
                a.start("node-a", inboxA);
                b.start("node-b", new Inbox());
                b.send("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(a.rejections()).anySatisfy(line -> assertThat(line)
                            .matches("rejected connection from 127\\.0\\.0\\.1:\\d+: TLS handshake failed: .+"));
                    // node-a's own dialling reaches plain node-b, which names the mismatch.
                    assertThat(b.stats().malformedFrames()).isPositive();
                });
                assertThat(inboxA.all()).isEmpty();
            }
        }
    }

    @Test
    void unreadableStoresAreOneClearStartupError() {
        try (Loopback net = new Loopback("test", "node-a")) {
            TlsSettings wrongPassword = new TlsSettings(tls("node-a").keyStore(), "wrong", tls("node-a").trustStore(), "changeit");
            SocketTransport a = net.transport("node-a", net.config("node-a").tls(wrongPassword).build());
            assertThatThrownBy(() -> a.start("node-a", new Inbox()))
                    .isInstanceOf(TransportException.class)
                    .hasMessage("cannot read keystore " + tls("node-a").keyStore() + ": wrong password or not a PKCS12 file");
            a.close();

            Path missing = Path.of("/nonexistent/node-a.p12");
            SocketTransport b = new SocketTransport(Loopback.fast().clusterId("test")
                    .tls(new TlsSettings(missing, "changeit", tls("node-a").trustStore(), "changeit")).build());
            assertThatThrownBy(() -> b.start("node-a", new Inbox()))
                    .isInstanceOf(TransportException.class).hasMessage("keystore /nonexistent/node-a.p12 does not exist");
            b.close();
        }
    }
}
