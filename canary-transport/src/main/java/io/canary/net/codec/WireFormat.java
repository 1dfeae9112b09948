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
 * </pre>
 *
 * All numbers are big-endian. A frame (header and payload) never exceeds the receiver's limit.
 */
public final class WireFormat {
    /** "CNRY": lets a receiver tell a Canary peer from a stray client at once. */
    public static final int MAGIC = 0x434E5259;
    /** The protocol version this code speaks; bump it whenever a payload layout changes. */
    public static final int PROTOCOL_VERSION = 1;
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

    private WireFormat() {
    }
}
