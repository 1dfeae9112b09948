package io.canary.net.internal;

import io.canary.net.codec.CodecException;
import io.canary.net.codec.CorruptFrameException;
import io.canary.net.codec.FrameHeader;
import io.canary.net.codec.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads whole frames from a blocking stream. The header is checked (magic, length within the
 * frame limit) before any payload buffer exists, and the buffer then grows only as bytes actually
 * arrive, so a peer that announces 1 MiB and sends nothing costs nothing. Not thread-safe.
 */
final class FrameReader {
    /** A frame read off the wire. */
    record Frame(FrameHeader header, byte[] payload) {
    }

    private static final int FIRST_CHUNK = 64 * 1024;

    private final InputStream in;
    private final int maxFrameBytes;
    private final Counters counters;
    private final byte[] header = new byte[WireFormat.HEADER_BYTES];
    private final byte[] trailer = new byte[WireFormat.CHECKSUM_BYTES];
    /** Verifies every frame's authentication tag once the connection is authenticated; null before, or without a secret. */
    private FrameSeal seal;

    FrameReader(InputStream in, int maxFrameBytes, Counters counters) {
        this.in = in;
        this.maxFrameBytes = maxFrameBytes;
        this.counters = counters;
    }

    /**
     * @return the next frame, or null if the stream ended cleanly between frames
     * @throws CodecException if the header is malformed, the frame too large, or the stream ends
     *     inside a frame; {@link CorruptFrameException} if its checksum does not match;
     *     {@link io.canary.net.codec.ForgedFrameException} if its authentication tag does not
     * @throws IOException if the connection fails
     */
    Frame read() throws IOException {
        int got = readAtMost(header, 0, header.length);
        if (got == 0) {
            return null;
        }
        if (got < header.length) {
            if (FrameHeader.looksLikeTls(header)) {
                throw new CodecException("the peer answered in TLS: it uses TLS and this node does not"
                        + " (enable TLS on every member or on none)");
            }
            throw new CodecException("truncated frame: the connection closed after " + got + " of "
                    + header.length + " header bytes");
        }
        FrameHeader h = FrameHeader.parse(header, maxFrameBytes);
        byte[] payload = readPayload(h.length());
        byte[] tag = null;
        if (seal != null) {
            tag = new byte[WireFormat.TAG_BYTES];
            int tagGot = readAtMost(tag, 0, tag.length);
            if (tagGot < tag.length) {
                throw new CodecException("truncated frame: the connection closed after " + tagGot + " of "
                        + tag.length + " authentication tag bytes");
            }
        }
        if (WireFormat.hasChecksum(h.version())) {
            verifyChecksum(h, payload, tag);
        }
        if (seal != null) {
            seal.verify(header, payload, tag);
        }
        return new Frame(h, payload);
    }

    /**
     * From the next frame on, every frame must carry the authentication tag of {@code seal}: called
     * once the handshake established the session.
     */
    void sealed(FrameSeal s) {
        this.seal = s;
    }

    private void verifyChecksum(FrameHeader h, byte[] payload, byte[] tag) throws IOException {
        int got = readAtMost(trailer, 0, WireFormat.CHECKSUM_BYTES);
        if (got < WireFormat.CHECKSUM_BYTES) {
            throw new CodecException("truncated frame: the connection closed after " + got + " of "
                    + WireFormat.CHECKSUM_BYTES + " checksum bytes");
        }
        int sent = ((trailer[0] & 0xFF) << 24) | ((trailer[1] & 0xFF) << 16) | ((trailer[2] & 0xFF) << 8) | (trailer[3] & 0xFF);
        CRC32C crc = new CRC32C();
        crc.update(header, 0, header.length);
        crc.update(payload, 0, payload.length);
        if (tag != null) {
            crc.update(tag, 0, tag.length);
        }
        int computed = (int) crc.getValue();
        if (computed != sent) {
            throw new CorruptFrameException(String.format("frame checksum mismatch (CRC32C 0x%08x, computed 0x%08x over"
                    + " a frame of type %d and %d payload bytes): damaged in transit", sent, computed, h.type(), h.length()));
        }
    }

    private byte[] readPayload(int length) throws IOException {
        byte[] buf = new byte[Math.min(length, FIRST_CHUNK)];
        int got = 0;
        while (got < length) {
            if (got == buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(length, 2L * buf.length));
            }
            int n = in.read(buf, got, buf.length - got);
            if (n < 0) {
                throw new CodecException("truncated frame: the connection closed after " + got + " of "
                        + length + " payload bytes");
            }
            got += n;
        }
        counters.frameAllocated(buf.length);
        return buf;
    }

    private int readAtMost(byte[] b, int off, int len) throws IOException {
        int got = 0;
        while (got < len) {
            int n = in.read(b, off + got, len - got);
            if (n < 0) {
                break;
            }
            got += n;
        }
        return got;
    }
}
