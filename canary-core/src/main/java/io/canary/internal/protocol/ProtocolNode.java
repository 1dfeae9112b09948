package io.canary.internal.protocol;

import io.canary.CoordinationStatus;
import io.canary.NodeConfig;
import io.canary.PeerStatus;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.transport.Message;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything one node runs, as one deterministic state machine: every node's {@link Participant},
 * {@link Membership} and {@link Forwarder}, and on the coordinator the {@link Coordinator}. It
 * routes each event (inbound message, timer, API call) to the part that owns it and returns the
 * effects for the runtime to execute in order. No clock, no threads, no I/O.
 *
 * <p>Not thread-safe: driven by the node's protocol thread only.
 */
public final class ProtocolNode {

    private final String selfId;
    private final String coordinatorId;
    private final NodeConfig config;
    private final Recovery recovery;
    private final Participant participant;
    private final Membership membership;
    private final Forwarder forwarder;
    private final Replies replies = new Replies();
    private final AcceptedRequests accepted;
    private Coordinator coordinator;
    private boolean ready;
    private Set<PlantedBug> planted = Set.of();

    /**
     * @param servableVersions versions this node can serve; empty means any
     * @param recovery what the node's log held
     * @param requestIdBase first id of forwarded requests; must differ across restarts (random)
     */
    public ProtocolNode(String selfId, List<String> members, String coordinatorId, Set<String> servableVersions,
                        NodeConfig config, Recovery recovery, long requestIdBase) {
        this.selfId = Objects.requireNonNull(selfId, "selfId");
        this.coordinatorId = Objects.requireNonNull(coordinatorId, "coordinatorId");
        this.config = Objects.requireNonNull(config, "config");
        this.recovery = Objects.requireNonNull(recovery, "recovery");
        this.participant = new Participant(selfId, coordinatorId, servableVersions, config,
                recovery.committed(), recovery.inDoubt());
        this.membership = new Membership(selfId, members, coordinatorId, config);
        this.forwarder = new Forwarder(coordinatorId, config, requestIdBase);
        this.accepted = new AcceptedRequests(recovery.accepted());
    }

    /**
     * Test-only seam for the deterministic simulator: plants deliberate bugs (see {@link PlantedBug})
     * before {@link #start}. Package-private and never called by production code.
     */
    void plant(Set<PlantedBug> bugs) {
        planted = Set.copyOf(bugs);
    }

    public boolean isCoordinator() {
        return selfId.equals(coordinatorId);
    }

    public RoutingState committed() {
        return participant.committed();
    }

    /** Who coordinates as this node sees it, its term, and whether it routes fail-safe. */
    public CoordinationStatus coordination(long now) {
        long term = coordinator != null ? coordinator.epoch() : recovery.epoch();
        return new CoordinationStatus(Optional.of(coordinatorId), term, false, "");
    }

    /** True once synced with the coordinator (the coordinator itself at once), or after the sync timeout. */
    public boolean isReady() {
        return ready;
    }

    public Optional<Participant.PreparedTx> prepared() {
        return participant.prepared();
    }

    public List<PeerStatus> view(long now) {
        return membership.view(participant.committed().version(), now);
    }

    /** Effects of starting: the coordinator's new epoch, timers, the first heartbeats, questions about doubts. */
    public List<Effect> start(long now) {
        List<Effect> out = new ArrayList<>();
        if (isCoordinator()) {
            long epoch = recovery.epoch() + 1;
            out.add(new Effect.Append(new LogRecord.CoordinatorEpoch(epoch), true));
            coordinator = new Coordinator(selfId, config, epoch, participant, membership, replies);
            coordinator.plant(planted);
            out.addAll(participant.resolveOwnInDoubtAsAborted());
            ready = true;
        } else {
            out.add(new Effect.Schedule(config.syncTimeout(), new Timer.SyncTimeout()));
            out.addAll(participant.start(now));
        }
        out.addAll(membership.onHeartbeatTick(participant.committed().version(), ready));
        return out;
    }

