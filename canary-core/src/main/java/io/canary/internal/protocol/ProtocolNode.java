package io.canary.internal.protocol;

import io.canary.CoordinationStatus;
import io.canary.NodeConfig;
import io.canary.PeerStatus;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.transport.Message;
import io.canary.transport.Message.Refusal;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Everything one node runs, as one deterministic state machine: its term and vote, its
 * {@link Participant}, {@link Membership}, {@link Forwarder} and {@link Lease}, elections
 * ({@link Candidacy}), and while it coordinates its term's {@link Coordinator}. It fences every
 * message by term, routes each event (inbound message, timer, API call) to the part that owns it and
 * returns the effects for the runtime to execute in order. No clock (every {@code now} is the
 * node's monotonic time), no threads, no I/O.
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
public final class ProtocolNode {

    private final String selfId;
    private final List<String> members;
    private final int rank;
    private final NodeConfig config;
    private final Recovery recovery;
    private final Participant participant;
    private final Forwarder forwarder;
    private final Replies replies = new Replies();
    private final AcceptedRequests accepted;
    private final Lease lease;
    private final LongSupplier wallClock;
    private final boolean amnesiac;
    private final Set<String> heardFrom = new HashSet<>();
    private final Terms terms;
    private Membership membership;
    private Coordinator coordinator;
    private Candidacy candidacy;
    private long nextStandAt;
    private long startedAt;
    private Set<PlantedBug> planted = Set.of();

    /**
     * @param preferredCoordinator first in the election order (the others follow in member order)
     * @param servableVersions versions this node can serve; empty means any
     * @param recovery what the node's log held
     * @param requestIdBase first id of forwarded requests; must differ across restarts (random)
     * @param wallClock the wall clock, for the committedAt of the states this node proposes
     */
    public ProtocolNode(String selfId, List<String> members, String preferredCoordinator, Set<String> servableVersions,
                        NodeConfig config, Recovery recovery, long requestIdBase, LongSupplier wallClock) {
        this.selfId = Objects.requireNonNull(selfId, "selfId");
        this.members = List.copyOf(members);
        this.config = Objects.requireNonNull(config, "config");
        this.recovery = Objects.requireNonNull(recovery, "recovery");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        List<String> order = new ArrayList<>();
        order.add(preferredCoordinator);
        for (String m : members) {
            if (!m.equals(preferredCoordinator)) {
                order.add(m);
            }
        }
        this.rank = Math.max(0, order.indexOf(selfId));
        this.participant = new Participant(selfId, servableVersions, config, recovery.committed(), recovery.inDoubt(),
                recovery.lastAborted());
        this.forwarder = new Forwarder(this::coordinatorId, config, requestIdBase);
        this.accepted = new AcceptedRequests(recovery.accepted());
        this.lease = new Lease(config);
        this.terms = new Terms(recovery.term(), recovery.votedFor());
        // A log without any term: a fresh node, or one whose data was lost (it may have voted before).
        this.amnesiac = recovery.term() == 0;
    }

    public ProtocolNode(String selfId, List<String> members, String preferredCoordinator, Set<String> servableVersions,
                        NodeConfig config, Recovery recovery, long requestIdBase) {
        this(selfId, members, preferredCoordinator, servableVersions, config, recovery, requestIdBase,
                System::currentTimeMillis);
    }

    /** Test-only seam for the deterministic simulator: see {@link PlantedBug}. Never called by production code. */
    void plant(Set<PlantedBug> bugs) {
        planted = Set.copyOf(bugs);
        if (planted.contains(PlantedBug.FORGET_VOTE_ON_RESTART)) {
            terms.forgetVote();
        }
    }

    /** True while this node coordinates (elected, past its recovery round). */
    public boolean isCoordinator() {
        return coordinator != null && coordinator.isActive();
    }

    /** The node this one believes coordinates its term, "" if none is known. */
    public String coordinatorId() {
        return terms.coordinator();
    }

    public long term() {
        return terms.current();
    }

    public RoutingState committed() {
        return participant.committed();
    }

    /** Who coordinates as this node sees it, its term, and whether it routes fail-safe (and why). */
    public CoordinationStatus coordination(long now) {
        String problem = leaseProblem(now);
        String who = terms.coordinator();
        return new CoordinationStatus(who.isEmpty() ? Optional.empty() : Optional.of(who), terms.current(),
                !problem.isEmpty(), problem);
    }

    private String leaseProblem(long now) {
        if (planted.contains(PlantedBug.SERVE_WITHOUT_LEASE)) {
            return "";
        }
        if (coordinator != null) {
            return Lease.coordinatorProblem(membership, now, config, coordinator.isActive());
        }
        return lease.memberProblem(now, participant.committed().version(), terms.coordinator());
    }

    /** True while this node may serve the canary's share: its lease is valid. */
    public boolean isReady() {
        return started() && leaseProblem(lastNow).isEmpty();
    }

    private long lastNow;

    private boolean started() {
        return membership != null;
    }

    public Optional<Participant.PreparedTx> prepared() {
        return participant.prepared();
    }

    public List<PeerStatus> view(long now) {
        long reference = coordinator != null ? participant.committed().version() : lease.coordinatorVersion();
        return membership.view(terms.coordinator(), participant.committed().version(), reference, now, wallClock.getAsLong());
    }

    /** Effects of starting: timers, the first heartbeats, and for node-a of a fresh cluster its candidacy. */
    public List<Effect> start(long now) {
        startedAt = now;
        lastNow = now;
        membership = new Membership(selfId, members, config, now);
        List<Effect> out = new ArrayList<>(participant.start(now));
        // Never coordinating on from a previous life: a restarted coordinator is a member until elected again.
        // A fresh cluster's preferred coordinator stands at once; anyone else, and any node that
        // remembers a term, first waits for a coordinator to show itself.
        long wait = members.size() == 1 || (amnesiac && rank == 0) ? 0
                : config.electionTimeout().toMillis() + rank * config.electionStagger().toMillis();
        nextStandAt = now + wait;
        out.addAll(onHeartbeatTick(now));
        return out;
    }

    public List<Effect> onMessage(String from, Message message, long now) {
        lastNow = now;
        membership.heard(from, now);
        List<Effect> out = new ArrayList<>();
        if (message instanceof Message.Heartbeat hb) {
            membership.onHeartbeat(from, hb, now); // reachability evidence, whatever the sender's term
        }
        long term = termOf(message);
        if (term >= 0) {
            heardFrom.add(from);
            if (message instanceof Message.RequestVote rv) {
                Elections.onRequestVote(this, from, rv, now, out);
                return out;
            }
            if (message instanceof Message.RequestVoteReply r && r.preVote() && r.granted()) {
                Elections.onReply(this, from, r, now, out); // carries the term asked about, not a term to adopt
                return out;
            }
            if (term > terms.current() && coordinator != null && message instanceof Message.Heartbeat
                    && planted.contains(PlantedBug.ACCEPT_OLDER_TERM)) {
                return out; // the planted bug: a deposed coordinator does not hear of the newer term
            } else if (term > terms.current()) {
                adoptTerm(term, "", out);
            } else if (term < terms.current() && planted.contains(PlantedBug.ACCEPT_OLDER_TERM)
                    && (message instanceof Message.Prepare || message instanceof Message.Commit)) {
                // The planted bug: the stale coordinator's word is taken, and answered in its own term.
                if (message instanceof Message.Prepare p) {
                    out.addAll(participant.onPrepare(from, term, p, now));
                } else {
                    out.addAll(participant.onCommit(from, term, (Message.Commit) message, now));
                }
                return out;
            } else if (term < terms.current()) {
                if (message instanceof Message.Prepare p) {
                    out.add(new Effect.Send(from, Message.Vote.no(terms.current(), p.txId(), Refusal.STALE_TERM,
                            selfId + " is in term " + terms.current() + ", not " + term)));
                }
                return out; // fenced: a message of an older term changes nothing (our heartbeats tell its sender)
            }
        }
        if (message instanceof Message.Heartbeat m) {
            onHeartbeat(from, m, now, out);
        } else if (message instanceof Message.Prepare m) {
            learnCoordinator(from, out);
            out.addAll(participant.onPrepare(from, terms.current(), m, now));
        } else if (message instanceof Message.Commit m) {
            learnCoordinator(from, out);
            out.addAll(participant.onCommit(from, terms.current(), m, now));
        } else if (message instanceof Message.Abort m) {
            out.addAll(participant.onAbort(from, terms.current(), m, now));
        } else if (message instanceof Message.StateSync m) {
            learnCoordinator(from, out);
            out.addAll(participant.onStateSync(from, m, now));
        } else if (message instanceof Message.RequestVoteReply m) {
            Elections.onReply(this, from, m, now, out);
        } else if (message instanceof Message.ForwardRequest m) {
            out.addAll(onForwardRequest(from, m, now));
        } else if (message instanceof Message.ForwardResponse m) {
            out.addAll(forwarder.onResponse(from, m));
        } else if (coordinator != null && message instanceof Message.Vote m) {
            out.addAll(coordinator.onVote(from, m, now));
        } else if (coordinator != null && message instanceof Message.CommitAck m) {
            out.addAll(coordinator.onCommitAck(from, m, now));
        } else if (coordinator != null && message instanceof Message.AbortAck m) {
            out.addAll(coordinator.onAbortAck(from, m, now));
        } else if (coordinator != null && message instanceof Message.DecisionQuery m) {
            out.addAll(coordinator.onDecisionQuery(from, m, now));
        }
        // Health and verdict reports belong to the node's extensions.
        return out;
    }

    public List<Effect> onTimer(Timer timer, long now) {
        lastNow = now;
        if (timer instanceof Timer.HeartbeatTick) {
            return onHeartbeatTick(now);
        } else if (timer instanceof Timer.InDoubtCheck) {
            return participant.onInDoubtCheck(terms.coordinator(), terms.current(), now);
        } else if (timer instanceof Timer.RequestTimeout t) {
            return forwarder.onTimeout(t.requestId());
        } else if (timer instanceof Timer.RequestResend t) {
            return forwarder.onResend(t.requestId());
        } else if (coordinator != null && timer instanceof Timer.PrepareTimeout t) {
            return coordinator.onPrepareTimeout(t.txId(), now);
        } else if (coordinator != null && timer instanceof Timer.CommitResend t) {
            return coordinator.onCommitResend(t.txId(), now);
        } else if (coordinator != null && timer instanceof Timer.AbortResend t) {
            return coordinator.onAbortResend(t.txId(), now);
        } else if (coordinator != null && timer instanceof Timer.ProposalDeadline t) {
            return coordinator.onProposalDeadline(t.proposalId(), now);
        }
        return List.of();
    }

    /** A caller on this node runs a command: the coordinator runs it, any other node forwards it. */
    public List<Effect> command(long callId, Message.Command command, long now) {
        lastNow = now;
        if (!isCoordinator()) {
            return forwarder.forward(callId, command);
        }
        return runCommand(new Caller.Local(callId), command, now);
    }

    /**
     * Queues a change on the coordinator (the rollout controller's way in). On another node the
     * caller fails at once: only the coordinator proposes.
     */
    public List<Effect> propose(long callId, StateChange change, StateChange.Requester requester, String description,
                                long now) {
        if (!isCoordinator()) {
            String who = terms.coordinator();
            return List.of(new Effect.Complete(callId, Outcome.failure(selfId + " is not the coordinator"
                    + (who.isEmpty() ? " (an election is under way)" : "; " + who + " is"))));
        }
        return coordinator.propose(change, requester, new Caller.Local(callId), description, now);
    }

    /** A delegated command (see {@link Effect.Delegate}) finished. */
    public List<Effect> onDelegatedDone(Caller caller, Outcome outcome) {
        return replies.reply(caller, outcome, participant.committed());
    }

    /** The node is closing: it refuses new promises and fails the callers still waiting. */
    public List<Effect> shutDown() {
        participant.shutDown();
        List<Effect> out = new ArrayList<>(forwarder.failAll(selfId + " is closing"));
        if (coordinator != null) {
            out.addAll(coordinator.failQueued(selfId + " is closing"));
        }
        return out;
    }

    /** A durable append failed: if it was a promise, vote NO instead (the YES was not sent). */
    public List<Effect> onAppendFailed(LogRecord record, String error) {
        if (record instanceof LogRecord.Prepared p) {
            List<Effect> out = new ArrayList<>(participant.forgetPrepared(p.txId()));
            String to = terms.coordinator();
            if (!to.isEmpty()) {
                out.add(new Effect.Send(to, Message.Vote.no(terms.current(), p.txId(), Refusal.CANNOT_PERSIST,
                        selfId + " cannot write its state log: " + error)));
            }
            return out;
        }
        return List.of();
    }

    /** The records a checkpoint keeps, before the extensions' own. */
    public List<LogRecord> checkpointRecords() {
        Optional<LogRecord.Prepared> inDoubt = participant.prepared()
                .map(p -> new LogRecord.Prepared(p.term(), p.txId(), p.proposed()));
        Optional<LogRecord.Aborted> aborted = participant.abortedTxId() == 0 ? Optional.empty()
                : Optional.of(new LogRecord.Aborted(participant.abortedTxId(), "", participant.abortedVersion()));
        List<LogRecord> out = new ArrayList<>(Recovery.compact(terms.current(), terms.votedFor(), participant.committed(),
                inDoubt, aborted, List.of()));
        out.addAll(accepted.records());
        return out;
    }

    // ---- package-private, for Elections -------------------------------------------------------

    String selfId() {
        return selfId;
    }

    NodeConfig config() {
        return config;
    }

    Terms terms() {
        return terms;
    }

    Participant participant() {
        return participant;
    }

    Membership membership() {
        return membership;
    }

    Set<PlantedBug> planted() {
        return planted;
    }

    Candidacy candidacy() {
        return candidacy;
    }

    void candidacy(Candidacy c) {
        candidacy = c;
    }

    boolean amnesiac() {
        return amnesiac;
    }

    Set<String> heardFrom() {
        return heardFrom;
    }

    long startedAt() {
        return startedAt;
    }

    int rank() {
        return rank;
    }

    /**
     * True while this node has a live coordinator: it coordinates, or heard its term's coordinator
     * within the election timeout. Such a node neither stands nor votes (no disruption by a node
     * that merely lost its own link to the coordinator).
     */
    boolean hasLiveCoordinator(long now) {
        if (coordinator != null) {
            return true;
        }
        String who = terms.coordinator();
        return !who.isEmpty() && terms.lastHeardCoordinator() != Long.MIN_VALUE
                && now - terms.lastHeardCoordinator() < config.electionTimeout().toMillis();
    }

    /** Moves to a newer term (durably, before anything else is answered in it), ending any reign. */
    void adoptTerm(long term, String votedFor, List<Effect> out) {
        out.add(new Effect.Append(new LogRecord.TermVote(term, votedFor), true));
        boolean wasCoordinator = coordinator != null;
        terms.enter(term, votedFor);
        lease.revoke();
        candidacy = null;
        if (wasCoordinator) {
            out.addAll(coordinator.stepDown("term " + term + " began"));
            coordinator = null;
            out.add(new Effect.Log(Level.WARNING, selfId + " stops coordinating: a newer term " + term + " began"));
        }
    }

    /** Won the election of {@code term}: recovery round, then coordinating. */
    void becomeCoordinator(Candidacy won, long now, List<Effect> out) {
        candidacy = null;
        terms.coordinatorIs(selfId, now);
        coordinator = new Coordinator(selfId, config, won.term(), participant, membership, replies, wallClock);
        coordinator.plant(planted);
        Candidacy.RecoveryPlan plan = won.recover();
        if (!planted.contains(PlantedBug.SKIP_RECOVERY)) {
            participant.adoptIfNewer(plan.highestCommitted(), out);
        }
        out.add(new Effect.Log(Level.INFO, selfId + " is the coordinator of term " + won.term() + " (votes of "
                + String.join(", ", won.voters()) + "); committed version " + participant.committed().version()));
        if (plan.redrive().isPresent() && !planted.contains(PlantedBug.SKIP_RECOVERY)) {
            Message.PreparedReport p = plan.redrive().get();
            if (p.proposed().version() == participant.committed().version() + 1) {
                out.addAll(coordinator.redrive(p.txId(), p.proposed(), now));
            }
        }
        out.addAll(onHeartbeatTickNoSchedule(now));
    }

    // ---- internals ------------------------------------------------------------------------------

    private List<Effect> onHeartbeatTick(long now) {
        List<Effect> out = new ArrayList<>(onHeartbeatTickNoSchedule(now));
        out.add(new Effect.Schedule(config.heartbeatInterval(), new Timer.HeartbeatTick()));
        if (coordinator == null) {
            Elections.maybeStand(this, now, out);
        }
        return out;
    }

    /** One round of heartbeats (the coordinator also syncs members known to be behind). */
    private List<Effect> onHeartbeatTickNoSchedule(long now) {
        boolean leaseHolder = coordinator != null && leaseProblem(now).isEmpty();
        List<Effect> out = new ArrayList<>(membership.onHeartbeatTick(terms.current(), participant.committed().version(),
                isReady(), coordinator != null, leaseHolder, now));
        out.remove(out.size() - 1); // the caller schedules the next tick
        if (coordinator != null) {
            long version = participant.committed().version();
            for (String member : members) {
                if (!member.equals(selfId) && membership.isStale(member)) {
                    out.add(new Effect.Send(member, new Message.StateSync(terms.current(), participant.committed())));
                }
                membership.caughtUp(member, membership.reportedVersion(member), version);
            }
        }
        return out;
    }

    void scheduleNextStand(long at) {
        nextStandAt = at;
    }

    long nextStandAt() {
        return nextStandAt;
    }

    private void onHeartbeat(String from, Message.Heartbeat hb, long now, List<Effect> out) {
        if (hb.coordinator() && hb.term() == terms.current()) {
            learnCoordinator(from, out);
            if (hb.echo() >= startedAt && hb.echo() <= now) {
                terms.contact(hb.echo());
            }
            if (hb.leaseHolder()) {
                lease.granted(now, hb.committedVersion());
            }
        } else if (!hb.coordinator() && from.equals(terms.coordinator())) {
            // Our coordinator came back without its role (a restart never resumes a reign).
            terms.coordinatorGone();
            lease.revoke();
            out.add(new Effect.Log(Level.INFO, from + " no longer coordinates term " + terms.current()));
        }
        if (coordinator != null) {
            long version = participant.committed().version();
            if (hb.committedVersion() < version) {
                out.add(new Effect.Send(from, new Message.StateSync(terms.current(), participant.committed())));
            } else {
                membership.caughtUp(from, hb.committedVersion(), version);
            }
        }
    }

    /** {@code from} sent what only its term's coordinator sends: it coordinates our term. */
    private void learnCoordinator(String from, List<Effect> out) {
        if (from.equals(selfId)) {
            return;
        }
        if (!from.equals(terms.coordinator())) {
            out.add(new Effect.Log(Level.INFO, selfId + " follows the coordinator " + from + " of term " + terms.current()));
        }
        terms.coordinatorIs(from, lastNow);
        candidacy = null;
    }

    private List<Effect> onForwardRequest(String from, Message.ForwardRequest request, long now) {
        List<Effect> out = new ArrayList<>();
        if (!isCoordinator()) {
            // Not (or no longer) the coordinator: dropped; the sender resends to whoever coordinates then.
            return out;
        }
        if (replies.admit(from, request.requestId(), out) != Replies.Admission.NEW) {
            return out;
        }
        Caller.Remote caller = new Caller.Remote(from, request.requestId());
        if (accepted.contains(from, request.requestId())) {
            // Accepted by an earlier incarnation, whose answer died with it: it may have committed, so never run it twice.
            out.addAll(replies.reply(caller, Outcome.unknown("the coordinator " + selfId
                    + " restarted while running this request; it may have committed: check the routing state"),
                    participant.committed()));
            return out;
        }
        // Durable before the work starts: a resend reaching a restarted coordinator must find it.
        out.add(new Effect.Append(accepted.accept(from, request.requestId(), wallClock.getAsLong(), request.command()), true));
        out.addAll(runCommand(caller, request.command(), now));
        return out;
    }

    private List<Effect> runCommand(Caller caller, Message.Command command, long now) {
        if (command instanceof Message.ProposeWeights p) {
            return coordinator.propose(manualWeights(p.weights()), StateChange.Requester.OPERATOR, caller,
                    "weights " + p.weights(), now);
        }
        return List.of(new Effect.Delegate(caller, command));
    }

    /** The term a protocol message carries, or -1 for messages outside the protocol (health, forwarding). */
    static long termOf(Message m) {
        if (m instanceof Message.Prepare p) {
            return p.term();
        } else if (m instanceof Message.Vote v) {
            return v.term();
        } else if (m instanceof Message.Commit c) {
            return c.term();
        } else if (m instanceof Message.CommitAck a) {
            return a.term();
        } else if (m instanceof Message.Abort a) {
            return a.term();
        } else if (m instanceof Message.AbortAck a) {
            return a.term();
        } else if (m instanceof Message.DecisionQuery q) {
            return q.term();
        } else if (m instanceof Message.Heartbeat h) {
            return h.term();
        } else if (m instanceof Message.StateSync s) {
            return s.term();
        } else if (m instanceof Message.RequestVote r) {
            return r.term();
        } else if (m instanceof Message.RequestVoteReply r) {
            return r.term();
        }
        return -1;
    }

    /** An operator's weight change: refused while a rollout runs, which owns the weights until it ends. */
    static StateChange manualWeights(Weights weights) {
        return current -> {
            if (current.rollout().phase().isActive()) {
                throw new ProposalRejectedException("cannot set weights by hand while rollout " + current.rollout().id()
                        + " of " + current.rollout().canary() + " is " + current.rollout().phase().name().toLowerCase()
                        + " at " + current.rollout().currentPercent() + "%; abort it first");
            }
            String baseline = weights.contains(current.baseline()) ? current.baseline() : largestShare(weights);
            return current.next(weights, baseline, current.rollout(), 0, 0);
        };
    }

    private static String largestShare(Weights weights) {
        String best = null;
        for (String version : weights.versions()) {
            if (best == null || weights.basisPoints(version) > weights.basisPoints(best)) {
                best = version;
            }
        }
        return best;
    }
}
