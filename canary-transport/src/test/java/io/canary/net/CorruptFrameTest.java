package io.canary.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.canary.net.codec.AuthOffer;
import io.canary.net.codec.Hello;
import io.canary.net.codec.MessageCodec;
import io.canary.net.codec.WireFormat;
import io.canary.transport.Message;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A frame damaged in transit fails its CRC32C: that connection closes, counted, and nothing else is affected. */
class CorruptFrameTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final MessageCodec codec = new MessageCodec(WireFormat.DEFAULT_MAX_FRAME_BYTES);

    @Test
    void aFrameWithOneFlippedBitClosesThatConnectionOnlyAndIsCountedAsCorrupt() throws IOException {
        try (Loopback net = new Loopback("test", "node-a", "node-b", "node-c")) {
            Inbox inboxA = new Inbox();
            try (SocketTransport a = net.start("node-a", inboxA); SocketTransport c = net.start("node-c", new Inbox())) {
                c.send("node-a", new Message.Heartbeat(0, 5, true, 0, -1, false, false));
                await().atMost(WAIT).until(() -> inboxA.messagesFrom("node-c").size() == 1);

                byte[] damaged = codec.encodeFrame(new Message.Heartbeat(0, 2, true, 0, -1, false, false));
                damaged[WireFormat.HEADER_BYTES + 3] ^= 0x10; // committed version 2 becomes 2 + 2^44: wrong, but decodable
                try (Socket s = new Socket(Loopback.HOST, net.address("node-a").port())) {
                    s.setSoTimeout(5_000);
                    s.getOutputStream().write(codec.encodeHello(new Hello("test", "node-b", WireFormat.PROTOCOL_VERSION)));
                    s.getOutputStream().write(codec.encodeAuth(new AuthOffer(AuthOffer.Mode.NONE, new byte[AuthOffer.NONCE_BYTES])));
                    s.getOutputStream().write(codec.encodeFrame(new Message.Heartbeat(0, 1, true, 0, -1, false, false)));
                    s.getOutputStream().write(damaged);
                    s.getOutputStream().write(codec.encodeFrame(new Message.Heartbeat(0, 3, true, 0, -1, false, false)));
                    s.getOutputStream().flush();
                    assertThat(readUntilClosed(s.getInputStream())).as("node-a closed the connection").isTrue();
                }

                await().atMost(WAIT).until(() -> a.stats().corruptFrames() == 1);
                assertThat(inboxA.messagesFrom("node-b")).containsExactly(new Message.Heartbeat(0, 1, true, 0, -1, false, false));
                assertThat(a.stats().malformedFrames()).isEqualTo(1);
                // The other peer's connection is untouched.
                c.send("node-a", new Message.Heartbeat(0, 6, true, 0, -1, false, false));
                await().atMost(WAIT).until(() -> inboxA.messagesFrom("node-c").size() == 2);
            }
        }
    }

    private static boolean readUntilClosed(InputStream in) throws IOException {
        byte[] sink = new byte[1024];
        try {
            while (in.read(sink) >= 0) {
                // node-a's Hello, then its close
            }
            return true;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }
}
