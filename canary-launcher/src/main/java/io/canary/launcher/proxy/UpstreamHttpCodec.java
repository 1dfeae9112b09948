package io.canary.launcher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;

/**
 * The HTTP/1.1 codec of a connection to an upstream (Netty engine): Netty's request encoder and
 * response decoder, paired as {@code HttpClientCodec} pairs them (each answer is matched with the
 * method of its request, so the answer to a {@code HEAD}, or a {@code 200} to a {@code CONNECT},
 * has no body; an informational answer keeps the method for the one that follows), with one
 * difference: the answer's common header names ({@code Content-Length}, {@code Date}, ...) are
 * shared constants when the upstream spells them the usual way, as Netty's request decoder does
 * for requests, instead of a new name object and its bytes for every header of every answer (the
 * allocation profile of BENCHMARKS.md part 3). A name spelled any other way is decoded as before,
 * so names reach the client exactly as the upstream wrote them.
 *
 * <p>Threading: its connection's event loop only, like any codec.
 */
final class UpstreamHttpCodec {
    /** Response header names, exactly as most servers spell them; indexed by length for the lookup. */
    private static final AsciiString[][] KNOWN = byLength("Date", "Vary", "ETag", "Server", "Expires", "Connection",
            "Keep-Alive", "Content-Type", "Cache-Control", "Last-Modified", "Content-Length", "Accept-Ranges",
            "Content-Encoding", "Transfer-Encoding", "X-Canary-Version");

    private UpstreamHttpCodec() {
    }

    /** The decoder and the encoder of one connection, in pipeline order; they share the queue of methods in flight. */
    static ChannelHandler[] handlers(HttpDecoderConfig config) {
        ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);
        return new ChannelHandler[] {new ResponseDecoder(config, methods), new RequestEncoder(methods)};
    }

    /** The shared name for {@code length} bytes of {@code bytes} from {@code start} if they spell a known one exactly, else null. */
    static AsciiString known(byte[] bytes, int start, int length) {
        if (length >= KNOWN.length) {
            return null;
        }
        for (AsciiString name : KNOWN[length]) {
            byte[] k = name.array();
            int i = 0;
            while (i < length && k[i] == bytes[start + i]) {
                i++;
            }
            if (i == length) {
                return name;
            }
        }
        return null;
    }

    private static AsciiString[][] byLength(String... names) {
        int max = 0;
        for (String n : names) {
            max = Math.max(max, n.length());
        }
        AsciiString[][] table = new AsciiString[max + 1][];
        for (int len = 0; len <= max; len++) {
            int count = 0;
            for (String n : names) {
                count += n.length() == len ? 1 : 0;
            }
            table[len] = new AsciiString[count];
            int i = 0;
            for (String n : names) {
                if (n.length() == len) {
                    table[len][i++] = AsciiString.cached(n);
                }
            }
        }
        return table;
    }

    private static final class ResponseDecoder extends HttpResponseDecoder {
        private final ArrayDeque<HttpMethod> methods;

        ResponseDecoder(HttpDecoderConfig config, ArrayDeque<HttpMethod> methods) {
            super(config);
            this.methods = methods;
        }

        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString name = known(sb, start, length);
            return name != null ? name : super.splitHeaderName(sb, start, length);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            HttpResponse response = (HttpResponse) msg;
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg); // the final answer to the same request follows
            }
            HttpMethod method = methods.poll();
            if (method != null && (method.equals(HttpMethod.HEAD)
                    || (method.equals(HttpMethod.CONNECT) && response.status().code() == 200))) {
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }
    }

    private static final class RequestEncoder extends HttpRequestEncoder {
        private final ArrayDeque<HttpMethod> methods;

        RequestEncoder(ArrayDeque<HttpMethod> methods) {
            this.methods = methods;
        }

        @Override
        protected void encodeInitialLine(ByteBuf buf, HttpRequest request) throws Exception {
            methods.add(request.method());
            super.encodeInitialLine(buf, request);
        }
    }
}
