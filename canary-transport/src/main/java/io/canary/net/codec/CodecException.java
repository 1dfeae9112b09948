package io.canary.net.codec;

/**
 * Bytes that are not a valid frame or message, or a message that cannot be put on the wire. The
 * message says what was wrong and where, in one line (no stack trace is needed to understand it).
 * A transport that gets one while reading closes that connection only.
 */
public class CodecException extends RuntimeException {
    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
