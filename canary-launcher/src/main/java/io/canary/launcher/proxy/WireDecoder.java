package io.canary.launcher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * The HTTP/1.x reader of the Netty engine, for requests (a client connection) or answers (an
 * upstream connection): a head is found by its empty line, copied out of the read buffer once and
 * parsed ({@link WireHead}); its body is passed on as slices of the read buffers, framed as it
 * came ({@link Wire.Piece}): by {@code Content-Length}, by chunks (sizes, extensions and trailers
 * included, walked only to find the end) or, for an answer, by the connection's end. A body-less
 * message is its head then {@link Wire.Piece#EMPTY_LAST}, in the same read. This replaces Netty's
 * HTTP codec, which decoded every head into a header map of strings and re-encoded it (39% of the
 * proxy's CPU: BENCHMARKS.md part 3).
 *
 * <p>A head over {@code maxHead} bytes is a {@link Wire.Failure} 431 (an answer's: 502), as is a
 * malformed one (400/505) or a broken chunk size; after a failure the rest of the connection's bytes
 * are dropped. An answer's framing depends on its request: {@link #expect} tells it a {@code HEAD}
 * was sent (no body whatever the head says); an informational answer (1xx) is a head alone.
 *
 * <p>Threading: its connection's event loop only.
 */
final class WireDecoder extends ByteToMessageDecoder {
    private static final int HEAD = 0;
    private static final int BODY = 1;
    private static final int DEAD = 2;
    private static final int MAX_CHUNK_LINE = 4096;

    private final boolean requests;
    private final int maxHead;
    private final ChunkedBody chunks = new ChunkedBody();
    private int state = HEAD;
    /** How far the current head was scanned for its end (a head split across reads is not rescanned). */
    private int scanned;
    /** Body framing: bytes left of a Content-Length body, or -1 for chunked, -2 for until the end of the connection. */
    private long left;
    private boolean headRequest;
    private boolean strip;

    WireDecoder(boolean requests, int maxHead) {
        this.requests = requests;
        this.maxHead = maxHead;
    }

    /** (Answers) the next answer is to a {@code HEAD} request, or not. */
    void expect(boolean head) {
        headRequest = head;
        strip = false;
    }

    /** (Answers) the current chunked body goes on as its data only (for an HTTP/1.0 client). */
    void stripChunks() {
        strip = true;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        switch (state) {
            case HEAD -> head(in, out);
            case BODY -> body(in, out);
            default -> in.skipBytes(in.readableBytes());
        }
    }

    private void head(ByteBuf in, List<Object> out) {
        if (requests && scanned == 0) {
            // RFC 9112 2.2: empty lines before a request line are ignored.
            while (in.isReadable() && (in.getByte(in.readerIndex()) == '\r' || in.getByte(in.readerIndex()) == '\n')) {
                in.skipBytes(1);
            }
            if (!in.isReadable()) {
                return;
            }
        }
        int end = headEnd(in);
        if (end < 0) {
            if (in.readableBytes() > maxHead) {
                fail(in, out, requests ? 431 : 502, "request line and headers exceed the proxy's limit");
            }
            return;
        }
        scanned = 0;
        if (end - in.readerIndex() > maxHead) {
            fail(in, out, requests ? 431 : 502, "request line and headers exceed the proxy's limit");
            return;
        }
        byte[] bytes = new byte[end - in.readerIndex()];
        in.readBytes(bytes);
        WireHead h;
        try {
            h = WireHead.parse(bytes, requests);
        } catch (WireHead.Malformed e) {
            fail(in, out, e.status, e.getMessage());
            return;
        }
        out.add(h);
        if (requests) {
            frame(out, h.chunked ? -1 : Math.max(0, h.contentLength));
        } else if (h.status < 200 && h.status != 101) {
            return; // informational: the final answer to the same request follows
        } else if (headRequest || h.status == 204 || h.status == 304 || h.status == 101) {
            frame(out, 0);
        } else {
            frame(out, h.chunked ? -1 : h.contentLength >= 0 && !h.otherTransferEncoding ? h.contentLength : -2);
        }
    }

    private void frame(List<Object> out, long framing) {
        if (framing == 0) {
            out.add(Wire.Piece.EMPTY_LAST);
            return;
        }
        left = framing;
        state = BODY;
        if (framing == -1) {
            chunks.reset();
        }
    }

    /** The index just past the empty line ending the head at the reader index, or -1 if it has not all come. */
    private int headEnd(ByteBuf in) {
        int w = in.writerIndex();
        int from = in.readerIndex() + scanned;
        for (;;) {
            int lf = in.indexOf(from, w, (byte) '\n');
            if (lf < 0) {
                scanned = w - in.readerIndex();
                return -1;
            }
            if (lf + 1 >= w || (in.getByte(lf + 1) == '\r' && lf + 2 >= w)) {
                scanned = lf - in.readerIndex(); // look at this line end again when more comes
                return -1;
            }
            byte next = in.getByte(lf + 1);
            if (next == '\n') {
                return lf + 2;
            }
            if (next == '\r' && in.getByte(lf + 2) == '\n') {
                return lf + 3;
            }
            from = lf + 1;
        }
    }

    private void body(ByteBuf in, List<Object> out) {
        if (left >= 0) {
            int n = (int) Math.min(in.readableBytes(), left);
            left -= n;
            boolean last = left == 0;
            out.add(new Wire.Piece(in.readRetainedSlice(n), n, last));
            if (last) {
                state = HEAD;
            }
        } else if (left == -2) {
            int n = in.readableBytes();
            out.add(new Wire.Piece(in.readRetainedSlice(n), n, false));
        } else {
            Wire.Piece p;
            try {
                p = chunks.next(in, strip);
            } catch (WireHead.Malformed e) {
                fail(in, out, e.status, e.getMessage());
                return;
            }
            if (p != null) {
                out.add(p);
                if (p.last()) {
                    state = HEAD;
                }
            }
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.isReadable()) {
            decode(ctx, in, out);
        }
        if (state == BODY && left == -2) {
            // The body that the end of the connection frames ends here.
            state = HEAD;
            out.add(Wire.Piece.EMPTY_LAST);
        }
    }

    private void fail(ByteBuf in, List<Object> out, int status, String message) {
        state = DEAD;
        in.skipBytes(in.readableBytes());
        out.add(new Wire.Failure(requests ? status : 502, requests ? message : "the upstream's answer: " + message));
    }

    /** The walk through a chunked body: where its chunks end, and which bytes are data. */
    private static final class ChunkedBody {
        private static final int SIZE = 0;
        private static final int DATA = 1;
        private static final int DATA_END = 2;
        private static final int TRAILER = 3;

        private int state;
        private long chunkLeft;

        void reset() {
            state = SIZE;
        }

        /** The next piece of the body from {@code in}, or null if more must come first. */
        Wire.Piece next(ByteBuf in, boolean strip) throws WireHead.Malformed {
            int start = in.readerIndex();
            int pos = start;
            int w = in.writerIndex();
            long data = 0;
            boolean last = false;
            loop:
            for (;;) {
                switch (state) {
                    case SIZE -> {
                        int lf = in.indexOf(pos, w, (byte) '\n');
                        if (lf < 0) {
                            if (w - pos > MAX_CHUNK_LINE) {
                                throw new WireHead.Malformed(400, "a chunk size line too long");
                            }
                            break loop;
                        }
                        chunkLeft = size(in, pos, lf);
                        pos = lf + 1;
                        state = chunkLeft == 0 ? TRAILER : DATA;
                    }
                    case DATA -> {
                        if (pos == w) {
                            break loop;
                        }
                        if (strip && pos > start) {
                            start = pos; // framing before this data is dropped
                        }
                        int n = (int) Math.min(w - pos, chunkLeft);
                        pos += n;
                        chunkLeft -= n;
                        data += n;
                        if (chunkLeft == 0) {
                            state = DATA_END;
                        }
                        if (strip) {
                            break loop; // one run of data per piece
                        }
                    }
                    case DATA_END -> {
                        if (pos == w || (in.getByte(pos) == '\r' && pos + 1 == w)) {
                            break loop;
                        }
                        byte c = in.getByte(pos);
                        if (c == '\n') {
                            pos += 1;
                        } else if (c == '\r' && in.getByte(pos + 1) == '\n') {
                            pos += 2;
                        } else {
                            throw new WireHead.Malformed(400, "a chunk not followed by CRLF");
                        }
                        state = SIZE;
                    }
                    default -> { // TRAILER: header lines until the empty one
                        int lf = in.indexOf(pos, w, (byte) '\n');
                        if (lf < 0) {
                            if (w - pos > MAX_CHUNK_LINE) {
                                throw new WireHead.Malformed(400, "a trailer line too long");
                            }
                            break loop;
                        }
                        boolean empty = lf == pos || (lf == pos + 1 && in.getByte(pos) == '\r');
                        pos = lf + 1;
                        if (empty) {
                            last = true;
                            state = SIZE;
                            break loop;
                        }
                    }
                }
            }
            if (strip && data == 0) {
                in.readerIndex(pos);
                return last ? Wire.Piece.EMPTY_LAST : null;
            }
            if (pos == start && !last) {
                return null;
            }
            ByteBuf slice = in.retainedSlice(start, pos - start);
            in.readerIndex(pos);
            return new Wire.Piece(slice, data, last);
        }

        private static long size(ByteBuf in, int from, int lf) throws WireHead.Malformed {
            long n = 0;
            int digits = 0;
            for (int i = from; i < lf; i++) {
                int c = in.getByte(i);
                int d = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
                if (d < 0) {
                    if (digits > 0 && (c == ';' || c == '\r' || c == ' ' || c == '\t')) {
                        return n; // extensions are passed on as they are, not read
                    }
                    throw new WireHead.Malformed(400, "an unreadable chunk size");
                }
                if (++digits > 15) {
                    throw new WireHead.Malformed(400, "a chunk size too large");
                }
                n = n * 16 + d;
            }
            if (digits == 0) {
                throw new WireHead.Malformed(400, "an unreadable chunk size");
            }
            return n;
        }
    }
}
