package io.canary.log;

import java.util.List;

/**
 * A node's durable, append-only record of what it promised and what it committed.
 *
 * <p>Threading: used only from the node's protocol thread; implementations need not be thread-safe.
 * Calls block for disk I/O (that is the point of "durable before visible").
 *
 * <p>Failure: an I/O error is thrown as {@link java.io.UncheckedIOException}; the node treats a
 * failed durable append as "cannot promise" (it votes NO / does not commit) and reports it.
 */
public interface StateLog extends AutoCloseable {

    /**
     * Reads every intact record, oldest first. A torn or corrupt tail (a crash mid-write) ends the
     * replay and is truncated from the log, so the next append starts on a clean line. Called once,
     * before any append.
     */
    List<LogRecord> replay();

    /**
     * Appends {@code record}. With {@code durable} it returns only once the record (and every
     * record before it) is on stable storage (fsync); without, it may sit in a buffer that a crash
     * loses.
     */
    void append(LogRecord record, boolean durable);

    /**
     * Replaces the whole log with {@code records} (a compacted equivalent of it), atomically: after
     * a crash the log is either the old one or the new one, never a mix. Durable on return.
     */
    void checkpoint(List<LogRecord> records);

    /** Records appended since the last checkpoint or replay: lets the node decide when to checkpoint. */
    long recordsSinceCheckpoint();

    /** Flushes and releases the file. Idempotent; never throws. */
    @Override
    void close();
}
