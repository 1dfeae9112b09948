package io.canary.launcher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link WireDecoder} on its own: a stream of messages cut at every byte gives the same heads and
 * the same body bytes as read whole; bodies keep their framing (data counted apart); the answer to
 * {@code HEAD} and an informational answer are framed by their request; an answer framed by the
 * connection's end ends with it; the head limit and broken chunks fail the connection.
 */
class WireDecoderTest {
    private static final String REQUESTS = "\r\nPOST /a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
            + "PUT /b HTTP/1.1\r\nhost: h\r\ntransfer-encoding: gzip, Chunked\r\n\r\n3;e=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: 1\r\n\r\n"
            + "GET /c HTTP/1.0\nX-Lf: only\n\n";

    /** Each message as text: a head's start line and fields, a body's bytes, "|" after a message's last piece. */
    private static List<String> decode(EmbeddedChannel ch, List<byte[]> reads) {
        for (byte[] r : reads) {
            ch.writeInbound(Unpooled.wrappedBuffer(r));
        }
        List<String> out = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        long data = 0;
        for (Object o; (o = ch.readInbound()) != null; ) {
            if (o instanceof WireHead h) {
                StringBuilder s = new StringBuilder(h.request ? h.method() + " " + h.target() : "status " + h.status);
                for (int i = 0; i < h.count; i++) {
                    s.append(" [").append(new String(h.b, h.nameStart(i), h.nameEnd(i) - h.nameStart(i), StandardCharsets.ISO_8859_1))
                            .append('=').append(h.value(i)).append(']');
                }
                out.add(s.toString());
            } else if (o instanceof Wire.Piece p) {
                body.append(p.bytes().toString(StandardCharsets.ISO_8859_1));
                data += p.data();
                p.release();
                if (p.last()) {
                    out.add(body + " data=" + data + "|");
                    body.setLength(0);
                    data = 0;
                }
            } else {
                out.add("failure " + ((Wire.Failure) o).status());
            }
        }
        return out;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void messagesCutAtAnyByteDecodeAsWhole() {
        byte[] all = bytes(REQUESTS);
        List<String> whole = decode(new EmbeddedChannel(new WireDecoder(true, 1024)), List.of(all));
        assertThat(whole).containsExactly(
                "POST /a?x=1 [Host=h] [Content-Length=5]", "hello data=5|",
                "PUT /b [host=h] [transfer-encoding=gzip, Chunked]", "3;e=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: 1\r\n\r\n data=19|",
                "GET /c [X-Lf=only]", " data=0|");
        for (int cut = 1; cut < all.length; cut++) {
            for (int second = cut + 1; second < all.length; second += 7) {
                byte[] a = java.util.Arrays.copyOfRange(all, 0, cut);
                byte[] b = java.util.Arrays.copyOfRange(all, cut, second);
                byte[] c = java.util.Arrays.copyOfRange(all, second, all.length);
                List<String> split = decode(new EmbeddedChannel(new WireDecoder(true, 1024)), List.of(a, b, c));
                assertThat(split).as("cut at %d and %d", cut, second).isEqualTo(whole);
            }
        }
    }

    @Test
    void theAnswerToHeadHasNoBodyAndAnInformationalAnswerIsAHeadAlone() {
        WireDecoder d = new WireDecoder(false, 1024);
        EmbeddedChannel ch = new EmbeddedChannel(d);
        d.expect(true);
        assertThat(decode(ch, List.of(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")))).containsExactly(
                "status 200 [Content-Length=10]", " data=0|");
        d.expect(false);
        assertThat(decode(ch, List.of(bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")))).containsExactly(
                "status 100", "status 204", " data=0|", "status 200 [Content-Length=2]", "ok data=2|");
    }

    @Test
    void anAnswerWithoutLengthEndsWithTheConnection() {
        EmbeddedChannel ch = new EmbeddedChannel(new WireDecoder(false, 1024));
        ch.writeInbound(Unpooled.wrappedBuffer(bytes("HTTP/1.0 200 OK\r\n\r\nsome")), Unpooled.wrappedBuffer(bytes(" more")));
        ch.finish();
        assertThat(decode(ch, List.of())).containsExactly("status 200", "some more data=9|");
    }

    @Test
    void strippedChunksAreTheDataAlone() {
        WireDecoder d = new WireDecoder(false, 1024);
        EmbeddedChannel ch = new EmbeddedChannel(d);
        ch.writeInbound(Unpooled.wrappedBuffer(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")));
        assertThat((Object) ch.readInbound()).isInstanceOf(WireHead.class);
        d.stripChunks();
        assertThat(decode(ch, List.of(bytes("3\r\nabc\r\n"), bytes("4;x\r\ndefg\r\n0\r\nT: 1\r\n\r\n"))))
                .containsExactly("abcdefg data=7|");
    }

    @Test
    void aHeadOverTheLimitOrABrokenChunkFailsTheConnection() {
        EmbeddedChannel big = new EmbeddedChannel(new WireDecoder(true, 64));
        assertThat(decode(big, List.of(bytes("GET / HTTP/1.1\r\nX-A: " + "a".repeat(40)), bytes("a".repeat(40)))))
                .containsExactly("failure 431");
        assertThat(decode(big, List.of(bytes("\r\n\r\nGET / HTTP/1.1\r\n\r\n")))).as("nothing more is read").isEmpty();
        EmbeddedChannel chunks = new EmbeddedChannel(new WireDecoder(true, 1024));
        assertThat(decode(chunks, List.of(bytes("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))))
                .containsExactly("POST / [Transfer-Encoding=chunked]", "failure 400");
    }

    @Test
    void aBodyIsPassedOnAsSlicesOfTheReadBuffersWithoutCopies() {
        EmbeddedChannel ch = new EmbeddedChannel(new WireDecoder(true, 1024));
        ByteBuf read = Unpooled.wrappedBuffer(bytes("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody"));
        ch.writeInbound(read);
        ch.readInbound();
        Wire.Piece p = ch.readInbound();
        assertThat(p.bytes().unwrap()).as("a slice of the read buffer").isSameAs(read);
        p.release();
    }
}
