package io.canary.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.transport.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: a node's transport threads do not grow with the cluster. Full meshes of 6 and of 51
 * authenticated NIO nodes on 127.0.0.1 (ephemeral ports): each node runs exactly one transport thread
 * at 5 peers and at 50, the JVM gains no other thread per node, and every ordered pair exchanges a
 * message. Under mutual TLS, a hub with 20 peers runs one transport thread too.
 */
class ManyPeersTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final ClusterSecret SECRET = ClusterSecret.generate();

    @Test
    void threadsPerNodeStayAtOneFromFiveToFiftyPeersAndEveryPairExchangesMessages() {
        Mesh five = mesh("m06", 6, b -> b.clusterSecret(SECRET));
        Mesh fifty = mesh("m51", 51, b -> b.clusterSecret(SECRET));

        assertThat(five.threadsOfFirstNode).containsExactly("canary-nio-m06-00");
        assertThat(fifty.threadsOfFirstNode).containsExactly("canary-nio-m51-00");
        // Every node has one, and nothing else came with them (no hidden pool per peer or per connection).
        assertThat(five.newThreads).hasSize(6);
        assertThat(fifty.newThreads).hasSize(51);
    }

    /**
     * Under mutual TLS (SSLEngine on the selector), a hub with 20 peers runs one transport thread. A
     * star, not a full mesh: each TLS handshake costs tens of milliseconds of CPU on a cold JVM (420 of
     * them for a full mesh of 21), and what is checked is the node that holds 20 connections each way.
     */
    @Test
    void underMutualTlsAHubWithTwentyPeersRunsOneTransportThread() {
        // One certificate names every node (t21-00 .. t21-20), signed by the star's own CA.
        TlsSettings tls = new TlsSettings(TlsTest.resource("mesh.p12"), "changeit", TlsTest.resource("mesh-truststore.p12"),
                "changeit");
        List<String> ids = IntStream.range(0, 21).mapToObj(i -> String.format("t21-%02d", i)).toList();
        String hub = ids.get(0);
        Set<String> before = liveThreads();
        Map<String, Inbox> inboxes = new LinkedHashMap<>();
        Map<String, SocketTransport> transports = new LinkedHashMap<>();
        try (Loopback net = new Loopback("star", ids.toArray(String[]::new))) {
            for (String id : ids) {
                SocketTransportConfig.Builder b = net.config(id).ioModel(IoModel.NIO).tls(tls)
                        .connectTimeout(Duration.ofSeconds(5)).maxQueueAge(Duration.ofSeconds(30));
                if (!id.equals(hub)) {
                    b.peers(Map.of(id, net.address(id), hub, net.address(hub))); // a spoke knows the hub only
                }
                Inbox inbox = new Inbox();
                SocketTransport t = net.transport(id, b.build());
                t.start(id, inbox);
                transports.put(id, t);
                inboxes.put(id, inbox);
            }
            for (int i = 1; i < ids.size(); i++) {
                transports.get(hub).send(ids.get(i), new Message.CommitAck(0, i));
                transports.get(ids.get(i)).send(hub, new Message.CommitAck(1, i));
            }
            await().atMost(WAIT).until(() -> inboxes.values().stream().skip(1).allMatch(in -> in.size() == 1)
                    && inboxes.get(hub).size() == 20);
            assertThat(inboxes.get(hub).all()).extracting(Inbox.Received::from).containsExactlyInAnyOrderElementsOf(ids.subList(1, 21));
            for (int i = 1; i < ids.size(); i++) {
                assertThat(inboxes.get(ids.get(i)).all()).containsExactly(new Inbox.Received(hub, new Message.CommitAck(0, i)));
            }
            await().atMost(WAIT).until(() -> transports.get(hub).connectedPeers().size() == 20);
            assertThat(SocketTransportTest.transportThreadsOf(hub)).containsExactly("canary-nio-" + hub);
            Set<String> added = liveThreads();
            added.removeAll(before);
            added.removeIf(name -> name.startsWith("awaitility"));
            assertThat(added).hasSize(21); // one per node, nothing per peer or per connection
            assertThat(transports.get(hub).stats().acceptedConnections()).isGreaterThanOrEqualTo(20);
            transports.values().forEach(t -> assertThat(t.rejections()).isEmpty());
        } finally {
            transports.values().forEach(SocketTransport::close);
        }
    }

    /** What one full mesh showed while it ran: threads, and the proof that every pair talked. */
    private record Mesh(List<String> threadsOfFirstNode, Set<String> newThreads) {
    }

    private static Mesh mesh(String prefix, int n, UnaryOperator<SocketTransportConfig.Builder> security) {
        List<String> ids = IntStream.range(0, n).mapToObj(i -> String.format("%s-%02d", prefix, i)).toList();
        Set<String> before = liveThreads();
        Map<String, Inbox> inboxes = new LinkedHashMap<>();
        List<SocketTransport> transports = new ArrayList<>();
        try (Loopback net = new Loopback("many", ids.toArray(String[]::new))) {
            for (String id : ids) {
                Inbox inbox = new Inbox();
                SocketTransport t = net.transport(id, security.apply(net.config(id).ioModel(IoModel.NIO))
                        // Generous: 2,550 handshakes on a cold JVM and a busy 2-core machine; a retry is no failure.
                        .connectTimeout(Duration.ofSeconds(5)).maxQueueAge(Duration.ofSeconds(30)).build());
                t.start(id, inbox);
                transports.add(t);
                inboxes.put(id, inbox);
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (i != j) {
                        // The content names the pair, so a message delivered to the wrong node or from the wrong id shows.
                        transports.get(i).send(ids.get(j), new Message.Heartbeat(i, j, true, 0, -1, false, false));
                    }
                }
            }
            await().atMost(WAIT).until(() -> inboxes.values().stream().allMatch(in -> in.size() >= n - 1));
            for (int j = 0; j < n; j++) {
                Inbox inbox = inboxes.get(ids.get(j));
                int receiver = j;
                Map<String, Message> expected = IntStream.range(0, n).filter(i -> i != receiver).boxed().collect(Collectors.toMap(
                        ids::get, i -> new Message.Heartbeat(i, receiver, true, 0, -1, false, false)));
                assertThat(inbox.all()).hasSize(n - 1);
                assertThat(inbox.all().stream().collect(Collectors.toMap(Inbox.Received::from, Inbox.Received::message)))
                        .isEqualTo(expected);
            }
            await().atMost(WAIT).until(() -> transports.stream().allMatch(t -> t.connectedPeers().size() == n - 1));
            for (SocketTransport t : transports) {
                assertThat(t.stats().acceptedConnections()).isGreaterThanOrEqualTo(n - 1);
                assertThat(t.stats().malformedFrames()).isZero();
                assertThat(t.stats().messagesDropped()).isZero();
            }
            List<String> first = SocketTransportTest.transportThreadsOf(ids.get(0));
            Set<String> added = liveThreads();
            added.removeAll(before);
            added.removeIf(name -> name.startsWith("awaitility"));
            return new Mesh(first, added);
        } finally {
            transports.forEach(SocketTransport::close);
        }
    }

    private static Set<String> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toCollection(java.util.HashSet::new));
    }
}
