package io.canary.launcher.model;

/** A model call failed; the message is one line an operator can act on. */
public final class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message, null, false, false);
    }
}
