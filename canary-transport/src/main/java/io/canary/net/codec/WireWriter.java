package io.canary.net.codec;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Appends big-endian primitives and length-prefixed UTF-8 strings to a growing byte array. */
public final class WireWriter {
    private byte[] buf;
    private int size;

    public WireWriter() {
        this(256);
    }

    public WireWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    /** Bytes written so far. */
    public int size() {
        return size;
    }

    /** A copy of the bytes written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    /** Overwrites a 4-byte int at {@code position} (e.g. a length known only at the end). */
    public void putInt(int position, int value) {
        if (position < 0 || position + 4 > size) {
            throw new IndexOutOfBoundsException("position " + position + " size " + size);
        }
        buf[position] = (byte) (value >>> 24);
        buf[position + 1] = (byte) (value >>> 16);
        buf[position + 2] = (byte) (value >>> 8);
        buf[position + 3] = (byte) value;
    }

    public WireWriter writeByte(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    public WireWriter writeBoolean(boolean v) {
        return writeByte(v ? 1 : 0);
    }

    public WireWriter writeShort(int v) {
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    public WireWriter writeInt(int v) {
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    public WireWriter writeLong(long v) {
        writeInt((int) (v >>> 32));
        return writeInt((int) v);
    }

    /** Raw bytes, as they are. */
    public WireWriter writeBytes(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
        return this;
    }

    /** The CRC32C of everything written so far (see {@link WireFormat#checksum}). */
    public WireWriter writeChecksum() {
        return writeInt(WireFormat.checksum(buf, 0, size));
    }

    /** Raw IEEE 754 bits, so every double (NaN payloads included) round-trips exactly. */
    public WireWriter writeDouble(double v) {
        return writeLong(Double.doubleToRawLongBits(v));
    }

    /**
     * A 4-byte byte count and the UTF-8 bytes.
     *
     * @throws CodecException if the string is not valid Unicode (a lone surrogate), because
     *     silently replacing it would deliver a message that was not sent
     */
    public WireWriter writeString(String s) {
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
        } catch (CharacterCodingException e) {
            throw new CodecException("string is not valid Unicode (lone surrogate?): " + abbreviate(s));
        }
        int n = encoded.remaining();
        writeInt(n);
        ensure(n);
        encoded.get(buf, size, n);
        size += n;
        return this;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private void ensure(int more) {
        long needed = (long) size + more;
        if (needed > buf.length) {
            if (needed > Integer.MAX_VALUE - 8) {
                throw new CodecException("message too large to encode");
            }
            buf = Arrays.copyOf(buf, (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 8, 2L * buf.length)));
        }
    }
}
