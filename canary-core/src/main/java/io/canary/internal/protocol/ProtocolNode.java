package io.canary.internal.protocol;

import io.canary.CoordinationStatus;
import io.canary.NodeConfig;
import io.canary.PeerStatus;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.transport.Message;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
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
    private final Succession succession;
    private final NodeConfig config;
    private final Participant participant;
    private final Forwarder forwarder;
    private final Replies replies = new Replies();
    private final Commands commands;
    private final Lease lease;
    private final LongSupplier wallClock;
    private final Terms terms;
    private final Elections elections;
    private final Following following = new Following(this);
    private Membership membership;
    private Coordinator coordinator;
    private long startedAt;
    private long lastNow;
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
        Objects.requireNonNull(recovery, "recovery");
        this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
        this.succession = new Succession(members, preferredCoordinator);
        this.participant = new Participant(selfId, servableVersions, config, recovery.committed(), recovery.inDoubt(),
                recovery.lastAborted());
        this.forwarder = new Forwarder(this::coordinatorId, this::term, this::planted, config, requestIdBase);
        this.commands = new Commands(selfId, replies, new AcceptedRequests(recovery.accepted()), wallClock, this::term, this::planted);
        this.lease = new Lease(config);
        this.terms = new Terms(recovery.term(), recovery.votedFor());
        // Amnesiac at the start: a log without any term (a fresh node, or its data was lost: it may have voted before), or
        // whose current vote is "?" whatever it learned since (it crashed again before it heard every member: seeds 3098018,
        // 7000049), or whose recovery after a lost log is pending (Amnesia: seeds 9209848, 9420412).
        this.elections = new Elections(this, selfId, this.members, preferredCoordinator,
                recovery.term() == 0 || recovery.holdsOnlyAnAdoptedTerm(), recovery.recoveryPending());
    }

    /** Test-only seam for the deterministic simulator: see {@link PlantedBug}. Never called by production code. */
    void plant(Set<PlantedBug> bugs) {
        planted = Set.copyOf(bugs);
        lease.plant(planted);
        if (planted.contains(PlantedBug.FORGET_VOTE_ON_RESTART)) {
            terms.forgetVote();
        }
        if (terms.current() > 0 && (planted.contains(PlantedBug.AMNESIA_FORGOTTEN_ON_RESTART)
                || planted.contains(PlantedBug.AMNESIA_ENDED_BY_A_LEARNED_STATE) && participant.holdsAnyRecord())) {
            elections.forgetAmnesia();
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
                !problem.isEmpty(), problem, problem.isEmpty() ? List.of() : elections.waitingFor());
    }

    /** The lease's reason, or while amnesiac (it takes no lease then) whom it waits for: the operator's remedy. */
    private String leaseProblem(long now) {
        String problem = lease.problem(now, coordinator, membership, participant.committed().version(), terms.coordinator());
        String amnesia = problem.isEmpty() || !elections.amnesiac() ? "" : elections.amnesiaProblem(now);
        return amnesia.isEmpty() ? problem : amnesia;
    }

    /**
     * When this node's lease ends unless renewed ({@code now} if it has none): the router goes fail-safe
     * by itself then ({@code Router#leaseUntil}), even if the protocol thread does not run (a long pause).
     */
    public long leaseDeadline(long now) {
        return lease.deadline(now, coordinator, membership, participant.committed().version(), terms.coordinator());
    }

    /** True while this node may serve the canary's share: its lease is valid. */
    public boolean isReady() {
        return membership != null && leaseProblem(lastNow).isEmpty(); // started, and the lease is valid
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
        elections.start(now);
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
        long term = MessageTerms.of(message);
        if (term >= 0) {
            if (message instanceof Message.Heartbeat hb && hb.coordinator()) {
                elections.coordinatorSeen();
            }
            if (message instanceof Message.RequestVote rv) {
                elections.onRequestVote(from, rv, now, out);
                return out;
            }
            if (message instanceof Message.RequestVoteReply r && r.preVote() && r.granted()) {
                elections.onReply(from, r, now, out); // carries the term asked about, not a term to adopt
                return out;
            }
            boolean admitted = Fencing.admit(this, from, message, term, now, out);
            if (message instanceof Message.Heartbeat) {
                elections.learnedTermOf(from, now, out); // after a newer term was adopted
            }
            if (!admitted) {
                return out;
            }
        }
        if (message instanceof Message.Heartbeat m) {
            following.onHeartbeat(from, m, startedAt, now, out);
        } else if (message instanceof Message.Prepare m && fenceless()) {
            // Its term may be older than the cluster's (it forgot it): a deposed coordinator's Prepare would get a
            // YES it cannot fence (simulator seed 3034026: wiped node-b and the term-1 node-a committed another
            // version 3 than term 2 had). A NO about itself: a rollback goes on without it.
            out.add(new Effect.Send(from, Message.Vote.no(terms.current(), m.txId(), Message.Refusal.BEHIND, selfId
                    + " started without any term in its log and has not yet heard every member: it takes part in no"
                    + " transaction until then")));
        } else if (message instanceof Message.Prepare m) {
            following.learnCoordinator(from, now, out);
            out.addAll(participant.onPrepare(from, terms.current(), m, now));
        } else if (message instanceof Message.Commit m) {
            following.learnCoordinator(from, now, out);
            out.addAll(participant.onCommit(from, terms.current(), m, now));
        } else if (message instanceof Message.Abort m && !fenceless()) {
            // (While fenceless, no ABORTED record and no acknowledgement: a deposed coordinator counting it would tell
            // its caller "failed" for a transaction a newer term committed; simulator seed 3035498.)
            out.addAll(participant.onAbort(from, terms.current(), m, now));
        } else if (message instanceof Message.StateSync m) {
            following.learnCoordinator(from, now, out);
            out.addAll(participant.onStateSync(from, m, now));
        } else if (message instanceof Message.RequestVoteReply m) {
            elections.onReply(from, m, now, out);
        } else if (message instanceof Message.ForwardRequest m) {
            out.addAll(commands.onForwardRequest(from, m, isCoordinator() ? coordinator : null, participant.committed(), now));
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
        } else if (coordinator != null && timer instanceof Timer.CommitGrace t) {
            return coordinator.onCommitGrace(t.txId(), now);
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
        return commands.run(new Caller.Local(callId), command, coordinator, now);
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
        return commands.onDelegatedDone(caller, outcome, participant.committed());
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
        return record instanceof LogRecord.Prepared p
                ? participant.onPromiseNotDurable(p.txId(), error, terms.coordinator(), terms.current()) : List.of();
    }

    /** The records a checkpoint keeps, before the extensions' own. */
    public List<LogRecord> checkpointRecords() {
        List<LogRecord> out = new ArrayList<>(Recovery.compact(terms.current(), terms.votedFor(), participant.committed(),
                participant.inDoubtRecord(), participant.abortedRecord(), elections.checkpointRecords()));
        out.addAll(commands.checkpointRecords());
        return out;
    }

    // ---- package-private, for Elections and Fencing ---------------------------------------------
    String selfId() { return selfId; }
    NodeConfig config() { return config; }
    Terms terms() { return terms; }
    Participant participant() { return participant; }
    Membership membership() { return membership; }
    Lease lease() { return lease; }
    Elections elections() { return elections; }
    Set<PlantedBug> planted() { return planted; }
    /**
     * True while this node's log held no term at its start and it has not yet heard enough members to know the
     * cluster's term ({@link Elections#fencesTerms}: every other member of three): its term may be older than one it
     * forgot, so it cannot fence a deposed coordinator. Until then it takes part in no term's work: it votes NO on every Prepare (about itself),
     * neither logs nor acknowledges an Abort, echoes no heartbeat (no coordinator counts it toward a majority's
     * contact) and takes no lease. Commits and syncs it takes: they state what was decided.
     */
    boolean fenceless() {
        return !elections.fencesTerms() && !planted.contains(PlantedBug.AMNESIAC_JOINS_ANY_TERM);
    }

    /** True while this node runs a coordinator of its term (recovering or active). */
    boolean holdsReign() { return coordinator != null; }

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
        String vote = votedFor.isEmpty() && elections.amnesiac() ? Terms.UNKNOWN_VOTE : votedFor;
        out.add(new Effect.Append(new LogRecord.TermVote(term, vote), true));
        boolean wasCoordinator = coordinator != null;
        terms.enter(term, vote);
        lease.revoke();
        elections.cancel();
        if (wasCoordinator) {
            out.addAll(coordinator.stepDown("term " + term + " began"));
            coordinator = null;
            out.add(new Effect.Log(Level.WARNING, selfId + " stops coordinating: a newer term " + term + " began"));
        }
    }

    /** Won the election of {@code term}: recovery round, then coordinating. */
    void becomeCoordinator(Candidacy won, long now, List<Effect> out) {
        elections.cancel();
        elections.coordinatorSeen();
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
        out.addAll(heartbeats(now));
    }

    // ---- internals ------------------------------------------------------------------------------
    private List<Effect> onHeartbeatTick(long now) {
        List<Effect> out = new ArrayList<>(heartbeats(now));
        out.add(new Effect.Schedule(config.heartbeatInterval(), new Timer.HeartbeatTick()));
        elections.onTick(now, out);
        if (coordinator == null) {
            elections.maybeStand(now, out);
        }
        return out;
    }

    /** One round of heartbeats (the coordinator also syncs members known to be behind); no next tick. */
    private List<Effect> heartbeats(long now) {
        boolean leaseHolder = coordinator != null && leaseProblem(now).isEmpty();
        // Heartbeats fan in (Succession): every member from the coordinator and its warm successors, the hubs from the rest.
        List<String> targets = succession.fanOut(selfId, coordinator != null ? selfId : terms.coordinator());
        membership.echoing(!fenceless());
        List<Effect> out = new ArrayList<>(membership.onHeartbeatTick(targets, terms.current(), participant.committed().version(),
                isReady(), coordinator != null, leaseHolder, participant.lastVersion(), participant.lastTerm(),
                participant.preparedReport(), now));
        out.remove(out.size() - 1); // the caller schedules the next tick
        if (coordinator != null) {
            CatchUp.onTick(selfId, membership, terms.current(), participant.committed(), out);
        }
        return out;
    }
}
