package io.canary.sim;

import io.canary.log.LogRecord;
import io.canary.log.MemoryStateLog;
import java.util.List;
import java.util.Map;

/**
 * Which disk losses the simulator leaves out of its fault budget because no protocol that counts the
 * node as a member survives them (ARCHITECTURE, the safety argument's known limits (a) and (e)): losing
 * a record that only a majority <em>counting this node</em> holds. Such a record (an abort a caller was
 * told of, a promise a commit was decided on, a commit) was safe because any later majority meets one
 * of its holders; without this node's copy a majority of the others may hold none. A restored backup
 * also must not lose a vote the node gave (nothing tells it it voted); an empty data dir is covered for
 * votes by the amnesia rule. Uses the simulator's global knowledge of every disk; the protocol never does.
 */
final class DiskLossBudget {

    private DiskLossBudget() {
    }

    /**
     * How many of {@code durable}'s first records a disk loss of {@code id} must keep so that it takes
     * nothing the cluster needs from it: 0 if it may lose everything.
     *
     * @param gone nodes lost for good: their copies help no later majority
     * @param votesToo whether a vote this node gave must be kept too (a restored backup, not an empty dir)
     */
    static int neededPrefix(String id, List<LogRecord> durable, Map<String, MemoryStateLog> disks, List<String> members,
                            java.util.Set<String> gone, boolean votesToo) {
        int majority = members.size() / 2 + 1;
        int needed = 0;
        for (int i = 0; i < durable.size(); i++) {
            LogRecord r = durable.get(i);
            boolean vote = r instanceof LogRecord.TermVote t && !t.votedFor().isEmpty()
                    && !t.votedFor().equals(LogRecord.TermVote.UNKNOWN_VOTE);
            if (votesToo && vote) {
                needed = i + 1;
            } else if (decisive(r)) {
                int elsewhere = heldElsewhere(id, r, disks, members, gone);
                if (elsewhere < majority && elsewhere + 1 >= majority) {
                    needed = i + 1;
                }
            }
        }
        return needed;
    }

    private static boolean decisive(LogRecord r) {
        return r instanceof LogRecord.Aborted || r instanceof LogRecord.Prepared || r instanceof LogRecord.Committed
                || r instanceof LogRecord.Synced;
    }

    /** How many members other than {@code id} hold {@code r} durably, or something that covers it. */
    private static int heldElsewhere(String id, LogRecord r, Map<String, MemoryStateLog> disks, List<String> members,
                                     java.util.Set<String> gone) {
        int n = 0;
        for (String m : members) {
            MemoryStateLog disk = disks.get(m);
            if (m.equals(id) || disk == null || gone.contains(m)) {
                continue;
            }
            List<LogRecord> theirs = disk.durableRecords();
            if (theirs.stream().anyMatch(o -> covers(o, r))) {
                n++;
            }
        }
        return n;
    }

    /** True if holding {@code o} makes {@code r}'s copy on another node unnecessary for it. */
    private static boolean covers(LogRecord o, LogRecord r) {
        long committed = o instanceof LogRecord.Committed c ? c.state().version()
                : o instanceof LogRecord.Synced s ? s.state().version() : -1;
        if (r instanceof LogRecord.Aborted a) {
            return o instanceof LogRecord.Aborted b && b.txId() == a.txId();
        }
        if (r instanceof LogRecord.Prepared p) {
            return (o instanceof LogRecord.Prepared q && q.txId() == p.txId()) || committed >= p.proposed().version();
        }
        long version = r instanceof LogRecord.Committed c ? c.state().version() : ((LogRecord.Synced) r).state().version();
        return committed >= version;
    }
}
