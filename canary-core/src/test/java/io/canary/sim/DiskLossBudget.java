package io.canary.sim;

import io.canary.internal.protocol.Succession;
import io.canary.log.LogRecord;
import io.canary.log.MemoryStateLog;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which disk losses the simulator leaves out of its fault budget, because this protocol, by design,
 * does not survive them (ARCHITECTURE, the safety argument's known limits): a loss that takes a record
 * which only a majority <em>counting this node</em> holds, and which nothing else brings back. Such a
 * record (an abort a caller was told of, a promise a commit was decided on, a commit) was safe because
 * any later majority meets one of its holders; without this node's copy a majority of the others may
 * hold none. Which of those the protocol does bring back:
 *
 * <ul>
 *   <li><b>An empty data dir, up to {@link Succession#WARM_SUCCESSORS} + 1 members</b> (everyone
 *       heartbeats everyone): the node votes only once it heard every member (the amnesia rule), and
 *       then, recovering, refuses any candidate behind the log position a peer reported (safety (4)):
 *       a PREPARED, COMMITTED or SYNCED it lost is held by the other holder of that majority, whose
 *       heartbeats report it, so no candidate without it is elected with this node's vote. Those losses
 *       are therefore <em>in</em> the budget (seeds 334040 and 375153 are such losses). An ABORTED is
 *       not reported (a position says what a node holds, not what it refused), so its loss stays out.</li>
 *   <li><b>A restored backup</b> (intact but older: the node cannot tell) and <b>more members</b>
 *       (heartbeats fan in: a member does not hear every other): nothing brings any of them back; every
 *       such decisive record stays out, and, for a backup, every vote it gave (nothing tells it it
 *       voted; an empty data dir is covered for votes by the amnesia rule, see below).</li>
 * </ul>
 *
 * <p>An empty data dir's votes stay in the budget: the amnesia rule covers them once the node heard every
 * member; its fallback (a majority heard after 5 election timeouts, known limit (d)) does not, and searches
 * beyond the CI budget meet that (seeds 546013, 549996: two coordinators in one term, the lost vote known only
 * to a member paused or cut off from the wiped node; 546013 fails on the code before session 4 as well).
 *
 * <p>A copy elsewhere counts only if it would still speak in a recovery round: a PREPARED its holder
 * since logged as ABORTED (it reports the abort instead) or replaced by another promise of that version
 * does not (seed 334040: node-a's own copy of the promise, aborted by node-a, is not a holder). A
 * COMMITTED or SYNCED state is also held by a live PREPARED of its transaction (seed 375153: node-a's
 * commit of version 5 and node-b's promise of it were the majority the caller's answer stood on).
 * Uses the simulator's global knowledge of every disk; the protocol never does.
 */
final class DiskLossBudget {

    private DiskLossBudget() {
    }

    /**
     * How many of {@code durable}'s first records a disk loss of {@code id} must keep so that it takes
     * nothing the cluster cannot do without: 0 if it may lose everything.
     *
     * @param gone nodes lost for good: their copies help no later majority
     * @param restoredBackup the node comes back on an older prefix of its log (not an empty data dir)
     */
    static int neededPrefix(String id, List<LogRecord> durable, Map<String, MemoryStateLog> disks, List<String> members,
                            Set<String> gone, boolean restoredBackup) {
        int majority = members.size() / 2 + 1;
        int running = (int) members.stream().filter(m -> !gone.contains(m)).count();
        boolean positionsReported = !restoredBackup && members.size() <= Succession.WARM_SUCCESSORS + 1;
        int needed = 0;
        for (int i = 0; i < durable.size(); i++) {
            LogRecord r = durable.get(i);
            boolean vote = r instanceof LogRecord.TermVote t && !t.votedFor().isEmpty()
                    && !t.votedFor().equals(LogRecord.TermVote.UNKNOWN_VOTE);
            if (restoredBackup && vote) {
                needed = i + 1;
            } else if (decisive(r)) {
                int elsewhere = heldElsewhere(id, r, disks, members, gone);
                boolean reported = positionsReported && !(r instanceof LogRecord.Aborted);
                if (!reported && onlyWithThisCopy(elsewhere, majority)
                        || running < members.size() && restsOnThisCopy(elsewhere, running, majority)
                        && (!reported || elsewhere == 0)) {
                    needed = i + 1;
                }
            }
        }
        return needed;
    }

    /** With every member running: this node's copy is one of exactly a majority of copies. */
    private static boolean onlyWithThisCopy(int elsewhere, int majority) {
        return elsewhere < majority && elsewhere + 1 >= majority;
    }

    /**
     * With members lost for good: a later majority is drawn from the {@code running} ones only, so copies on
     * lost members are lost copies too, and a record may rest on this node's copy although it is not one of
     * exactly a majority: every majority of the running members meets a copy with it, some majority meets none
     * without it. Seed 18005384 (five members): an ABORTED held by node-a, node-b and node-e; node-a lost for
     * good, then node-b's disk; node-b, elected by node-c and node-d, re-drove the aborted promotion (ATOMICITY).
     * That is two permanent losses of one majority's copies, known limit (e); a reported record (up to three
     * members) is brought back only while another running holder reports it. May also leave out a record no
     * majority ever held (fewer losses injected, never a wrong one). Applied only once a member is lost for good, so
     * runs without such a loss keep the losses they drew.
     */
    private static boolean restsOnThisCopy(int elsewhere, int running, int majority) {
        return running - elsewhere >= majority && running - elsewhere - 1 < majority;
    }

    private static boolean decisive(LogRecord r) {
        return r instanceof LogRecord.Aborted || r instanceof LogRecord.Prepared || r instanceof LogRecord.Committed
                || r instanceof LogRecord.Synced;
    }

    /** How many members other than {@code id} hold {@code r} durably, or something that covers it. */
    private static int heldElsewhere(String id, LogRecord r, Map<String, MemoryStateLog> disks, List<String> members,
                                     Set<String> gone) {
        int n = 0;
        for (String m : members) {
            MemoryStateLog disk = disks.get(m);
            if (m.equals(id) || disk == null || gone.contains(m)) {
                continue;
            }
            if (holds(disk.durableRecords(), r)) {
                n++;
            }
        }
        return n;
    }

    /** True if a node with log {@code theirs} holds what {@code r} says, as its recovery report would tell it. */
    static boolean holds(List<LogRecord> theirs, LogRecord r) {
        if (r instanceof LogRecord.Aborted a) {
            // As a recovery round reads a report (Candidacy.recover): a participant keeps only its newest abort, and a
            // newer abort of the same version covers an older one, of its own term (a later transaction of that term)
            // or of a transaction of a later term (seed 20006217, runtime mode: node-a's checkpoint kept only its abort
            // of transaction ...300, which covers ...299; node-b's restored backup then lost node-b's copy of ...299,
            // the other half of that abort's majority, and the budget, matching ids only, took node-a for no holder).
            return theirs.stream().anyMatch(o -> o instanceof LogRecord.Aborted b && covers(b, a));
        }
        long version;
        long txId;
        if (r instanceof LogRecord.Prepared p) {
            version = p.proposed().version();
            txId = p.txId();
        } else if (r instanceof LogRecord.Committed c) {
            version = c.state().version();
            txId = c.txId();
        } else if (r instanceof LogRecord.Synced s) {
            version = s.state().version();
            txId = s.state().txId();
        } else {
            return false;
        }
        return committedVersion(theirs) >= version || livePromise(theirs, version) == txId;
    }

    /** True if a node whose newest abort is {@code newer} reports what a recovery round needs of {@code older}. */
    private static boolean covers(LogRecord.Aborted newer, LogRecord.Aborted older) {
        if (newer.txId() == older.txId()) {
            return true;
        }
        long newerTerm = newer.txId() >>> 32;
        long olderTerm = older.txId() >>> 32;
        return newer.version() == older.version()
                && (newerTerm == olderTerm ? newer.txId() > older.txId() : newerTerm > olderTerm);
    }

    private static long committedVersion(List<LogRecord> log) {
        long v = -1;
        for (LogRecord o : log) {
            if (o instanceof LogRecord.Committed c) {
                v = Math.max(v, c.state().version());
            } else if (o instanceof LogRecord.Synced s) {
                v = Math.max(v, s.state().version());
            }
        }
        return v;
    }

    /** The transaction of {@code log}'s newest promise of {@code version}, unless it logged that one aborted; 0 if none. */
    private static long livePromise(List<LogRecord> log, long version) {
        long txId = 0;
        for (LogRecord o : log) {
            if (o instanceof LogRecord.Prepared p && p.proposed().version() == version) {
                txId = p.txId();
            } else if (o instanceof LogRecord.Aborted a && a.txId() == txId) {
                txId = 0;
            }
        }
        return txId;
    }
}
