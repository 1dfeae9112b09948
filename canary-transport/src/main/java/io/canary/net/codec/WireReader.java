package io.canary.net.codec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads what {@link WireWriter} wrote from a bounded byte range, refusing anything that does not
 * fit. Every count or length read from the wire is checked against the bytes that remain
 * <em>before</em> anything is allocated for it, and everything the decoder builds is charged to
 * an allocation budget, so a hostile length field can neither make the reader allocate more than
 * the budget nor read past the payload. Every failure is a {@link CodecException} naming the field.
 *
 * <p>Not thread-safe: one reader per payload.
 */
public final class WireReader {
    /** Rough heap cost of one decoded element (object header and references), for the budget. */
    static final int ELEMENT_CHARGE = 32;

    private final byte[] buf;
    private final int end;
    private final long budget;
    private int pos;
    private long charged;

    /**
     * @param buf the bytes
     * @param offset where the payload starts
     * @param length payload length
     * @param budget most bytes the decoded object graph may take (see {@link #charge})
     */
    public WireReader(byte[] buf, int offset, int length, long budget) {
        if (offset < 0 || length < 0 || offset + length > buf.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length + " buffer " + buf.length);
        }
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
        this.budget = budget;
    }

    /** Bytes not read yet. */
    public int remaining() {
        return end - pos;
    }

    /** Bytes charged to the allocation budget so far. */
    public long charged() {
        return charged;
    }

    /**
     * Accounts for {@code bytes} the decoder is about to allocate for {@code what}.
     *
     * @throws CodecException if that would exceed the budget; nothing has been allocated then
     */
    public void charge(long bytes, String what) {
        if (bytes < 0 || charged + bytes > budget) {
            throw new CodecException(what + " would need " + bytes + " more bytes, over the decode budget of "
                    + budget + " (" + charged + " already used)");
        }
        charged += bytes;
    }

    public int readUnsignedByte(String what) {
        require(1, what);
        return buf[pos++] & 0xFF;
    }

    public boolean readBoolean(String what) {
        int b = readUnsignedByte(what);
        if (b > 1) {
            throw new CodecException(what + ": boolean must be 0 or 1, got " + b);
        }
        return b == 1;
    }

    public int readUnsignedShort(String what) {
        require(2, what);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    public int readInt(String what) {
        require(4, what);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    public long readLong(String what) {
        long hi = readInt(what) & 0xFFFFFFFFL;
        long lo = readInt(what) & 0xFFFFFFFFL;
        return (hi << 32) | lo;
    }

    public double readDouble(String what) {
        return Double.longBitsToDouble(readLong(what));
    }

    /**
     * Reads an element count and proves it plausible before the caller allocates for it: each
     * element takes at least {@code minBytesPerElement} on the wire, so a count larger than
     * {@code remaining / minBytesPerElement} cannot be honest. Charges the budget for the elements.
     */
    public int readCount(String what, int minBytesPerElement) {
        int n = readInt(what + " count");
        if (n < 0) {
            throw new CodecException(what + " count is negative: " + n);
        }
        long needed = (long) n * minBytesPerElement;
        if (needed > remaining()) {
            throw new CodecException(what + " count " + n + " needs at least " + needed
                    + " bytes but only " + remaining() + " remain");
        }
        charge((long) n * ELEMENT_CHARGE, what);
        return n;
    }

    /** A length-prefixed strictly valid UTF-8 string. */
    public String readString(String what) {
        int n = readInt(what + " length");
        if (n < 0) {
            throw new CodecException(what + " length is negative: " + n);
        }
        if (n > remaining()) {
            throw new CodecException(what + " length " + n + " exceeds the " + remaining() + " bytes that remain");
        }
        charge(2L * n + ELEMENT_CHARGE, what);
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, pos, n))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new CodecException(what + " is not valid UTF-8");
        }
        pos += n;
        return s;
    }

    /** Fails if bytes are left over: a payload longer than its message is malformed. */
    public void expectEnd(String what) {
        if (remaining() != 0) {
            throw new CodecException(what + " has " + remaining() + " trailing bytes");
        }
    }

    private void require(int n, String what) {
        if (remaining() < n) {
            throw new CodecException(what + " is truncated: needs " + n + " bytes, " + remaining() + " remain");
        }
    }
}
