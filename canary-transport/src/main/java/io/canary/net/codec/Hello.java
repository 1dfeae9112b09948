package io.canary.net.codec;

import java.util.Objects;

/**
 * The first frame on every connection, both ways: who is speaking, for which cluster, in which
 * protocol version. Its layout never changes, so a node can always read it and say precisely why
 * it refuses a peer.
 *
 * @param clusterId the sender's cluster
 * @param nodeId the sender's node id
 * @param protocolVersion the sender's {@link WireFormat#PROTOCOL_VERSION}
 */
public record Hello(String clusterId, String nodeId, int protocolVersion) {
    /** Longest id accepted in a Hello, in characters: ids are names, not documents. */
    public static final int MAX_ID_BYTES = 256;

    public Hello {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(nodeId, "nodeId");
    }

    /** The payload of a Hello frame. */
    public byte[] encode() {
        return new WireWriter(64).writeString(clusterId).writeString(nodeId).writeInt(protocolVersion).toByteArray();
    }

    /** Decodes a Hello payload, refusing ids longer than {@link #MAX_ID_BYTES} or empty. */
    public static Hello decode(byte[] payload, int offset, int length) {
        // Two ids of up to MAX_ID_BYTES characters, up to 4 UTF-8 bytes each, charged 2 per byte.
        WireReader r = new WireReader(payload, offset, length, 2 * (2L * 4 * MAX_ID_BYTES + 64));
        String clusterId = readId(r, "hello cluster id");
        String nodeId = readId(r, "hello node id");
        int version = r.readInt("hello protocol version");
        r.expectEnd("hello");
        return new Hello(clusterId, nodeId, version);
    }

    private static String readId(WireReader r, String what) {
        String id = r.readString(what);
        if (id.isEmpty() || id.length() > MAX_ID_BYTES) {
            throw new CodecException(what + " must be 1.." + MAX_ID_BYTES + " characters, got " + id.length());
        }
        return id;
    }

    /** The payload of a Reject frame: the reason, for the other side's log. */
    public static byte[] encodeReject(String reason) {
        return new WireWriter(64 + reason.length()).writeString(reason).toByteArray();
    }

    /** Decodes a Reject payload into the reason given. */
    public static String decodeReject(byte[] payload, int offset, int length) {
        WireReader r = new WireReader(payload, offset, length, 2L * length + 64);
        String reason = r.readString("reject reason");
        r.expectEnd("reject");
        return reason;
    }
}
