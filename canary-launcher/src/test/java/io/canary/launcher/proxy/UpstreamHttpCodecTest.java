package io.canary.launcher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream side's codec on its own (an embedded channel, no sockets): answers paired with their
 * requests' methods as Netty's client codec pairs them, and header names passed on exactly as the
 * upstream spelled them, shared constants or not.
 */
class UpstreamHttpCodecTest {
    private final EmbeddedChannel ch = new EmbeddedChannel(UpstreamHttpCodec.handlers(new HttpDecoderConfig()));

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
    }

    private void send(HttpMethod method) {
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/x"));
        ByteBuf wire = ch.readOutbound();
        assertThat(wire.toString(StandardCharsets.US_ASCII)).startsWith(method.name() + " /x HTTP/1.1\r\n");
        wire.release();
    }

    private List<Object> answer(String raw) {
        ch.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.US_ASCII));
        List<Object> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add(o);
        }
        return out;
    }

    private static String body(List<Object> messages) {
        StringBuilder b = new StringBuilder();
        for (Object o : messages) {
            if (o instanceof HttpContent c) {
                b.append(c.content().toString(StandardCharsets.US_ASCII));
                c.release();
            }
        }
        return b.toString();
    }

    @Test
    void theAnswerToHeadHasNoBodyWhateverItsLengthSaysAndTheNextAnswerIsReadWhole() {
        send(HttpMethod.HEAD);
        send(HttpMethod.GET);
        List<Object> head = answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        assertThat(head).hasSize(2);
        assertThat(head.get(1)).isInstanceOf(LastHttpContent.class);
        assertThat(body(head)).isEmpty();
        List<Object> get = answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(get.get(get.size() - 1)).isInstanceOf(LastHttpContent.class);
        assertThat(body(get)).isEqualTo("hello");
    }

    @Test
    void anInformationalAnswerKeepsTheMethodForTheFinalOne() {
        send(HttpMethod.HEAD);
        send(HttpMethod.GET);
        List<Object> out = answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
        List<Integer> statuses = new ArrayList<>();
        for (Object o : out) {
            if (o instanceof HttpResponse r) {
                statuses.add(r.status().code());
            }
        }
        assertThat(statuses).containsExactly(100, 200, 200);
        assertThat(body(out)).as("the HEAD's 200 has no body; the GET's has its 3 bytes").isEqualTo("abc");
    }

    @Test
    void headerNamesKeepTheUpstreamsSpellingAndCommonOnesAreSharedConstants() {
        send(HttpMethod.GET);
        List<Object> out = answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-type: text/plain\r\nServer: s\r\n"
                + "X-Custom: c\r\n\r\nok");
        HttpResponse r = (HttpResponse) out.get(0);
        List<CharSequence> names = new ArrayList<>();
        for (Map.Entry<CharSequence, CharSequence> e : (Iterable<Map.Entry<CharSequence, CharSequence>>) r.headers()::iteratorCharSequence) {
            names.add(e.getKey());
        }
        assertThat(names).extracting(CharSequence::toString).containsExactly("Content-Length", "content-type", "Server", "X-Custom");
        assertThat((Object) names.get(0)).isSameAs(UpstreamHttpCodec.known(bytes("Content-Length"), 0, 14));
        assertThat((Object) names.get(2)).isSameAs(UpstreamHttpCodec.known(bytes("Server"), 0, 6));
        assertThat((Object) UpstreamHttpCodec.known(bytes("content-type"), 0, 12)).as("another spelling is not shared").isNull();
        assertThat((Object) UpstreamHttpCodec.known(bytes("xContent-Typex"), 1, 12)).isEqualTo(new AsciiString("Content-Type"));
        assertThat(r.headers().get("content-length")).isEqualTo("2");
        assertThat(body(out)).isEqualTo("ok");
    }

    @Test
    void trailersAreMadeOnlyWhenOneArrivesAndThenPassOnBothWays() {
        EmbeddedChannel lazy = new EmbeddedChannel(UpstreamHttpCodec.handlers(new HttpDecoderConfig().setTrailersFactory(LazyTrailers.FACTORY)));
        try {
            lazy.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/a"));
            lazy.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/b"));
            lazy.releaseOutbound();
            lazy.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                    + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 9\r\n\r\n", StandardCharsets.US_ASCII));
            List<LastHttpContent> lasts = new ArrayList<>();
            for (Object o; (o = lazy.readInbound()) != null; ) {
                if (o instanceof LastHttpContent last) {
                    lasts.add(last);
                } else if (o instanceof HttpContent c) {
                    c.release();
                }
            }
            assertThat(lasts).hasSize(2);
            assertThat(lasts.get(0).trailingHeaders()).isInstanceOf(LazyTrailers.class);
            assertThat(lasts.get(0).trailingHeaders().isEmpty()).isTrue();
            assertThat(lasts.get(0).trailingHeaders().get("X-Sum")).isNull();
            assertThat(lasts.get(1).trailingHeaders().get("x-sum")).isEqualTo("9");

            // And out again: a chunked answer written with those trailers carries them.
            EmbeddedChannel out = new EmbeddedChannel(new io.netty.handler.codec.http.HttpResponseEncoder());
            io.netty.handler.codec.http.DefaultHttpResponse head = new io.netty.handler.codec.http.DefaultHttpResponse(
                    HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpResponseStatus.OK);
            head.headers().set("Transfer-Encoding", "chunked");
            out.writeOutbound(head, lasts.get(1));
            StringBuilder wire = new StringBuilder();
            for (ByteBuf b; (b = out.readOutbound()) != null; ) {
                wire.append(b.toString(StandardCharsets.US_ASCII));
                b.release();
            }
            assertThat(wire.toString()).endsWith("0\r\nX-Sum: 9\r\n\r\n");
            lasts.get(0).release();
            out.finishAndReleaseAll();
        } finally {
            lazy.finishAndReleaseAll();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
