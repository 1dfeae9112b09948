package io.canary.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.net.codec.MessageCodec;
import io.canary.net.codec.Samples;
import io.canary.net.codec.WireFormat;
import io.canary.transport.Message;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Feeds a listening node at least 100,000 hostile frames, each on its own connection (a bad frame
 * closes its connection, so one per connection is what a node really faces), before and after a
 * valid handshake. The node must close each bad connection, deliver exactly the well-formed
 * messages, stay within its frame limit, and afterwards still talk to real peers.
 */
class FuzzTest {
    private static final int CASES = Integer.getInteger("canary.fuzz.cases", 100_000);
    private static final int CLIENTS = 2; // one per core
    private static final long SEED = Long.getLong("canary.fuzz.seed", System.nanoTime());
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Set<String> MEMBERS = Set.of("node-a", "node-b", "node-c");

    @Test
    void aNodeSurvivesHostileFramesAndStillExchangesMessagesWithItsPeers() throws Exception {
        System.out.println("FuzzTest seed " + SEED + " (rerun with -Dcanary.fuzz.seed=" + SEED + ")");
        MessageCodec codec = new MessageCodec(WireFormat.DEFAULT_MAX_FRAME_BYTES);
        try (Loopback net = new Loopback("test", "node-a", "node-b", "node-c")) {
            Inbox inboxA = new Inbox();
            try (SocketTransport a = net.start("node-a", inboxA)) {
                ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
                List<Future<Outcome>> results = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    long seed = SEED + c;
                    // Each client poses as its own peer: a node replaces an older connection of the
                    // same peer (a reconnect means the old one is dead), which would cut a sibling short.
                    String posingAs = c == 0 ? "node-b" : "node-c";
                    results.add(clients.submit(() -> fuzz(net.address("node-a"), codec, seed, CASES / CLIENTS, posingAs)));
                }
                Outcome total = new Outcome();
                for (Future<Outcome> f : results) {
                    total.add(f.get());
                }
                clients.shutdown();
                System.out.println("FuzzTest: " + total.cases + " frames on " + total.cases + " connections " + total.byMutation
                        + ", " + total.expected.size() + " well-formed messages, node stats " + a.stats());

                assertThat(total.cases).isGreaterThanOrEqualTo(CASES);
                assertThat(total.hung).as("connections the node left open on a bad frame").isZero();
                // Exactly the well-formed messages arrived, from the identity the handshake established.
                await().atMost(WAIT).until(() -> inboxA.size() >= total.expected.size());
                assertThat(counts(inboxA.all())).isEqualTo(counts(total.expected));
                assertThat(inboxA.size()).isEqualTo(total.expected.size());
                TransportStats stats = a.stats();
                assertThat(stats.malformedFrames()).isGreaterThan(CASES / 2);
                assertThat(stats.largestFrameBytes()).isLessThanOrEqualTo(WireFormat.DEFAULT_MAX_FRAME_BYTES);
                assertThat(stats.largestDecodeBytes()).isLessThanOrEqualTo(WireFormat.DEFAULT_MAX_FRAME_BYTES);
                assertThat(SocketTransportTest.transportThreadsOf("node-a")).contains("canary-listen-node-a");

                // Real peers, node-b among them (the fuzzer impersonated it), still get through both ways.
                Inbox inboxB = new Inbox();
                Inbox inboxC = new Inbox();
                try (SocketTransport b = net.start("node-b", inboxB); SocketTransport c = net.start("node-c", inboxC)) {
                    b.send("node-a", new Message.CommitAck(1));
                    c.send("node-a", new Message.CommitAck(2));
                    a.send("node-b", new Message.CommitAck(3));
                    a.send("node-c", new Message.CommitAck(4));
                    await().atMost(WAIT).untilAsserted(() -> {
                        assertThat(inboxA.all()).contains(new Inbox.Received("node-b", new Message.CommitAck(1)),
                                new Inbox.Received("node-c", new Message.CommitAck(2)));
                        assertThat(inboxB.all()).contains(new Inbox.Received("node-a", new Message.CommitAck(3)));
                        assertThat(inboxC.all()).contains(new Inbox.Received("node-a", new Message.CommitAck(4)));
                    });
                }
            }
        }
    }

    /** One client: {@code cases} connections, each with one hostile frame, 1 in 5 before any Hello. */
    private static Outcome fuzz(HostPort target, MessageCodec codec, long seed, int cases, String posingAs)
            throws IOException {
        FrameFuzzer fuzzer = new FrameFuzzer(codec, Samples.messages(), seed);
        java.util.Random random = new java.util.Random(seed);
        Outcome outcome = new Outcome();
        InetSocketAddress address = new InetSocketAddress(target.host(), target.port());
        for (int i = 0; i < cases; i++) {
            FrameFuzzer.Mutation mutation = fuzzer.pick();
            byte[] frame = fuzzer.frame(mutation);
            byte[] bytes;
            if (random.nextInt(5) == 0) {
                // Before the handshake: the frame itself, or a mangled Hello, comes first.
                bytes = random.nextBoolean() ? frame : FrameFuzzer.concat(fuzzer.hello("test", posingAs, true), frame);
            } else {
                bytes = FrameFuzzer.concat(fuzzer.hello("test", posingAs, false), frame);
            }
            outcome.expected.addAll(fuzzer.expectedDeliveries(bytes, "test", "node-a", MEMBERS));
            outcome.byMutation.merge(mutation, 1L, Long::sum);
            outcome.cases++;
            if (!sendAndAwaitClose(address, bytes)) {
                outcome.hung++;
            }
        }
        return outcome;
    }

    /** Sends {@code bytes}, ends our side, and waits for the node to close its side. */
    private static boolean sendAndAwaitClose(InetSocketAddress address, byte[] bytes) throws IOException {
        try (Socket s = new Socket()) {
            s.setSoLinger(true, 0); // no TIME_WAIT: 100,000 connections must not exhaust ephemeral ports
            s.connect(address, 5_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            try {
                out.write(bytes);
                out.flush();
                s.shutdownOutput();
            } catch (IOException closedEarly) {
                return true; // the node closed on an early bad byte while we were still writing
            }
            byte[] sink = new byte[4096];
            try {
                while (in.read(sink) >= 0) {
                    // the node's Hello or Reject, then its close
                }
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }
    }

    private static Map<Inbox.Received, Long> counts(List<Inbox.Received> messages) {
        Map<Inbox.Received, Long> m = new HashMap<>();
        messages.forEach(x -> m.merge(x, 1L, Long::sum));
        return m;
    }

    private static final class Outcome {
        long cases;
        long hung;
        final List<Inbox.Received> expected = new ArrayList<>();
        final Map<FrameFuzzer.Mutation, Long> byMutation = new EnumMap<>(FrameFuzzer.Mutation.class);

        void add(Outcome o) {
            cases += o.cases;
            hung += o.hung;
            expected.addAll(o.expected);
            o.byMutation.forEach((k, v) -> byMutation.merge(k, v, Long::sum));
        }
    }

}
