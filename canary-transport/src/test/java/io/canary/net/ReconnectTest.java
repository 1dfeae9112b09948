package io.canary.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.transport.Message;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Peers that are down at start, or restart, are reconnected without operator action. */
class ReconnectTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aPeerDownAtStartIsConnectedWhenItComesUpAndGetsWhatWasQueuedForIt() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            net.release("node-b");
            Inbox inboxA = new Inbox();
            try (SocketTransport a = net.start("node-a", inboxA)) {
                a.send("node-b", new Message.Heartbeat(0, 7, true, 0, -1, false, false));
                assertThat(a.connectedPeers()).isEmpty();

                Inbox inboxB = new Inbox();
                try (SocketTransport b = net.start("node-b", inboxB)) {
                    await().atMost(WAIT).until(() -> inboxB.size() == 1);
                    assertThat(inboxB.all()).containsExactly(new Inbox.Received("node-a", new Message.Heartbeat(0, 7, true, 0, -1, false, false)));
                    b.send("node-a", new Message.CommitAck(0, 1));
                    await().atMost(WAIT).until(() -> inboxA.size() == 1);
                    assertThat(a.connectedPeers()).isEqualTo(Set.of("node-b"));
                }
            }
        }
    }

    @Test
    void aMessageQueuedLongerThanTheMaxQueueAgeIsDroppedNotDeliveredLateWhenThePeerReturns() {
        // A forwarded command whose caller gave up must not be applied whenever the peer comes back.
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            net.release("node-b");
            SocketTransport a = net.transport("node-a", net.config("node-a").maxQueueAge(Duration.ofMillis(200)).build());
            try (a) {
                a.start("node-a", new Inbox());
                long queuedAt = System.nanoTime();
                a.send("node-b", new Message.Heartbeat(0, 7, true, 0, -1, false, false));
                // Let the queued message age past the limit while node-b is down (no fixed sleep: poll the clock).
                await().atMost(WAIT).until(() -> System.nanoTime() - queuedAt > Duration.ofMillis(400).toNanos());

                Inbox inboxB = new Inbox();
                try (SocketTransport b = net.start("node-b", inboxB)) {
                    a.send("node-b", new Message.Heartbeat(0, 8, true, 0, -1, false, false));
                    await().atMost(WAIT).until(() -> inboxB.messages().contains(new Message.Heartbeat(0, 8, true, 0, -1, false, false)));
                    assertThat(inboxB.messages()).doesNotContain(new Message.Heartbeat(0, 7, true, 0, -1, false, false));
                    assertThat(a.stats().messagesExpired()).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void aPeerThatRestartsIsReconnectedAndMessagesFlowBothWaysAgain() {
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            Inbox inboxA = new Inbox();
            try (SocketTransport a = net.start("node-a", inboxA)) {
                SocketTransport b = net.start("node-b", new Inbox());
                a.send("node-b", new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                b.send("node-a", new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                await().atMost(WAIT).until(() -> inboxA.size() == 1 && a.connectedPeers().contains("node-b"));

                b.close();
                // Sent while node-b is down: kept in node-a's queue for it.
                a.send("node-b", new Message.Heartbeat(0, 2, true, 0, -1, false, false));

                Inbox inboxB = new Inbox();
                try (SocketTransport restarted = net.start("node-b", inboxB)) {
                    await().atMost(WAIT).until(() -> inboxB.messages().contains(new Message.Heartbeat(0, 2, true, 0, -1, false, false)));
                    restarted.send("node-a", new Message.Heartbeat(0, 3, true, 0, -1, false, false));
                    await().atMost(WAIT).until(() -> inboxA.messages().contains(new Message.Heartbeat(0, 3, true, 0, -1, false, false)));
                    a.send("node-b", new Message.CommitAck(0, 9));
                    await().atMost(WAIT).until(() -> inboxB.messages().contains(new Message.CommitAck(0, 9)));
                    assertThat(inboxB.all()).allSatisfy(r -> assertThat(r.from()).isEqualTo("node-a"));
                }
            }
        }
    }

    @Test
    void aRestartedPeerMissesNothingSentAfterItCameBack() {
        // The stale connection to the old process must be noticed before writing, not by losing a message.
        try (Loopback net = new Loopback("test", "node-a", "node-b")) {
            try (SocketTransport a = net.start("node-a", new Inbox())) {
                Inbox first = new Inbox();
                SocketTransport b = net.start("node-b", first);
                a.send("node-b", new Message.CommitAck(0, 1));
                await().atMost(WAIT).until(() -> first.size() == 1);
                b.close();

                Inbox second = new Inbox();
                try (SocketTransport restarted = net.start("node-b", second)) {
                    await().atMost(WAIT).until(() -> restarted.stats().acceptedConnections() + restarted.connectedPeers().size() >= 1);
                    for (int i = 2; i <= 20; i++) {
                        a.send("node-b", new Message.CommitAck(0, i));
                    }
                    await().atMost(WAIT).until(() -> second.size() == 19);
                    assertThat(second.messages()).first().isEqualTo(new Message.CommitAck(0, 2));
                }
            }
        }
    }
}
