package io.canary.launcher.proxy;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * The client's request body as the upstream request reads it: chunk by chunk as the client sends
 * it (demand-driven, so memory per request is a chunk, not the body), counting bytes against the
 * limit, noting a client-side failure (a timeout or reset mid-body) so that it is not blamed on the
 * version, and feeding the mirror's copy when the request is mirrored.
 *
 * <p>Threading: Jetty's client calls {@link #read} and {@link #demand} serially for one request.
 */
final class BodyTap implements org.eclipse.jetty.client.Request.Content {
    private final Request source;
    private final Exchange exchange;
    private final long limit;
    private long read;

    BodyTap(Request source, Exchange exchange, long limit) {
        this.source = source;
        this.exchange = exchange;
        this.limit = limit;
    }

    @Override
    public String getContentType() {
        return source.getHeaders().get(HttpHeader.CONTENT_TYPE);
    }

    @Override
    public long getLength() {
        return source.getLength();
    }

    @Override
    public Content.Chunk read() {
        Content.Chunk chunk = source.read();
        if (chunk == null) {
            return null;
        }
        if (Content.Chunk.isFailure(chunk)) {
            exchange.clientFailed(chunk.getFailure());
            exchange.abandonMirror();
            return chunk;
        }
        ByteBuffer bytes = chunk.getByteBuffer();
        int n = bytes == null ? 0 : bytes.remaining();
        MirrorSender.Copy mirror = exchange.mirror;
        if (n > 0) {
            read += n;
            if (read > limit) {
                chunk.release();
                HttpException.RuntimeException tooLarge = new HttpException.RuntimeException(HttpStatus.PAYLOAD_TOO_LARGE_413,
                        "request body exceeds the proxy's limit of " + limit + " bytes");
                exchange.clientFailed(tooLarge);
                exchange.abandonMirror();
                return Content.Chunk.from(tooLarge, true);
            }
            if (mirror != null) {
                mirror.append(bytes);
            }
        }
        if (chunk.isLast() && mirror != null) {
            mirror.complete();
        }
        return chunk;
    }

    @Override
    public void demand(Runnable demandCallback) {
        source.demand(demandCallback);
    }

    @Override
    public void fail(Throwable failure) {
        source.fail(failure);
    }

    @Override
    public void fail(Throwable failure, boolean last) {
        source.fail(failure, last);
    }

    @Override
    public boolean rewind() {
        // A streamed body cannot be replayed: the client never retries a proxied request.
        return false;
    }
}
