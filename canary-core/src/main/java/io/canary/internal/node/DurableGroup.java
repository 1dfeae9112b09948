package io.canary.internal.node;

import io.canary.internal.protocol.Effect;
import io.canary.log.LogRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Group commit: the durable records of consecutive protocol events share one fsync. A durable append
 * opens a group; from then on every record (of this event and of the events the executor runs next)
 * joins it, and every effect someone else could see (a send, an apply, a caller's answer, a delegated
 * command) waits behind it, in order. The executor forces the group when no other event is queued (or
 * after {@link #MAX_EVENTS} events): it writes the records in order, fsyncing only with the last
 * durable one (a durable append forces every record before it, see {@code StateLog#append}), then runs
 * the effects that waited. So "durable before visible" holds exactly as with one fsync per record, and
 * a member that gets Commit(v) and Prepare(v+1) back to back logs COMMITTED(v) and PREPARED(v+1) with
 * one fsync. Timers and log lines are not held: nobody else sees them.
 *
 * <p>What a crash before the force loses: the whole group, and nothing of it was seen.
 *
 * <p>Not thread-safe: the protocol thread (or the simulator's executor) only.
 */
public final class DurableGroup {
    /** At most this many events share one fsync, so a steady stream of events cannot hold effects back for long. */
    public static final int MAX_EVENTS = 32;

    private final List<LogRecord> records = new ArrayList<>();
    private final List<Effect> held = new ArrayList<>();
    private int events;

    /** True while records wait for their fsync (and effects wait behind them). */
    public boolean isOpen() {
        return !records.isEmpty();
    }

    /**
     * Offers the next effect of the event being run; true if the group took it (the executor must not
     * run it now). A durable append opens a group or joins it; while one is open, every append joins it
     * (the log keeps its order) and every effect but a timer or a log line waits for the fsync.
     */
    public boolean offer(Effect effect) {
        if (effect instanceof Effect.Append a) {
            if (a.durable() || isOpen()) {
                records.add(a.record());
                return true;
            }
            return false;
        }
        if (!isOpen() || effect instanceof Effect.Schedule || effect instanceof Effect.Log) {
            return false;
        }
        held.add(effect);
        return true;
    }

    /**
     * An event ended; true if the group should be forced now: {@code othersQueued} says whether more
     * events wait to run (they would join it), and a group closes after {@link #MAX_EVENTS} events anyway.
     */
    public boolean endEvent(boolean othersQueued) {
        if (!isOpen()) {
            return false;
        }
        events++;
        return !othersQueued || events >= MAX_EVENTS;
    }

    /**
     * True if the open group holds COMMITTED records only (a member's, or the coordinator's own, record of a
     * decision): nothing on a commit's critical path waits behind it, so the executor may keep it open a
     * little for the next Prepare's PREPARED to share its fsync (see {@code EffectRunner}).
     */
    public boolean holdsOnlyCommits() {
        if (!isOpen()) {
            return false;
        }
        for (LogRecord r : records) {
            if (!(r instanceof LogRecord.Committed)) {
                return false;
            }
        }
        return true;
    }

    /** Closes the group and returns what to write and run; the group is empty afterwards. */
    public Forced close() {
        Forced forced = new Forced(List.copyOf(records), List.copyOf(held));
        records.clear();
        held.clear();
        events = 0;
        return forced;
    }

    /**
     * A closed group: {@code records} to write in order (every one fsynced by the last, see
     * {@link #appends()}), then {@code after} to run in order.
     */
    public record Forced(List<LogRecord> records, List<Effect> after) {

        /** The records as appends: only the last one fsyncs, which forces every record before it. */
        public List<Effect.Append> appends() {
            List<Effect.Append> out = new ArrayList<>(records.size());
            for (int i = 0; i < records.size(); i++) {
                out.add(new Effect.Append(records.get(i), i == records.size() - 1));
            }
            return out;
        }

        /**
         * True if a failure to write this group may be taken as a NO vote: it holds PREPARED records
         * only (a promise never made). Any other record that cannot be made durable stops the node,
         * whose memory is then ahead of its disk.
         */
        public boolean onlyPromises() {
            return records.stream().allMatch(r -> r instanceof LogRecord.Prepared);
        }

        /**
         * What still runs after such a failure: everything but the sends (one held behind a failed
         * promise may be its YES; dropping a send is a message lost, which the protocol resends).
         */
        public List<Effect> afterFailedPromises() {
            return after.stream().filter(e -> !(e instanceof Effect.Send)).toList();
        }
    }
}
