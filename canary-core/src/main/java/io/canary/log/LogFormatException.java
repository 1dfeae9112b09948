package io.canary.log;

/** A state log line that is not a valid record: torn, corrupt (CRC mismatch) or unparseable. */
public class LogFormatException extends IllegalArgumentException {
    public LogFormatException(String message) {
        super(message);
    }

    public LogFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