    public List<Effect> onMessage(String from, Message message, long now) {
        membership.heard(from, now);
        if (message instanceof Message.Prepare m) {
            return participant.onPrepare(from, m, now);
        } else if (message instanceof Message.Commit m) {
            return participant.onCommit(from, m, now);
        } else if (message instanceof Message.Abort m) {
            return participant.onAbort(from, m, now);
        } else if (message instanceof Message.StateSync m) {
            List<Effect> out = participant.onStateSync(from, m, now);
            if (from.equals(coordinatorId)) {
                becomeReady("synced with the coordinator " + coordinatorId, out);
            }
            return out;
        } else if (message instanceof Message.Heartbeat m) {
            List<Effect> out = membership.onHeartbeat(from, m, participant.committed(), now);
            if (from.equals(coordinatorId) && m.committedVersion() <= participant.committed().version()) {
                becomeReady("up to date with the coordinator " + coordinatorId, out);
            }
            return out;
        } else if (message instanceof Message.ForwardRequest m) {
            return onForwardRequest(from, m, now);
        } else if (message instanceof Message.ForwardResponse m) {
            return forwarder.onResponse(from, m);
        } else if (coordinator != null && message instanceof Message.Vote m) {
            return coordinator.onVote(from, m, now);
        } else if (coordinator != null && message instanceof Message.CommitAck m) {
            return coordinator.onCommitAck(from, m, now);
        } else if (coordinator != null && message instanceof Message.DecisionQuery m) {
            return coordinator.onDecisionQuery(from, m, now);
        }
        // Health and verdict reports belong to the node's extensions; stray coordinator messages are ignored.
        return List.of();
    }

    public List<Effect> onTimer(Timer timer, long now) {
        if (timer instanceof Timer.HeartbeatTick) {
            return membership.onHeartbeatTick(participant.committed().version(), ready);
        } else if (timer instanceof Timer.InDoubtCheck) {
            return participant.onInDoubtCheck(now);
        } else if (timer instanceof Timer.SyncTimeout) {
            List<Effect> out = new ArrayList<>();
            if (!ready) {
                ready = true;
                out.add(new Effect.Log(Level.WARNING, selfId + " has not heard from the coordinator " + coordinatorId
                        + " within the sync timeout; serving its last committed version "
                        + participant.committed().version() + ", which may be behind"));
            }
            return out;
        } else if (timer instanceof Timer.RequestTimeout t) {
            return forwarder.onTimeout(t.requestId());
        } else if (timer instanceof Timer.RequestResend t) {
            return forwarder.onResend(t.requestId());
        } else if (coordinator != null && timer instanceof Timer.PrepareTimeout t) {
            return coordinator.onPrepareTimeout(t.txId(), now);
        } else if (coordinator != null && timer instanceof Timer.CommitResend t) {
            return coordinator.onCommitResend(t.txId(), now);
        } else if (coordinator != null && timer instanceof Timer.ProposalDeadline t) {
            return coordinator.onProposalDeadline(t.proposalId(), now);
        }
        return List.of();
    }

    /** A caller on this node runs a command: the coordinator runs it, a participant forwards it. */
    public List<Effect> command(long callId, Message.Command command, long now) {
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
        if (coordinator == null) {
            return List.of(new Effect.Complete(callId, Outcome.failure(selfId
                    + " is not the coordinator; only " + coordinatorId + " proposes changes")));
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
            out.add(new Effect.Send(coordinatorId, new Message.Vote(p.txId(), false,
                    selfId + " cannot write its state log: " + error)));
            return out;
        }
        return List.of();
    }

    /** The records a checkpoint keeps, before the extensions' own. */
    public List<LogRecord> checkpointRecords() {
        long epoch = coordinator != null ? coordinator.epoch() : recovery.epoch();
        Optional<LogRecord.Prepared> inDoubt = participant.prepared()
                .map(p -> new LogRecord.Prepared(p.txId(), p.proposed()));
        return Recovery.compact(epoch, participant.committed(), inDoubt, accepted.records());
    }

    private List<Effect> onForwardRequest(String from, Message.ForwardRequest request, long now) {
        List<Effect> out = new ArrayList<>();
        if (!isCoordinator()) {
            out.add(new Effect.Send(from, new Message.ForwardResponse(request.requestId(),
                    Message.ForwardResponse.Outcome.FAILED, participant.committed(), selfId + " is not the coordinator; " + coordinatorId + " is")));
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
        out.add(new Effect.Append(accepted.accept(from, request.requestId(), now, request.command()), true));
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

    private void becomeReady(String why, List<Effect> out) {
        if (!ready) {
            ready = true;
            out.add(new Effect.Log(Level.INFO, selfId + " is ready: " + why));
        }
    }
}
