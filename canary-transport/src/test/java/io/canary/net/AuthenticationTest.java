package io.canary.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.canary.transport.Message;
import io.canary.transport.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every control connection is authenticated both ways with the cluster secret, and every frame after
 * the handshake carries a tag: a node posing as node-b without the secret, with a wrong one, with
 * another member's node key or with a recorded handshake is refused with one clear line on each
 * side and never reaches the protocol; a frame altered in flight closes that connection.
 */
class AuthenticationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ClusterSecret SECRET = ClusterSecret.generate();
    private static final String BAD_PROOF_OF_B = "authentication failed: node-b's proof does not match node-a's key for node-b"
            + " (a wrong cluster secret, another member's node key, or a replayed handshake)";

    @Test
    void membersWithTheSecretConnectBothWaysAndTheirMessagesArrive() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            Inbox inboxB = new Inbox();
            try (SocketTransport a = start(net, "node-a", SECRET, inboxA); SocketTransport b = start(net, "node-b", SECRET, inboxB)) {
                b.send("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                a.send("node-b", new Message.Heartbeat(0, 2, false, 0, -1, false, false));
                await().atMost(WAIT).until(() -> inboxA.size() == 1 && inboxB.size() == 1);
                assertThat(inboxA.messagesFrom("node-b")).containsExactly(new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                assertThat(inboxB.messagesFrom("node-a")).containsExactly(new Message.Heartbeat(0, 2, false, 0, -1, false, false));
                assertThat(a.rejections()).isEmpty();
                assertThat(b.rejections()).isEmpty();
            }
        }
    }

    @Test
    void aNodeWithoutTheSecretIsRefusedWithAClearLineOnBothSides() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            try (SocketTransport a = start(net, "node-a", SECRET, inboxA); SocketTransport b = start(net, "node-b", null, new Inbox())) {
                b.send("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                String why = "node-b has no cluster secret and node-a requires one (give every member the same cluster secret)";
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(a.rejections()).anySatisfy(line -> assertThat(line)
                            .matches("rejected connection from 127\\.0\\.0\\.1:\\d+ \\(node-b\\): " + quote(why)));
                    assertThat(b.rejections()).contains("connection to node-a at " + net.address("node-a") + " rejected by node-a: " + why);
                    // node-a dialling node-b: node-b, the acceptor there, refuses it the other way round.
                    assertThat(a.rejections()).contains("connection to node-b at " + net.address("node-b") + " rejected by node-b: "
                            + "node-a authenticates with a cluster secret and node-b has none (give every member the same cluster secret)");
                });
                assertThat(inboxA.all()).isEmpty();
                assertThat(a.stats().acceptedConnections()).isZero();
            }
        }
    }

    @Test
    void aWrongSecretFailsAuthenticationWithAClearLineOnBothSides() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            try (SocketTransport a = start(net, "node-a", SECRET, inboxA);
                 SocketTransport b = start(net, "node-b", ClusterSecret.generate(), new Inbox())) {
                b.send("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(a.rejections()).anySatisfy(line -> assertThat(line)
                            .matches("rejected connection from 127\\.0\\.0\\.1:\\d+ \\(node-b\\): " + quote(BAD_PROOF_OF_B)));
                    assertThat(b.rejections()).contains("connection to node-a at " + net.address("node-a") + " rejected by node-a: "
                            + BAD_PROOF_OF_B);
                });
                assertThat(inboxA.all()).isEmpty();
                assertThat(a.stats().acceptedConnections()).isZero();
            }
        }
    }

    @Test
    void anotherMembersNodeKeyCannotSpeakForNodeBWhileNodeBsOwnKeyCan() {
        try (Loopback net = new Loopback("test", "node-a", "node-b", "node-c")) {
            List<String> members = List.of("node-a", "node-b", "node-c");
            // node-c's node key, with its owner line rewritten to claim node-b: what an insider would try.
            String stolen = SECRET.forNode("node-c", members).encode().replace("canary-node-key-v1 node-c", "canary-node-key-v1 node-b")
                    .replace("peer node-b ", "peer node-c ");
            Inbox inboxA = new Inbox();
            try (SocketTransport a = start(net, "node-a", SECRET, inboxA)) {
                try (SocketTransport impostor = start(net, "node-b", ClusterSecret.parse(stolen), new Inbox())) {
                    impostor.send("node-a", new Message.Heartbeat(0, 99, true, 0, -1, false, false));
                    await().atMost(WAIT).untilAsserted(() -> assertThat(a.rejections()).anySatisfy(line -> assertThat(line)
                            .matches("rejected connection from 127\\.0\\.0\\.1:\\d+ \\(node-b\\): " + quote(BAD_PROOF_OF_B))));
                }
                assertThat(inboxA.all()).isEmpty();
                // node-b's own node key (derived from the same cluster secret) is accepted by node-a's cluster secret.
                try (SocketTransport b = start(net, "node-b", SECRET.forNode("node-b", members), new Inbox())) {
                    b.send("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                    await().atMost(WAIT).until(() -> inboxA.messagesFrom("node-b").equals(List.of(new Message.Heartbeat(0, 1, true, 0, -1, false, false))));
                }
            }
        }
    }

    @Test
    void aNodeKeyDerivedBeforeAMemberJoinedSaysSoInsteadOfFailingAuthentication() {
        try (Loopback net = new Loopback("test", "node-a", "node-b", "node-c")) {
            // node-b's key knows node-a only; node-c joined later and holds the cluster secret.
            ClusterSecret oldKeyOfB = SECRET.forNode("node-b", List.of("node-a", "node-b"));
            try (SocketTransport b = start(net, "node-b", oldKeyOfB, new Inbox());
                 SocketTransport c = start(net, "node-c", SECRET, new Inbox())) {
                c.send("node-b", new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                String why = "node-b's node key has no pair key for node-c (derive node-b's node key again from the cluster"
                        + " secret, with node-c among its peers)";
                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(b.rejections()).anySatisfy(line -> assertThat(line)
                            .matches("rejected connection from 127\\.0\\.0\\.1:\\d+ \\(node-c\\): " + quote(why)));
                    assertThat(c.rejections()).contains("connection to node-b at " + net.address("node-b") + " rejected by node-b: " + why);
                });
            }
        }
    }

    @Test
    void aRecordedHandshakeReplayedByAnotherProcessIsRefusedAndDeliversNothing() throws IOException {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            try (SocketTransport a = start(net, "node-a", SECRET, inboxA);
                 TcpRelay relay = new TcpRelay(net.address("node-a"), 3, -1, f -> { })) {
                // node-b reaches node-a through the relay, which records everything node-b sends.
                SocketTransport b = net.transport("node-b", net.config("node-b").clusterSecret(SECRET)
                        .peer("node-a", relay.address()).build());
                try (b) {
                    b.start("node-b", new Inbox());
                    b.send("node-a", new Message.Heartbeat(0, 7, true, 0, -1, false, false));
                    await().atMost(WAIT).until(() -> inboxA.messagesFrom("node-b").size() == 1);
                }
                byte[] recorded = relay.recorded(0);
                long rejectedBefore = a.stats().rejectedConnections();

                try (Socket replay = new Socket(Loopback.HOST, net.address("node-a").port())) {
                    replay.setSoTimeout(5_000);
                    replay.getOutputStream().write(recorded);
                    replay.getOutputStream().flush();
                    drainUntilClosed(replay.getInputStream());
                }
                await().atMost(WAIT).until(() -> a.stats().rejectedConnections() > rejectedBefore);
                assertThat(a.rejections()).last().asString()
                        .matches("rejected connection from 127\\.0\\.0\\.1:\\d+ \\(node-b\\): " + quote(BAD_PROOF_OF_B));
                assertThat(inboxA.messagesFrom("node-b")).as("the replayed heartbeat is not delivered again")
                        .containsExactly(new Message.Heartbeat(0, 7, true, 0, -1, false, false));
            }
        }
    }

    @Test
    void aFrameAlteredInFlightFailsItsTagClosesThatConnectionAndIsCounted() throws IOException {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            // The relay flips a bit of node-b's first message (frame 3, after Hello, auth and proof) and
            // recomputes the CRC32C, as an attacker would: only the tag can tell.
            try (SocketTransport a = start(net, "node-a", SECRET, inboxA);
                 TcpRelay relay = new TcpRelay(net.address("node-a"), 3, 3, frame -> {
                     frame[io.canary.net.codec.WireFormat.HEADER_BYTES + 7] ^= 0x01; // committed version 5 becomes 4
                     TcpRelay.reseal(frame);
                 })) {
                SocketTransport b = net.transport("node-b", net.config("node-b").clusterSecret(SECRET)
                        .peer("node-a", relay.address()).build());
                try (b) {
                    b.start("node-b", new Inbox());
                    b.send("node-a", new Message.Heartbeat(0, 5, true, 0, -1, false, false));
                    await().atMost(WAIT).until(() -> a.stats().forgedFrames() == 1);
                    assertThat(relay.tampered()).isEqualTo(1);
                    assertThat(a.stats().corruptFrames()).as("the CRC matched: it was recomputed").isZero();
                    // node-b reconnects (through the relay, untouched now) and goes on.
                    b.send("node-a", new Message.Heartbeat(0, 6, true, 0, -1, false, false));
                    await().atMost(WAIT).until(() -> !inboxA.messagesFrom("node-b").isEmpty());
                }
                assertThat(inboxA.messagesFrom("node-b")).as("the altered frame was never delivered, altered or not")
                        .containsExactly(new Message.Heartbeat(0, 6, true, 0, -1, false, false));
                assertThat(a.stats().malformedFrames()).isEqualTo(1);
            }
        }
    }

    @Test
    void aNonLoopbackBindWithoutASecretOrTlsIsAClearStartupError() {
        SocketTransportConfig open = Loopback.fast().clusterId("test").bindHost("0.0.0.0").port(0)
                .peer("node-b", "127.0.0.1:1").build();
        try (SocketTransport t = new SocketTransport(open)) {
            assertThatThrownBy(() -> t.start("node-a", new Inbox())).isInstanceOf(TransportException.class)
                    .hasMessageStartingWith("node-a's control port would listen on 0.0.0.0:0, reachable from other machines,"
                            + " with no authentication: anyone reaching it could pose as a member. Make a cluster secret once"
                            + " (canary secret generate > cluster.key)");
            assertThat(t.port()).isEqualTo(-1);
        }
        // The same bind with a secret starts (no traffic is sent anywhere but loopback here).
        try (SocketTransport t = new SocketTransport(SocketTransportConfig.from(open).clusterSecret(SECRET).build())) {
            t.start("node-a", new Inbox());
            assertThat(t.port()).isPositive();
        }
    }

    @Test
    void aNodeKeyOfAnotherNodeIsAClearStartupError() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            ClusterSecret keyOfC = SECRET.forNode("node-c", List.of("node-a", "node-b", "node-c"));
            try (SocketTransport b = net.transport("node-b", net.config("node-b").clusterSecret(keyOfC).build())) {
                assertThatThrownBy(() -> b.start("node-b", new Inbox())).isInstanceOf(TransportException.class)
                        .hasMessage("the node key given to node-b is node-c's: give each node its own (canary secret derive"
                                + " --id node-b) or the cluster secret itself");
            }
        }
    }

    private static SocketTransport start(Loopback net, String id, ClusterSecret secret, Inbox inbox) {
        SocketTransport t = net.transport(id, net.config(id).clusterSecret(secret).build());
        t.start(id, inbox);
        return t;
    }

    private static String quote(String s) {
        return java.util.regex.Pattern.quote(s);
    }

    private static void drainUntilClosed(InputStream in) throws IOException {
        byte[] sink = new byte[1024];
        try {
            while (in.read(sink) >= 0) {
                // node-a's Hello, auth frame and Reject, then its close
            }
        } catch (java.net.SocketException reset) {
            // closed
        }
    }
}
