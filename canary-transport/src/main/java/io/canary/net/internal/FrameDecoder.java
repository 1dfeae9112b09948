package io.canary.net.internal;

import io.canary.net.codec.CodecException;
import io.canary.net.codec.CorruptFrameException;
import io.canary.net.codec.FrameHeader;
import io.canary.net.codec.WireFormat;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The non-blocking twin of {@link FrameReader}: fed whatever bytes arrived, it hands out whole
 * frames, with exactly the same checks and error lines. The header is checked (magic, length within
 * the frame limit) before any payload buffer exists, and that buffer then grows only as bytes
 * actually arrive, so a peer that announces 1 MiB and sends nothing costs nothing. Not thread-safe
 * (one per connection, on the selector thread).
 */
final class FrameDecoder {
    private static final int FIRST_CHUNK = 64 * 1024;

    private enum Part { HEADER, PAYLOAD, TAG, CHECKSUM }

    private final int maxFrameBytes;
    private final Counters counters;
    private final byte[] header = new byte[WireFormat.HEADER_BYTES];
    private final byte[] tag = new byte[WireFormat.TAG_BYTES];
    private final byte[] trailer = new byte[WireFormat.CHECKSUM_BYTES];
    private Part part = Part.HEADER;
    private int got;
    private FrameHeader current;
    private byte[] payload;
    private FrameSeal seal;
    /** The seal of the frame being read: taken when its header arrives, so a seal set meanwhile applies to the next. */
    private FrameSeal frameSeal;

    FrameDecoder(int maxFrameBytes, Counters counters) {
        this.maxFrameBytes = maxFrameBytes;
        this.counters = counters;
    }

    /** From the next frame on, every frame must carry {@code s}'s authentication tag. */
    void sealed(FrameSeal s) {
        seal = s;
    }

    /**
     * Consumes bytes of {@code in} up to the end of the next whole frame.
     *
     * @return that frame, or null once {@code in} is used up without completing one
     * @throws CodecException for a malformed or oversized header; {@link CorruptFrameException} for
     *     a checksum that does not match; {@link io.canary.net.codec.ForgedFrameException} for a tag
     */
    FrameReader.Frame next(ByteBuffer in) {
        while (in.hasRemaining()) {
            switch (part) {
                case HEADER -> {
                    if (fill(in, header)) {
                        current = FrameHeader.parse(header, maxFrameBytes);
                        frameSeal = seal;
                        payload = new byte[Math.min(current.length(), FIRST_CHUNK)];
                        got = 0;
                        part = Part.PAYLOAD;
                        FrameReader.Frame f = advancePastPayload();
                        if (f != null) {
                            return f;
                        }
                    }
                }
                case PAYLOAD -> {
                    int length = current.length();
                    if (got == payload.length) {
                        payload = Arrays.copyOf(payload, (int) Math.min(length, 2L * payload.length));
                    }
                    int n = Math.min(in.remaining(), payload.length - got);
                    in.get(payload, got, n);
                    got += n;
                    FrameReader.Frame f = advancePastPayload();
                    if (f != null) {
                        return f;
                    }
                }
                case TAG -> {
                    if (fill(in, tag)) {
                        part = WireFormat.hasChecksum(current.version()) ? Part.CHECKSUM : Part.HEADER;
                        if (part == Part.HEADER) {
                            return finish();
                        }
                    }
                }
                case CHECKSUM -> {
                    if (fill(in, trailer)) {
                        verifyChecksum();
                        part = Part.HEADER;
                        return finish();
                    }
                }
            }
        }
        return null;
    }

    /**
     * The stream ended: fine between frames, a {@link CodecException} ("truncated frame ...", the
     * same line as the blocking reader) inside one.
     *
     * @return true if no byte of a frame was read at all since the last whole frame
     */
    void endOfStream() {
        switch (part) {
            case HEADER -> {
                if (got == 0) {
                    return;
                }
                if (FrameHeader.looksLikeTls(header)) {
                    throw new CodecException("the peer answered in TLS: it uses TLS and this node does not"
                            + " (enable TLS on every member or on none)");
                }
                throw new CodecException("truncated frame: the connection closed after " + got + " of "
                        + header.length + " header bytes");
            }
            case PAYLOAD -> throw new CodecException("truncated frame: the connection closed after " + got + " of "
                    + current.length() + " payload bytes");
            case TAG -> throw new CodecException("truncated frame: the connection closed after " + got + " of "
                    + tag.length + " authentication tag bytes");
            case CHECKSUM -> throw new CodecException("truncated frame: the connection closed after " + got + " of "
                    + WireFormat.CHECKSUM_BYTES + " checksum bytes");
        }
    }

    /** After payload bytes: moves on once the payload is whole; returns the frame if it has no trailer at all. */
    private FrameReader.Frame advancePastPayload() {
        if (got < current.length()) {
            return null;
        }
        counters.frameAllocated(payload.length);
        got = 0;
        if (frameSeal != null) {
            part = Part.TAG;
            return null;
        }
        if (WireFormat.hasChecksum(current.version())) {
            part = Part.CHECKSUM;
            return null;
        }
        part = Part.HEADER;
        return finish();
    }

    /** Copies into {@code into} from {@link #got} on; true (and {@link #got} reset) once it is full. */
    private boolean fill(ByteBuffer in, byte[] into) {
        int n = Math.min(in.remaining(), into.length - got);
        in.get(into, got, n);
        got += n;
        if (got < into.length) {
            return false;
        }
        got = 0;
        return true;
    }

    private void verifyChecksum() {
        int sent = ((trailer[0] & 0xFF) << 24) | ((trailer[1] & 0xFF) << 16) | ((trailer[2] & 0xFF) << 8) | (trailer[3] & 0xFF);
        CRC32C crc = new CRC32C();
        crc.update(header, 0, header.length);
        crc.update(payload, 0, payload.length);
        if (frameSeal != null) {
            crc.update(tag, 0, tag.length);
        }
        int computed = (int) crc.getValue();
        if (computed != sent) {
            throw new CorruptFrameException(String.format("frame checksum mismatch (CRC32C 0x%08x, computed 0x%08x over"
                    + " a frame of type %d and %d payload bytes): damaged in transit", sent, computed, current.type(),
                    current.length()));
        }
    }

    private FrameReader.Frame finish() {
        if (frameSeal != null) {
            frameSeal.verify(header.clone(), payload, tag.clone());
        }
        FrameReader.Frame f = new FrameReader.Frame(current, payload);
        payload = null;
        current = null;
        got = 0;
        return f;
    }
}
