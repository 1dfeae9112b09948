package io.canary.net.codec;

/**
 * A frame on an authenticated connection whose authentication tag does not match: it was altered,
 * replayed, reordered or injected by someone without the session key. It closes that connection
 * only; transports count it apart from malformed frames, because it points at an attacker (or a
 * bug), not at a noisy network.
 */
public final class ForgedFrameException extends CodecException {
    public ForgedFrameException(String message) {
        super(message);
    }
}
