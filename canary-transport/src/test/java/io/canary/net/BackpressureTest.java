package io.canary.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.awaitility.Awaitility.await;

import io.canary.net.codec.AuthOffer;
import io.canary.net.codec.Hello;
import io.canary.net.codec.MessageCodec;
import io.canary.net.codec.WireFormat;
import io.canary.transport.Message;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A peer that completes its handshake and then stops reading must cost the sender a bounded queue and
 * one batch of bytes, never a blocked {@code send}, never a delay to the other peers; its connection
 * is closed (counted, logged) after the write-stall timeout and dialled again.
 */
class BackpressureTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int CAPACITY = 64;
    /** About 16 KiB per frame: a few hundred of them fill any loopback socket buffer. */
    private static final String BULK = "x".repeat(16 * 1024);

    @Test
    void aPeerThatStopsReadingNeitherBlocksSendsNorDelaysOtherPeersAndHoldsABoundedQueue() throws Exception {
        try (Loopback net = new Loopback("test", "node-a", "node-b"); StalledPeer stalled = new StalledPeer("node-s")) {
            SocketTransportConfig config = net.config("node-a").peer("node-s", stalled.address()).ioModel(IoModel.NIO)
                    .queueCapacity(CAPACITY).writeStallTimeout(Duration.ofSeconds(1)).build();
            Inbox inboxB = new Inbox();
            try (SocketTransport a = net.transport("node-a", config); SocketTransport b = net.transport("node-b",
                    net.config("node-b").ioModel(IoModel.NIO).build())) {
                a.start("node-a", new Inbox());
                b.start("node-b", inboxB);
                await().atMost(WAIT).until(() -> a.connectedPeers().equals(java.util.Set.of("node-b", "node-s")));

                // 2,000 bulky messages for the stalled peer (~32 MB, far more than any socket buffer) and 2,000 small
                // ones for node-b, interleaved in rounds: every send returns at once, node-b gets each round's
                // messages while node-s reads nothing, and the stalled queue never passes its bound.
                int rounds = 40;
                int perRound = 50;
                AtomicInteger maxQueued = new AtomicInteger();
                assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
                    for (int r = 0; r < rounds; r++) {
                        for (int i = r * perRound; i < (r + 1) * perRound; i++) {
                            a.send("node-s", new Message.Abort(0, i, 1, BULK));
                            a.send("node-b", new Message.CommitAck(0, i));
                            maxQueued.accumulateAndGet(a.queued("node-s"), Math::max);
                        }
                        int expected = (r + 1) * perRound;
                        await().atMost(WAIT).pollInterval(Duration.ofMillis(2))
                                .until(() -> inboxB.messagesFrom("node-a").size() == expected);
                    }
                });
                int total = rounds * perRound;
                assertThat(inboxB.messagesFrom("node-a")).containsExactlyElementsOf(
                        java.util.stream.IntStream.range(0, total).mapToObj(i -> (Message) new Message.CommitAck(0, i)).toList());
                assertThat(maxQueued.get()).isLessThanOrEqualTo(CAPACITY);
                // Nearly everything for the stalled peer was dropped and counted: at most its queue, one batch and
                // what its socket buffers took got through.
                assertThat(a.stats().messagesDropped()).isGreaterThan(total / 2);

                // After the stall timeout the connection is closed, counted, and dialled again.
                await().atMost(WAIT).until(() -> a.stats().stalledConnections() >= 1 && stalled.connections() >= 2);
                assertThat(a.queued("node-s")).isLessThanOrEqualTo(CAPACITY);
                // node-b is still served at once.
                a.send("node-b", new Message.CommitAck(1, 1));
                await().atMost(WAIT).until(() -> inboxB.messagesFrom("node-a").contains(new Message.CommitAck(1, 1)));
            }
        }
    }

    /**
     * A fake member on 127.0.0.1: answers the Hello and auth frames of each connection (no secret, as on
     * loopback), then never reads again. A small receive buffer makes the sender's side fill fast.
     */
    private static final class StalledPeer implements AutoCloseable {
        private final ServerSocket server;
        private final MessageCodec codec = new MessageCodec(WireFormat.DEFAULT_MAX_FRAME_BYTES);
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger bytesRead = new AtomicInteger();
        private final Thread thread;

        StalledPeer(String id) throws IOException {
            server = new ServerSocket();
            server.setReceiveBufferSize(8 * 1024);
            server.bind(new InetSocketAddress(Loopback.HOST, 0));
            thread = new Thread(() -> serve(id), "stalled-peer");
            thread.setDaemon(true);
            thread.start();
        }

        HostPort address() {
            return new HostPort(Loopback.HOST, server.getLocalPort());
        }

        int connections() {
            return connections.get();
        }

        int bytesRead() {
            return bytesRead.get();
        }

        private void serve(String id) {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    skipFrame(in); // the Hello
                    skipFrame(in); // the auth frame
                    s.getOutputStream().write(codec.encodeHello(new Hello("test", id, WireFormat.PROTOCOL_VERSION)));
                    s.getOutputStream().write(codec.encodeAuth(new AuthOffer(AuthOffer.Mode.NONE, new byte[AuthOffer.NONCE_BYTES])));
                    s.getOutputStream().flush();
                    connections.incrementAndGet();
                    // ... and from now on, read nothing.
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void skipFrame(DataInputStream in) throws IOException {
            byte[] header = new byte[WireFormat.HEADER_BYTES];
            in.readFully(header);
            int length = ((header[7] & 0xFF) << 24) | ((header[8] & 0xFF) << 16) | ((header[9] & 0xFF) << 8) | (header[10] & 0xFF);
            in.readFully(new byte[length + WireFormat.CHECKSUM_BYTES]);
            bytesRead.addAndGet(header.length + length + WireFormat.CHECKSUM_BYTES);
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

}
