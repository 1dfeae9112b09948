package io.canary.internal.node;

import io.canary.transport.Message;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A timing probe of the commit path for {@code bench/}: with {@code -Dcanary.trace.dir=<dir>} every
 * node writes {@code <dir>/<nodeId>.trace}, one line per protocol event, send and append, each stamped
 * with {@link System#nanoTime()} (CLOCK_MONOTONIC: comparable across the processes of one machine),
 * so that one commit can be followed from the caller through every node's transport, protocol thread
 * and fsync. Off (and free: one static final check) unless the property is set. Never used in tests.
 *
 * <p>Threading: lines from the transport thread and the protocol thread interleave; each line is one
 * {@code println} on a synchronized stream.
 */
final class CommitTrace {
    private static final String DIR = System.getProperty("canary.trace.dir", "");
    static final boolean ENABLED = !DIR.isEmpty();

    private final PrintStream out;

    private CommitTrace(PrintStream out) {
        this.out = out;
    }

    static CommitTrace open(String nodeId) {
        if (!ENABLED) {
            return null;
        }
        try {
            Path dir = Path.of(DIR);
            Files.createDirectories(dir);
            return new CommitTrace(new PrintStream(Files.newOutputStream(dir.resolve(nodeId + ".trace")), true));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code event} at {@code nanos}, about {@code message} (its type and transaction id, if any). */
    void mark(long nanos, String event, String peer, Object message) {
        out.println(nanos + " " + event + " " + peer + " " + describe(message));
    }

    void mark(long nanos, String event, String detail) {
        out.println(nanos + " " + event + " - " + detail);
    }

    private static String describe(Object m) {
        if (m instanceof Message.Prepare p) {
            return "Prepare " + p.txId();
        } else if (m instanceof Message.Vote v) {
            return "Vote " + v.txId();
        } else if (m instanceof Message.Commit c) {
            return "Commit " + c.txId();
        } else if (m instanceof Message.CommitAck a) {
            return "CommitAck " + a.txId();
        } else if (m instanceof io.canary.log.LogRecord.Prepared r) {
            return "PREPARED " + r.txId();
        } else if (m instanceof io.canary.log.LogRecord.Committed r) {
            return "COMMITTED " + r.txId();
        }
        return m.getClass().getSimpleName() + " 0";
    }
}
