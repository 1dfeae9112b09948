package io.canary.launcher.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The heads the Netty engine writes, as bytes: a client's request head made the upstream's (RFC
 * 9110 section 7.6: the hop-by-hop fields {@code Connection}, every field it names,
 * {@code Keep-Alive}, {@code TE}, {@code Trailer}, {@code Upgrade}, {@code Proxy-*} dropped, and
 * {@code Expect}, which the proxy answered; {@code X-Forwarded-For} appended to, {@code Via} added
 * to, {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} set: this proxy is the edge), an
 * upstream's answer head made the client's (hop-by-hop dropped, {@code X-Canary-Version} ours,
 * framing for the client), and the proxy's own errors. Every other field line is copied as the
 * sender spelled it (name case, order, repeats), from the parsed head's byte ranges; the framing
 * fields ({@code Content-Length}, {@code Transfer-Encoding}) stay, as the body goes on framed as it came.
 *
 * <p>Pure functions; any thread.
 */
final class WireHeads {
    private static final byte[] HTTP11_CRLF = ascii(" HTTP/1.1\r\n");
    private static final byte[] HTTP11_SP = ascii("HTTP/1.1 ");
    private static final byte[] HOST = ascii("Host: ");
    private static final byte[] XFF = ascii("X-Forwarded-For: ");
    private static final byte[] XFP_HTTP = ascii("X-Forwarded-Proto: http\r\n");
    private static final byte[] XFH = ascii("X-Forwarded-Host: ");
    private static final byte[] VIA = ascii("Via: ");
    private static final byte[] MIRROR = ascii(MirrorSender.MIRROR_HEADER + ": 1\r\n");
    private static final byte[] CHUNKED = ascii("Transfer-Encoding: chunked\r\n");
    static final byte[] CONNECTION_CLOSE = ascii("Connection: close\r\n");
    static final byte[] CONNECTION_KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    private static final byte[] CONTINUE = ascii("HTTP/1.1 100 Continue\r\n\r\n");
    private static final short CRLF = ('\r' << 8) | '\n';
    private static final short COLON_SP = (':' << 8) | ' ';
    private static final short COMMA_SP = (',' << 8) | ' ';
    /** A body up to this size is copied behind its head (one buffer, one write); a larger one follows as its own buffer. */
    static final int MERGE_LIMIT = 8 * 1024;
    private static final ConcurrentHashMap<String, byte[]> VERSION_LINES = new ConcurrentHashMap<>();

