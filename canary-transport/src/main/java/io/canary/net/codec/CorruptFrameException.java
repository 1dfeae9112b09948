package io.canary.net.codec;

/**
 * A frame whose checksum does not match its bytes: it was damaged in transit. Like any
 * {@link CodecException} it closes that connection only; transports count it apart from
 * malformed frames, because it points at the network, not at the peer's code.
 */
public final class CorruptFrameException extends CodecException {
    public CorruptFrameException(String message) {
        super(message);
    }
}
