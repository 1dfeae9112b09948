package io.canary.internal.protocol;

import io.canary.log.LogRecord;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The forwarded requests the coordinator has accepted, as (sender, request id), the most recent
 * {@link #KEPT} only: rebuilt from the log at start, so that a request resent to a restarted
 * coordinator is recognised and not run a second time. Older ones are useless: a participant stops
 * resending after its request timeout.
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
final class AcceptedRequests {

    /** How many accepted requests a checkpoint keeps. */
    static final int KEPT = 1_000;

    private final LinkedHashSet<LogRecord.RequestAccepted> accepted = new LinkedHashSet<>();

    AcceptedRequests(List<LogRecord.RequestAccepted> recovered) {
        recovered.forEach(this::add);
    }

    boolean contains(String from, long requestId) {
        return accepted.contains(new LogRecord.RequestAccepted(from, requestId));
    }

    /** Remembers an accepted request and returns its record, to be appended durably before it starts. */
    LogRecord.RequestAccepted accept(String from, long requestId) {
        LogRecord.RequestAccepted record = new LogRecord.RequestAccepted(from, requestId);
        add(record);
        return record;
    }

    /** What a checkpoint keeps, oldest first. */
    List<LogRecord> records() {
        return new ArrayList<>(accepted);
    }

    private void add(LogRecord.RequestAccepted record) {
        accepted.remove(record);
        accepted.add(record);
        if (accepted.size() > KEPT) {
            accepted.remove(accepted.iterator().next());
        }
    }
}