    private WireHeads() {
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The request head for the upstream.
     *
     * @param target the target to send, or null for the client's own (already in origin form)
     * @param hostIfMissing the {@code Host} to add if the client sent none (HTTP/1.0), or null
     * @param remote the client's address, for {@code X-Forwarded-For}
     * @param via this proxy's {@code Via} entry ({@code 1.1 node-a})
     * @param mirror whether this is a mirror copy ({@code X-Canary-Mirror: 1})
     * @param room bytes to reserve behind the head (a body to copy in)
     */
    static ByteBuf upstreamRequest(ByteBufAllocator alloc, WireHead h, String target, String hostIfMissing, byte[] remote, byte[] via,
                                   boolean mirror, int room) {
        byte[] b = h.b;
        int size = b.length + 80 + remote.length + via.length + (target == null ? 0 : target.length())
                + (hostIfMissing == null ? 0 : hostIfMissing.length() + 8) + room;
        ByteBuf buf = alloc.buffer(size);
        buf.writeBytes(b, 0, h.methodEnd).writeByte(' ');
        if (target == null) {
            buf.writeBytes(b, h.targetStart, h.targetEnd - h.targetStart);
        } else {
            buf.writeCharSequence(target, StandardCharsets.ISO_8859_1);
        }
        buf.writeBytes(HTTP11_CRLF);
        boolean forwardedFor = false;
        boolean via0 = false;
        for (int i = 0; i < h.count; i++) {
            switch (h.kinds[i]) {
                case WireFields.CONNECTION, WireFields.HOP_BY_HOP, WireFields.EXPECT, WireFields.X_FORWARDED_PROTO, WireFields.X_FORWARDED_HOST -> {
                }
                case WireFields.X_FORWARDED_FOR -> forwardedFor = true;
                case WireFields.VIA -> via0 = true;
                default -> {
                    if (!h.namedByConnection(i)) {
                        line(buf, h, i);
                    }
                }
            }
        }
        if (h.host < 0 && hostIfMissing != null) {
            buf.writeBytes(HOST).writeCharSequence(hostIfMissing, StandardCharsets.ISO_8859_1);
            buf.writeShort(CRLF);
        }
        buf.writeBytes(XFF);
        if (forwardedFor) {
            joined(buf, h, WireFields.X_FORWARDED_FOR);
        }
        buf.writeBytes(remote).writeShort(CRLF);
        buf.writeBytes(XFP_HTTP);
        if (h.host >= 0) {
            buf.writeBytes(XFH).writeBytes(b, h.valueStart(h.host), h.valueEnd(h.host) - h.valueStart(h.host)).writeShort(CRLF);
        }
        buf.writeBytes(VIA);
        if (via0) {
            joined(buf, h, WireFields.VIA);
        }
        buf.writeBytes(via).writeShort(CRLF);
        if (mirror) {
            buf.writeBytes(MIRROR);
        }
        buf.writeShort(CRLF);
        return buf;
    }

    /** Every non-empty value of the fields of {@code kind}, each followed by ", ". */
    private static void joined(ByteBuf buf, WireHead h, byte kind) {
        for (int i = 0; i < h.count; i++) {
            if (h.kinds[i] == kind && h.valueEnd(i) > h.valueStart(i)) {
                buf.writeBytes(h.b, h.valueStart(i), h.valueEnd(i) - h.valueStart(i)).writeShort(COMMA_SP);
            }
        }
    }

    private static void line(ByteBuf buf, WireHead h, int i) {
        buf.writeBytes(h.b, h.nameStart(i), h.nameEnd(i) - h.nameStart(i)).writeShort(COLON_SP);
        buf.writeBytes(h.b, h.valueStart(i), h.valueEnd(i) - h.valueStart(i)).writeShort(CRLF);
    }

    /**
     * The answer head for the client.
     *
     * @param dropTransferEncoding the body goes on unchunked (an HTTP/1.0 client)
     * @param addChunked the body, framed by the upstream closing, goes on chunked
     * @param connection a {@code Connection} line to add, or null
     * @param room bytes to reserve behind the head
     */
    static ByteBuf clientAnswer(ByteBufAllocator alloc, WireHead r, String version, boolean dropTransferEncoding, boolean addChunked,
                                byte[] connection, int room) {
        byte[] b = r.b;
        byte[] versionLine = VERSION_LINES.computeIfAbsent(version, v -> ascii(CanaryProxyHandler.VERSION_HEADER + ": " + v + "\r\n"));
        ByteBuf buf = alloc.buffer(b.length + versionLine.length + 64 + room);
        buf.writeBytes(HTTP11_SP).writeBytes(b, r.statusStart, r.statusLineEnd - r.statusStart).writeShort(CRLF);
        boolean dropLength = r.chunked || r.otherTransferEncoding;
        for (int i = 0; i < r.count; i++) {
            switch (r.kinds[i]) {
                case WireFields.CONNECTION, WireFields.HOP_BY_HOP, WireFields.CANARY_VERSION -> {
                }
                case WireFields.TRANSFER_ENCODING -> {
                    if (!dropTransferEncoding) {
                        line(buf, r, i);
                    }
                }
                case WireFields.CONTENT_LENGTH -> {
                    if (!dropLength) {
                        line(buf, r, i);
                    }
                }
                default -> {
                    if (!r.namedByConnection(i)) {
                        line(buf, r, i);
                    }
                }
            }
        }
        buf.writeBytes(versionLine);
        if (addChunked) {
            buf.writeBytes(CHUNKED);
        }
        if (connection != null) {
            buf.writeBytes(connection);
        }
        buf.writeShort(CRLF);
        return buf;
    }

    /** {@code head} with {@code body} behind it: copied in if small (one buffer), else the two as one composite. */
    static ByteBuf join(ByteBufAllocator alloc, ByteBuf head, ByteBuf body) {
        int n = body.readableBytes();
        if (n == 0) {
            body.release();
            return head;
        }
        if (n <= MERGE_LIMIT) {
            head.writeBytes(body);
            body.release();
            return head;
        }
        return alloc.compositeBuffer(2).addComponents(true, head, body);
    }

    /** One chunk around {@code data} (released), for a body re-framed as chunks; the last one ends the body. */
    static ByteBuf chunk(ByteBufAllocator alloc, ByteBuf data, boolean last) {
        int n = data.readableBytes();
        ByteBuf buf = alloc.buffer(n + 16);
        if (n > 0) {
            buf.writeCharSequence(Integer.toHexString(n), StandardCharsets.US_ASCII);
            buf.writeShort(CRLF).writeBytes(data).writeShort(CRLF);
        }
        data.release();
        if (last) {
            buf.writeByte('0').writeShort(CRLF).writeShort(CRLF);
        }
        return buf;
    }

    /** {@code 100 Continue}. */
    static ByteBuf continueAnswer() {
        return Unpooled.wrappedBuffer(CONTINUE);
    }

    /** The proxy's own answer: a JSON body, never cached, naming {@code version} if one was chosen. */
    static ByteBuf error(HttpResponseStatus status, byte[] json, String version, boolean keepAlive) {
        StringBuilder s = new StringBuilder(160).append("HTTP/1.1 ").append(status.code()).append(' ').append(status.reasonPhrase())
                .append("\r\nContent-Type: application/json\r\nCache-Control: no-store\r\nContent-Length: ").append(json.length)
                .append("\r\n");
        if (version != null) {
            s.append(CanaryProxyHandler.VERSION_HEADER).append(": ").append(version).append("\r\n");
        }
        if (!keepAlive) {
            s.append("Connection: close\r\n");
        }
        s.append("\r\n");
        byte[] head = ascii(s.toString());
        return Unpooled.wrappedBuffer(head, json);
    }
}
