package io.canary.internal.protocol;

import io.canary.NodeConfig;
import io.canary.PeerStatus;
import io.canary.transport.Message.Heartbeat;
import io.canary.transport.Message.PreparedReport;
import io.canary.transport.Message.RequestVoteReply;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who is alive and how far along each member is, as seen by one node, on the node's monotonic
 * clock. A peer is <em>reachable</em> only with two-way evidence: one of its heartbeats echoed the
 * send time of a heartbeat of ours within the peer timeout, so it both hears us and is heard. A
 * one-way link (its messages arrive, ours do not) is not reachable, and a wall-clock step changes
 * nothing (every time here is this node's monotonic time, compared only with itself).
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
public final class Membership {

    private final String selfId;
    private final List<String> members;
    private final NodeConfig config;
    /** This incarnation's first monotonic time: an echo from before it is of an earlier process. */
    private final long startedAt;
    private final Map<String, Long> lastHeard = new HashMap<>();
    /** Per peer, the newest of our send times it echoed: the last proven two-way contact. */
    private final Map<String, Long> lastTwoWay = new HashMap<>();
    /** Per peer, the sentAt of its newest heartbeat, echoed back in ours. */
    private final Map<String, Long> toEcho = new HashMap<>();
    private final Map<String, Long> reportedVersion = new HashMap<>();
    /** Per peer, the log position its newest heartbeat reported, and when it arrived (see {@link #reportedAhead}). */
    private final Map<String, Position> reportedPosition = new HashMap<>();
    private final Set<String> stale = new HashSet<>();
    /** Bumped on every new two-way evidence; with the time and window it keys the cached contact count. */
    private long evidence;
    private long countedAt = Long.MIN_VALUE;
    private long countedWindow = -1;
    private long countedEvidence = -1;
    private int counted;
    /** The cached {@link #majorityContact}: when computed, on which evidence, and a reused buffer. */
    private long majorityContact = Long.MIN_VALUE / 2;
    private long majorityAt = Long.MIN_VALUE / 2;
    private long majorityEvidence = -1;
    private long[] contactTimes;
    /** Beyond this many members {@link #majorityContact} is recomputed at most every {@link #MAJORITY_REFRESH_MILLIS}. */
    static final int ALWAYS_EXACT_UP_TO = 16;
    static final long MAJORITY_REFRESH_MILLIS = 50;

    public Membership(String selfId, List<String> members, NodeConfig config, long startedAt) {
        this.selfId = Objects.requireNonNull(selfId, "selfId");
        this.members = List.copyOf(members);
        this.config = Objects.requireNonNull(config, "config");
        this.startedAt = startedAt;
    }

    public List<String> members() {
        return members;
    }

    /** The smallest number of members that is more than half of them. */
    public int majority() {
        return members.size() / 2 + 1;
    }

    /** Any message from {@code from} shows it alive (one-way only: see {@link #isReachable}). */
    public void heard(String from, long now) {
        if (!from.equals(selfId)) {
            lastHeard.put(from, now);
        }
    }

    /** Proof that {@code from} received what this node sent at {@code sentAt} (on this node's clock). */
    public void echoed(String from, long sentAt, long now) {
        if (from.equals(selfId) || sentAt < startedAt || sentAt > now) {
            return; // an echo of an earlier incarnation's clock, or nonsense: no evidence
        }
        lastTwoWay.merge(from, sentAt, Math::max);
        evidence++;
    }

    /** Two-way contact with {@code node} within {@code window} (always for this node itself). */
    public boolean inContact(String node, long now, long window) {
        if (node.equals(selfId)) {
            return true;
        }
        Long at = lastTwoWay.get(node);
        return at != null && now - at <= window;
    }

    /** Any message of {@code node} within {@code window} (one-way evidence only: a liveness hint, never for commits). */
    public boolean heardWithin(String node, long now, long window) {
        Long at = lastHeard.get(node);
        return at != null && now - at <= window;
    }

    /** Two-way contact within the peer timeout. */
    public boolean isReachable(String node, long now) {
        return inContact(node, now, config.peerTimeout().toMillis());
    }

    /**
     * The newest time T such that this node (always in contact with itself) had two-way contact with a
     * majority at or after T: the majority-th newest contact, {@code Long.MIN_VALUE / 2} if it never
     * had; {@code Long.MAX_VALUE} for a cluster of one. Never goes back (contacts only grow), so an older
     * value is a safe lower bound: beyond {@link #ALWAYS_EXACT_UP_TO} members it is recomputed at most
     * every {@link #MAJORITY_REFRESH_MILLIS} (the coordinator of 1,000 nodes gets thousands of
     * heartbeats per interval), below that after every new evidence.
     */
    public long majorityContact(long now) {
        if (members.size() == 1) {
            return Long.MAX_VALUE;
        }
        if (majorityEvidence != evidence
                && (members.size() <= ALWAYS_EXACT_UP_TO || now - majorityAt >= MAJORITY_REFRESH_MILLIS || now < majorityAt)) {
            if (contactTimes == null) {
                contactTimes = new long[members.size()];
            }
            int i = 0;
            for (String member : members) {
                Long at = lastTwoWay.get(member);
                contactTimes[i++] = member.equals(selfId) ? Long.MAX_VALUE : at == null ? Long.MIN_VALUE / 2 : at;
            }
            java.util.Arrays.sort(contactTimes);
            majorityContact = contactTimes[contactTimes.length - majority()];
            majorityAt = now;
            majorityEvidence = evidence;
        }
        return majorityContact;
    }

    /** How many members (this node included) it has had two-way contact with within {@code window}. */
    public int inContactCount(long now, long window) {
        // Asked after every event (the lease): cached until the time, the window or the evidence changes.
        if (now == countedAt && window == countedWindow && countedEvidence == evidence) {
            return counted;
        }
        int n = countContacts(now, window);
        countedAt = now;
        countedWindow = window;
        countedEvidence = evidence;
        counted = n;
        return n;
    }

    private int countContacts(long now, long window) {
        int n = 0;
        for (String member : members) {
            if (inContact(member, now, window)) {
                n++;
            }
        }
        return n;
    }

    /** Marks {@code node} as having missed a commit: it catches up through StateSync. */
    public void markStale(String node) {
        if (!node.equals(selfId)) {
            stale.add(node);
        }
    }

    public boolean isStale(String node) {
        return stale.contains(node);
    }

    /** {@code node} reported (or was synced to) {@code version}: no longer stale if that is current. */
    public void caughtUp(String node, long version, long current) {
        if (version >= current) {
            stale.remove(node);
        }
    }

    /**
     * A log position, the up-to-date key of a node's newest state (its promise in doubt, else its
     * committed state): version, then the term it was promised or committed in. {@code sentAt} is on
     * the reporter's clock, {@code receivedAt} on ours.
     */
    record Position(long version, long term, long sentAt, long receivedAt,
                    Optional<PreparedReport> promise) {
        /** True if this position is ahead of {@code (version, term)}. */
        boolean aheadOf(long otherVersion, long otherTerm) {
            return version > otherVersion || (version == otherVersion && term > otherTerm);
        }

        /**
         * True if this position is ahead of {@code (version, term)} and past {@code committed}, the highest version the
         * other side holds committed: a promise of a version at or below it is covered by that commit (a committed
         * state is the one chosen for its version; every later promise of that version re-drives it), however the
         * terms compare (simulator seed 18140443: a recovering node-a with version 2 committed took node-c's promise of
         * that same transaction, re-logged in term 4, for newer, and refused itself and node-b while node-c's disk
         * failed for 17 s: no coordinator, no rollback).
         */
        boolean aheadOf(long otherVersion, long otherTerm, long committed) {
            return version > committed && aheadOf(otherVersion, otherTerm);
        }
    }

    /**
     * False while this node may not give two-way evidence (its log held no term and it has not heard every
     * member yet: see {@code Elections#amnesiac}): its heartbeats then echo nothing, so no coordinator counts it
     * toward a majority's contact (a lease) before it can fence that coordinator's term.
     */
    private boolean echoing = true;

    void echoing(boolean on) {
        echoing = on;
    }

    /** One heartbeat per peer (each echoes that peer's last send time), and the next tick. */
    public List<Effect> onHeartbeatTick(long term, long committedVersion, boolean ready, boolean coordinator,
                                        boolean leaseHolder, long now) {
        return onHeartbeatTick(members, term, committedVersion, ready, coordinator, leaseHolder, committedVersion, 0,
                Optional.empty(), now);
    }

    /**
     * One heartbeat to each of {@code targets} (each echoes that peer's last send time), and the next
     * tick. {@link Succession#fanOut} picks the targets: every member from the coordinator and its warm
     * successors, only those hubs from anyone else, so heartbeats grow with N, not N².
     */
    public List<Effect> onHeartbeatTick(List<String> targets, long term, long committedVersion, boolean ready,
                                        boolean coordinator, boolean leaseHolder, long lastVersion, long lastTerm,
                                        Optional<PreparedReport> inDoubt,
                                        long now) {
        List<Effect> out = new ArrayList<>(targets.size() + 1);
        for (String member : targets) {
            if (!member.equals(selfId)) {
                out.add(new Effect.Send(member, new Heartbeat(term, committedVersion, ready, now,
                        echoing ? toEcho.getOrDefault(member, -1L) : -1L, coordinator, leaseHolder, lastVersion, lastTerm,
                        inDoubt)));
            }
        }
        out.add(new Effect.Schedule(config.heartbeatInterval(), new Timer.HeartbeatTick()));
        return out;
    }

    /** Records what a heartbeat says about its sender. */
    public void onHeartbeat(String from, Heartbeat heartbeat, long now) {
        heard(from, now);
        toEcho.merge(from, heartbeat.sentAt(), Math::max);
        if (heartbeat.echo() >= 0) {
            echoed(from, heartbeat.echo(), now);
        }
        reportedVersion.put(from, heartbeat.committedVersion());
        Position known = reportedPosition.get(from);
        // A reordered older heartbeat does not overwrite a newer one; a restarted sender (its clock may have
        // started lower) is believed again once its last report is older than the peer timeout.
        if (known == null || heartbeat.sentAt() >= known.sentAt()
                || now - known.receivedAt() > config.peerTimeout().toMillis()) {
            reportedPosition.put(from, new Position(heartbeat.lastVersion(), heartbeat.lastTerm(), heartbeat.sentAt(), now,
                    heartbeat.inDoubt()));
        }
    }

    /**
     * The promises peers last reported (each peer's newest heartbeat, whenever it came) whose position is ahead of
     * {@code (version, term)} and past {@code committed}, other than {@code except}'s: what a recovering node hands on to a candidate (see
     * {@code Elections}, the rule on recorded reports). A position reported without its promise (an older sender) is
     * left out: it still holds candidates back ({@link #reportedAheadEver}), it just cannot be handed on.
     */
    public List<PreparedReport> promisesAhead(long version, long term, long committed, String except) {
        List<PreparedReport> out = new ArrayList<>(2);
        for (Map.Entry<String, Position> e : reportedPosition.entrySet()) {
            Position p = e.getValue();
            if (!e.getKey().equals(except) && p.aheadOf(version, term, committed) && p.promise().isPresent()
                    && out.size() < RequestVoteReply.MAX_RELAYED) {
                out.add(p.promise().get());
            }
        }
        return out;
    }

    /**
     * True if some peer's newest report, however old, is of a log position ahead of {@code (version, term)} and past
     * {@code committed} (the highest version the side compared holds committed; -1 when unknown).
     */
    public boolean reportedAheadEver(long version, long term, long committed) {
        for (Position p : reportedPosition.values()) {
            if (p.aheadOf(version, term, committed)) {
                return true;
            }
        }
        return false;
    }

    /**
     * True if a peer whose newest report arrived within {@code window} reported a log position ahead
     * of {@code (version, term)} and past {@code committed}: such a peer may hold a promise that a commit was decided on (with a
     * voter whose disk was since lost), so a candidate behind it must not be elected without it.
     */
    public boolean reportedAhead(long version, long term, long committed, long now, long window) {
        for (Position p : reportedPosition.values()) {
            if (now - p.receivedAt() <= window && p.aheadOf(version, term, committed)) {
                return true;
            }
        }
        return false;
    }

    /** The log position {@code node} last reported, if it did. */
    public Optional<Position> reportedPosition(String node) {
        return Optional.ofNullable(reportedPosition.get(node));
    }

    /** The highest committed version any peer last reported, -1 if none did. */
    public long highestReportedVersion() {
        long highest = -1;
        for (long v : reportedVersion.values()) {
            highest = Math.max(highest, v);
        }
        return highest;
    }

    /** The committed version {@code node} last reported, -1 if never heard. */
    public long reportedVersion(String node) {
        return reportedVersion.getOrDefault(node, -1L);
    }

    /**
     * Every member as this node sees it.
     *
     * @param coordinatorId who coordinates as this node believes ("" if none)
     * @param reference the committed version to compare with (the coordinator's), -1 if unknown
     * @param wallNow the wall clock, to report last-heard times as epoch milliseconds
     */
    public List<PeerStatus> view(String coordinatorId, long ownVersion, long reference, long now, long wallNow) {
        List<PeerStatus> view = new ArrayList<>(members.size());
        for (String member : members) {
            boolean coordinator = member.equals(coordinatorId);
            if (member.equals(selfId)) {
                view.add(new PeerStatus(member, coordinator, true, ownVersion,
                        reference >= 0 && ownVersion < reference, wallNow));
                continue;
            }
            long version = reportedVersion.getOrDefault(member, -1L);
            boolean behind = reference >= 0 && version >= 0 && version < reference;
            Long heard = lastHeard.get(member);
            view.add(new PeerStatus(member, coordinator, isReachable(member, now), version,
                    stale.contains(member) || behind, heard == null ? 0 : wallNow - (now - heard)));
        }
        return view;
    }
}
