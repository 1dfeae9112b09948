package io.canary.transport;

/** A transport could not start; the message says what is wrong and what to do. */
public class TransportException extends RuntimeException {
    public TransportException(String message) {
        super(message);
    }

    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
