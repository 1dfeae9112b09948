package io.canary.internal.rollout;

import io.canary.log.LogRecord;
import io.canary.rollout.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * The most recent verdicts a node has seen (the coordinator's own, or those it broadcast), for
 * {@code rolloutStatus()}. Bounded: the log keeps the full history.
 *
 * <p>Threading: written on the protocol thread, read from any thread (a volatile immutable list).
 */
public final class VerdictHistory {
    /** Verdicts kept. */
    public static final int CAPACITY = 50;

    private volatile List<LogRecord.RolloutVerdict> recent = List.of();

    /** Adds one; a verdict already held (a resent report) is not added twice. */
    public void add(String rolloutId, Verdict verdict) {
        LogRecord.RolloutVerdict entry = new LogRecord.RolloutVerdict(rolloutId, verdict);
        List<LogRecord.RolloutVerdict> current = recent;
        if (current.contains(entry)) {
            return;
        }
        List<LogRecord.RolloutVerdict> next = new ArrayList<>(current);
        next.add(entry);
        if (next.size() > CAPACITY) {
            next = next.subList(next.size() - CAPACITY, next.size());
        }
        recent = List.copyOf(next);
    }

    /** Adds the verdicts among replayed log records, oldest first. */
    public void load(List<LogRecord> replayed) {
        for (LogRecord r : replayed) {
            if (r instanceof LogRecord.RolloutVerdict v) {
                add(v.rolloutId(), v.verdict());
            }
        }
    }

    /** The verdicts of rollout {@code rolloutId}, oldest first. */
    public List<Verdict> of(String rolloutId) {
        List<Verdict> out = new ArrayList<>();
        for (LogRecord.RolloutVerdict v : recent) {
            if (v.rolloutId().equals(rolloutId)) {
                out.add(v.verdict());
            }
        }
        return out;
    }

    /** The records of rollout {@code rolloutId}, for a checkpoint. */
    public List<LogRecord> records(String rolloutId) {
        List<LogRecord> out = new ArrayList<>();
        for (LogRecord.RolloutVerdict v : recent) {
            if (v.rolloutId().equals(rolloutId)) {
                out.add(v);
            }
        }
        return out;
    }
}
