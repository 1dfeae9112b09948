package io.canary.log;

import java.util.List;

/**
 * A node's durable, append-only record of what it promised and what it committed.
 *
 * <p>Threading: a node calls its log from one thread at a time, never concurrently: {@link #replay}
 * on the thread that starts the node, then {@link #append}, {@link #checkpoint} and
 * {@link #recordsSinceCheckpoint} on its protocol thread, and {@link #close} once no protocol task
 * runs any more. Implementations need not be thread-safe. Calls block for disk I/O (that is the
 * point of "durable before visible"), so they run on the protocol thread, never on the hot path.
 *
 * <p>Failure: an I/O error is thrown as an {@link java.io.UncheckedIOException} (the file log
 * throws a {@link StateLogException} naming the file), and an append or checkpoint after
 * {@link #close} throws an {@link IllegalStateException}. How the node reacts is stated on each
 * method.
 */
public interface StateLog extends AutoCloseable {

    /**
     * Reads every record, oldest first. A torn final record (a crash mid-write, never acknowledged)
     * is dropped and truncated from the log, so the next append starts on a clean line; damage before
     * it is an error ({@link LogDamagedException} for the file log), never silently dropped. Called
     * once, before any append. A failure here fails the node's start.
     */
    List<LogRecord> replay();

    /**
     * Appends {@code record}. With {@code durable} it returns only once the record (and every
     * record before it) is on stable storage (fsync); without, it may sit in a buffer that a crash
     * loses.
     *
     * <p>A failed append must leave no partial record behind. The node then does not do what the
     * record was for: a failed PREPARED becomes a NO vote; any other failed durable record of the
     * protocol (a commit, a sync) stops the node, whose memory would otherwise be ahead of its disk; a
     * failed non-durable record is only logged.
     */
    void append(LogRecord record, boolean durable);

    /**
     * Replaces the whole log with {@code records} (a compacted equivalent of it), atomically: after
     * a crash the log is either the old one or the new one, never a mix. Durable on return. If it
     * fails, the old log must still be whole; the node logs a warning and tries again later.
     */
    void checkpoint(List<LogRecord> records);

    /** Records appended since the last checkpoint or replay: lets the node decide when to checkpoint. No I/O; never throws. */
    long recordsSinceCheckpoint();

    /**
     * Flushes and releases the file (and its lock, so that a restarted node can open it). The node
     * calls it once no protocol task is running (waiting at most a few seconds for one that overran).
     * Idempotent; never throws.
     */
    @Override
    void close();
}
