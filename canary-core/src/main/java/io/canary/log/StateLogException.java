package io.canary.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A state log could not be opened, written or replaced. The message is one line a person can act on,
 * naming the file and the cause, e.g. {@code cannot write state log /data/node-a.log: permission denied}.
 * It is an {@link UncheckedIOException}, as {@link StateLog} promises for I/O errors.
 */
public class StateLogException extends UncheckedIOException {

    public StateLogException(String message, IOException cause) {
        super(message, cause);
    }

    /** {@code cannot <action> state log <file>: <cause>}, with the cause said in plain words. */
    static StateLogException of(String action, Path file, IOException cause) {
        return new StateLogException("cannot " + action + " state log " + file + ": " + describe(cause), cause);
    }

    /** Turns the JDK's exception types, whose messages are often just a path, into words. */
    static String describe(IOException e) {
        String detail = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException f) {
            return f.getFile() + " exists and is not a directory";
        }
        if (e instanceof java.nio.file.NotDirectoryException n) {
            return n.getFile() + " is not a directory";
        }
        if (e instanceof java.nio.file.DirectoryNotEmptyException d) {
            return d.getFile() + " is a directory that is not empty";
        }
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return "no such file or directory: " + n.getFile();
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        if (detail == null || detail.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return detail;
    }
}
