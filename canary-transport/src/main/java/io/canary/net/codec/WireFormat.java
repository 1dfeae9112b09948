package io.canary.net.codec;

/**
 * The frame layout, fixed across protocol versions so that two nodes of different versions can
 * still read each other's {@link Hello} and reject frames and say what is wrong:
 *
 * <pre>
 *   magic    4 bytes  'C' 'N' 'R' 'Y'
 *   version  2 bytes  protocol version of the sender (unsigned)
 *   type     1 byte   {@link #TYPE_HELLO}, {@link #TYPE_REJECT} or a {@link MessageType} code
 *   length   4 bytes  payload length (signed; negative is malformed)
 *   payload  length bytes
 *   tag      32 bytes HMAC-SHA256 authentication tag: only on an authenticated connection, after its handshake
 *   checksum 4 bytes  CRC32C of every byte of the frame before it (from version 2 on)
 * </pre>
 *
 * All numbers are big-endian. Header and payload never exceed the receiver's limit. The checksum
 * makes a frame damaged in transit (a flipped bit the TCP checksum missed, a broken middlebox) a
 * clear error that closes that connection, instead of a message that was never sent; it is not a
 * defence against an attacker, who can recompute it (see the authenticated transport for that).
 * Whether a frame carries a checksum follows from the version in its own header, so a version-1
 * node's Hello (which has none) is still read and refused with a clear line.
 */
public final class WireFormat {
    /** "CNRY": lets a receiver tell a Canary peer from a stray client at once. */
    public static final int MAGIC = 0x434E5259;
    /** The protocol version this code speaks; bump it whenever a payload layout changes. */
    public static final int PROTOCOL_VERSION = 4;
    /** The first protocol version whose frames end with a CRC32C checksum. */
    public static final int FIRST_CHECKSUMMED_VERSION = 2;
    /** The CRC32C trailer. */
    public static final int CHECKSUM_BYTES = 4;
    /** magic + version + type + length. */
    public static final int HEADER_BYTES = 11;
    /** Default hard limit of one frame, header included: 1 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;
    /** Smallest limit a transport accepts: room for a Hello with long ids. */
    public static final int MIN_MAX_FRAME_BYTES = 1024;
    /** Largest limit a transport accepts: 64 MiB. */
    public static final int MAX_MAX_FRAME_BYTES = 64 << 20;

    /** The first frame on every connection, both ways. Its payload layout never changes. */
    public static final int TYPE_HELLO = 1;
    /** The acceptor refuses the connection; the payload is the reason. Its layout never changes. */
    public static final int TYPE_REJECT = 2;
    /** The second frame each way (from version 2): how the sender authenticates, and its fresh nonce ({@link AuthOffer}). */
    public static final int TYPE_AUTH = 3;
    /** The proof that the sender holds the pair key ({@link AuthOffer#decodeProof}). */
    public static final int TYPE_PROOF = 4;
    /** The authentication tag each frame carries on an authenticated connection after the handshake. */
    public static final int TAG_BYTES = 32;

    /** True if frames of {@code version} end with a {@link #CHECKSUM_BYTES} CRC32C. */
    public static boolean hasChecksum(int version) {
        return version >= FIRST_CHECKSUMMED_VERSION;
    }

    /** CRC32C (Castagnoli; hardware-accelerated on x86 and ARM) of {@code length} bytes at {@code offset}. */
    public static int checksum(byte[] bytes, int offset, int length) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    private WireFormat() {
    }
}
