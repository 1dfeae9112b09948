package io.canary.log;

import java.util.List;

/**
 * What a node's state log held when the node started, as its replay found it. A node that starts on
 * an {@link #EMPTY} log knows nothing of the cluster's history (a new node, a lost or wiped data dir,
 * a log moved aside after damage) and must learn the committed state from a majority before it acts
 * on it. Note that no replay can tell a log restored from an old backup from a current one: the
 * protocol must not trust any replayed state as the cluster's latest, this only says how much the
 * node remembers.
 */
public enum LogStart {
    /** No record: no file, an empty file, or only a torn first line. */
    EMPTY,
    /** Every line was an intact record. */
    INTACT,
    /** The records were intact but a torn final line (a crash mid-append, never acknowledged) was dropped. */
    TORN_TAIL_DROPPED;

    /** {@link #EMPTY} for no records, {@link #INTACT} otherwise: for logs that cannot see a torn tail. */
    public static LogStart of(List<LogRecord> replayed) {
        return replayed.isEmpty() ? EMPTY : INTACT;
    }

    /** True when the node remembers nothing of the cluster's history. */
    public boolean empty() {
        return this == EMPTY;
    }
}
