package io.canary.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A state log is damaged before its end: a line that has its line end is not an intact record (CRC
 * mismatch, not UTF-8, not a record), so the node would come back older than it was and than the
 * cluster. The node refuses to start rather than silently drop that line and the ones after it. The
 * file is left as it was; the operator moves it aside and the node, starting on an empty log, learns
 * the committed state from the cluster (see README, "A damaged state log").
 *
 * <p>The message is one line naming the file, the line and what to do, e.g. {@code state log
 * /data/node-a.log line 17 is damaged (crc mismatch: ...; 4 more lines after it): ...}.
 */
public final class LogDamagedException extends StateLogException {
    private final transient Path file;
    private final int line;
    private final String reason;

    public LogDamagedException(Path file, int line, String reason, int linesAfter, int recordsBefore) {
        super(message(file, line, reason, linesAfter, recordsBefore),
                new IOException("line " + line + " of " + file + ": " + reason));
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    private static String message(Path file, int line, String reason, int linesAfter, int recordsBefore) {
        String after = linesAfter == 0 ? "it is the last line, but complete"
                : linesAfter + " more line" + (linesAfter == 1 ? "" : "s") + " after it";
        return "state log " + file + " line " + line + " is damaged (" + reason + "; " + after + "; "
                + recordsBefore + " intact record" + (recordsBefore == 1 ? "" : "s") + " before it); the node will not"
                + " start on it: move it aside (mv " + file + " " + file + ".damaged) to let the node start empty and"
                + " re-learn its state from the cluster";
    }

    /** The damaged log file. */
    public Path file() {
        return file;
    }

    /** The 1-based number of the first damaged line. */
    public int line() {
        return line;
    }

    /** What is wrong with it, e.g. {@code crc mismatch: line says 'x', content hashes to y}. */
    public String reason() {
        return reason;
    }
}
