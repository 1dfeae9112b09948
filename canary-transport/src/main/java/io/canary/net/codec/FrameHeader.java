package io.canary.net.codec;

/**
 * The fixed 11-byte header of a frame (see {@link WireFormat}).
 *
 * @param version the sender's protocol version
 * @param type the frame type code
 * @param length payload length in bytes
 */
public record FrameHeader(int version, int type, int length) {

    /** Writes a header to {@code w}. */
    public static void write(WireWriter w, int version, int type, int length) {
        w.writeInt(WireFormat.MAGIC).writeShort(version).writeByte(type).writeInt(length);
    }

    /**
     * Parses and checks a header: the magic must match and the payload must fit the frame limit.
     * The version and type are checked by the caller, which knows whether a Hello is expected.
     *
     * @param header at least {@link WireFormat#HEADER_BYTES} bytes
     * @param maxFrameBytes the receiver's frame limit, header included
     * @throws CodecException for a wrong magic, a negative length or a frame over the limit; the
     *     caller must then allocate nothing for the payload
     */
    public static FrameHeader parse(byte[] header, int maxFrameBytes) {
        WireReader r = new WireReader(header, 0, WireFormat.HEADER_BYTES, 0);
        int magic = r.readInt("frame magic");
        if (magic != WireFormat.MAGIC) {
            if (looksLikeTls(header)) {
                throw new CodecException("not a Canary frame but TLS: the peer uses TLS and this node does not"
                        + " (enable TLS on every member or on none)");
            }
            throw new CodecException(String.format("not a Canary frame: magic 0x%08x, expected 0x%08x", magic, WireFormat.MAGIC));
        }
        int version = r.readUnsignedShort("frame version");
        int type = r.readUnsignedByte("frame type");
        int length = r.readInt("frame length");
        if (length < 0) {
            throw new CodecException("frame length is negative: " + length);
        }
        if ((long) length + WireFormat.HEADER_BYTES > maxFrameBytes) {
            throw new CodecException("frame of " + ((long) length + WireFormat.HEADER_BYTES)
                    + " bytes exceeds the limit of " + maxFrameBytes + " bytes");
        }
        return new FrameHeader(version, type, length);
    }

    /** A TLS record (handshake 0x16 or alert 0x15) of version 3.x: a TLS peer talking to a plain one. */
    public static boolean looksLikeTls(byte[] bytes) {
        return bytes.length >= 2 && (bytes[0] == 0x16 || bytes[0] == 0x15) && bytes[1] == 0x03;
    }
}
