package io.canary.log;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link StateLog} in memory, for tests and the simulator, that models what a disk keeps across a
 * crash: records appended with {@code durable = true} (and every record before them, as fsync does)
 * survive {@link #crash()}; the others are lost. {@link #crash(boolean)} can also tear the last durable
 * record, as a crash in the middle of a write would; replay then drops it, as {@code FileStateLog}
 * drops a torn line. The same instance is handed to the restarted node, which replays it again.
 *
 * <p>Threading: every method is synchronized, so a test may inspect the log while a node's protocol
 * thread writes it.
 *
 * <p>Failure: {@link #failAppends(boolean)} makes appends and checkpoints throw a
 * {@link StateLogException}, to test how a node treats a failing disk. Appending to a closed or
 * crashed log (a node that should be dead) throws {@link IllegalStateException}; {@link #replay()}
 * reopens it.
 */
public final class MemoryStateLog implements StateLog {
    private final String name;
    private final List<LogRecord> records = new ArrayList<>();
    private int durableCount;
    private long sinceCheckpoint;
    private boolean open = true;
    private boolean failing;
    private long fsyncs;

    /** An empty log. */
    public MemoryStateLog() {
        this("memory");
    }

    /** An empty log named {@code name} in error messages (e.g. the node id). */
    public MemoryStateLog(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** Every record that survived the last crash, oldest first; reopens the log after a crash or close. */
    @Override
    public synchronized List<LogRecord> replay() {
        open = true;
        sinceCheckpoint = 0;
        return List.copyOf(records);
    }

    @Override
    public synchronized void append(LogRecord record, boolean durable) {
        Objects.requireNonNull(record, "record");
        checkWritable("append to");
        records.add(record);
        sinceCheckpoint++;
        if (durable) {
            durableCount = records.size();
            fsyncs++;
        }
    }

    @Override
    public synchronized void checkpoint(List<LogRecord> newRecords) {
        List<LogRecord> copy = List.copyOf(newRecords);
        checkWritable("replace");
        records.clear();
        records.addAll(copy);
        durableCount = records.size();
        sinceCheckpoint = 0;
        fsyncs++;
    }

    @Override
    public synchronized long recordsSinceCheckpoint() {
        return sinceCheckpoint;
    }

    /** Makes everything durable (a clean shutdown flushes) and closes the log until the next replay. */
    @Override
    public synchronized void close() {
        durableCount = records.size();
        open = false;
    }

    /** Simulates a crash: appends that were not made durable are lost and the log is closed. */
    public void crash() {
        crash(false);
    }

    /**
     * Simulates a crash that loses non-durable appends and, with {@code tearLast}, also the last durable
     * record (a write torn by the crash: replay drops it). Closes the log until the next replay.
     */
    public synchronized void crash(boolean tearLast) {
        records.subList(durableCount, records.size()).clear();
        if (tearLast && !records.isEmpty()) {
            records.remove(records.size() - 1);
        }
        durableCount = records.size();
        open = false;
    }

    /** While {@code fail} is set, appends and checkpoints throw {@link StateLogException} (a broken disk). */
    public synchronized void failAppends(boolean fail) {
        this.failing = fail;
    }

    /** Every record in the log now, durable or not, oldest first. */
    public synchronized List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** The records a crash now would keep, oldest first. */
    public synchronized List<LogRecord> durableRecords() {
        return List.copyOf(records.subList(0, durableCount));
    }

    /** How many times the log was forced to stable storage (durable appends and checkpoints). */
    public synchronized long fsyncCount() {
        return fsyncs;
    }

    /** True between a replay and the next close or crash. */
    public synchronized boolean isOpen() {
        return open;
    }

    private void checkWritable(String action) {
        if (!open) {
            throw new IllegalStateException("state log " + name + " is closed (crashed or shut down); replay it to reopen");
        }
        if (failing) {
            throw new StateLogException("cannot " + action + " state log " + name + ": simulated disk failure",
                    new IOException("simulated disk failure"));
        }
    }

    @Override
    public synchronized String toString() {
        return "MemoryStateLog[" + name + ", " + records.size() + " records, " + durableCount + " durable]";
    }
}
