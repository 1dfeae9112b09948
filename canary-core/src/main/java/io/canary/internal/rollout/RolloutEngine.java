package io.canary.internal.rollout;

import io.canary.ClusterHealth;
import io.canary.internal.protocol.Effect;
import io.canary.internal.protocol.Outcome;
import io.canary.internal.protocol.StateChange;
import io.canary.internal.protocol.Timer;
import io.canary.internal.rollout.RolloutState.Analysing;
import io.canary.internal.rollout.RolloutState.Idle;
import io.canary.internal.rollout.RolloutState.Kind;
import io.canary.internal.rollout.RolloutState.Paused;
import io.canary.internal.rollout.RolloutState.Pending;
import io.canary.internal.rollout.RolloutState.RollingBack;
import io.canary.internal.rollout.RolloutState.Starting;
import io.canary.internal.rollout.RolloutState.Step;
import io.canary.log.LogRecord;
import io.canary.model.RolloutInfo;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import io.canary.rollout.Verdict.Decision;
import io.canary.transport.Message;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rollout on the coordinator, as a deterministic state machine: {@code (state, event, now) ->}
 * the protocol's own {@link Effect}s. It never reads a clock, blocks or does I/O; the step's
 * evidence comes in with each tick. States are {@link RolloutState}'s records; the truth it
 * reconciles with is the committed {@link RolloutInfo} (plan, step, phase, step start), which every
 * node holds: so whichever node becomes coordinator builds the same engine from it
 * ({@link #takeOver}).
 *
 * <p>Events: {@link #takeOver} (became coordinator), {@link #roleLost}, {@link #command} (an
 * operator's start/pause/resume/promote/abort), {@link #committed} (every newly committed state),
 * {@link #proposalDone} (the outcome of one of its {@link Effect.Propose}s) and {@link #tick}
 * ({@link Timer.RolloutTick}, every health interval while a rollout is active, with the step's
 * merged cumulative evidence).
 *
 * <p>Its parts: {@link StepDecision} (what one analysis of the step leads to), {@link OperatorControl}
 * (pause, resume, promote, abort), {@link CommittedStates} (the state read off a committed rollout),
 * {@link RolloutTransitions} (the routing states proposed); this class dispatches the events, holds
 * the callers waiting for proposals and keeps one tick chain per tenure.
 *
 * <p>Threading: the coordinator's protocol thread only.
 */
public final class RolloutEngine {
    private final String self;
    private final List<String> peers;
    private final Analyst analyst;
    private final Duration tickInterval;
    private final long retryMillis;
    private final long maxPauseMillis;
    /** Proposal id to the caller waiting for it. */
    private final Map<Long, Long> waiting = new HashMap<>();
    private RolloutState state = new Idle();
    private RoutingState committed;
    private long generation;
    private boolean ticking;
    private boolean rollbackFailureReported;
    private final PromotionBackoff backoff = new PromotionBackoff();
    /** Whether every member was reachable (two-way) at the last tick that said; true until one says otherwise. */
    private boolean everyReachable = true;
    private long nextProposalId = 1;

    /**
     * @param self this node's id
     * @param members every member's id (verdicts go to all but {@code self})
     * @param analyst asks the plan's judge
     * @param tickInterval how often the step is analysed (the health interval)
     * @param retryInterval how often a rollback that did not commit is proposed again
     * @param maxPause how long a rollout may stay paused before it is aborted
     */
    public RolloutEngine(String self, List<String> members, Analyst analyst, Duration tickInterval, Duration retryInterval,
                         Duration maxPause) {
        this.self = self;
        List<String> others = new ArrayList<>(members);
        others.remove(self);
        this.peers = List.copyOf(others);
        this.analyst = analyst;
        this.tickInterval = tickInterval;
        this.retryMillis = retryInterval.toMillis();
        this.maxPauseMillis = maxPause.toMillis();
    }

    /** The current state (for tests and status). */
    public RolloutState state() {
        return state;
    }

    /** The generation the next tick must carry. */
    public long generation() {
        return generation;
    }

    /** The most recent analysis of the current step, published or not. */
    public Optional<Verdict> latest() {
        return state instanceof Analysing a ? a.latest() : Optional.empty();
    }

    /**
     * This node became coordinator (or started as one): take the rollout over from the committed
     * state. {@code known} are the verdicts this node holds of the committed rollout (it received
     * them as a member), oldest first: they give the threshold judge's failure count.
     */
    public List<Effect> takeOver(RoutingState state, List<Verdict> known, long now) {
        generation++;
        ticking = false;
        waiting.clear();
        backoff.reset();
        committed = state;
        List<Effect> effects = new ArrayList<>();
        RolloutInfo info = state.rollout();
        if (info.phase().isActive() && info.plan().isEmpty()) {
            // A state written before plans were replicated, whose plan this node does not know.
            RolloutPlan guess = RolloutPlan.builder(state.baseline(), info.canary()).steps(info.steps()).build();
            Step step = new Step(info.id(), guess, info.stepIndex(), now);
            publish(effects, step, analyst.event(step, Decision.ROLLBACK, "the plan of rollout " + info.id()
                    + " is unknown to the new coordinator " + self + ": rolling back", now));
            this.state = rollBack(effects, step, Phase.ABORTED, "plan unknown to the new coordinator", now);
        } else {
            this.state = CommittedStates.of(state, CommittedStates.countFailures(known, info), now);
        }
        effects.add(new Effect.Log(Level.INFO, "rollout engine takes over: " + this.state.describe()));
        return keepTicking(effects);
    }

    /** This node stopped being coordinator: stop, and fail every waiting caller with a retryable error. */
    public List<Effect> roleLost(long term) {
        generation++;
        ticking = false;
        List<Effect> effects = new ArrayList<>();
        String reason = self + " is no longer the coordinator (term " + term + "); retry through the new one";
        for (long callId : waiting.values()) {
            if (callId != 0) {
                effects.add(new Effect.Complete(callId, Outcome.unknown(reason)));
            }
        }
        waiting.clear();
        state = new Idle();
        return effects;
    }

    /** An operator's command; the outcome goes to {@code callId} through {@link Effect.Complete}. */
    public List<Effect> command(Message.Command command, long callId, long now) {
        List<Effect> effects = new ArrayList<>();
        if (command instanceof Message.StartRollout s) {
            start(effects, s.plan(), callId, now);
        } else if (command instanceof Message.ControlRollout c) {
            state = new OperatorControl(this, effects).apply(state, committed, c.action(), callId, now);
        } else {
            effects.add(new Effect.Complete(callId, Outcome.failure("the rollout engine takes no " + command)));
        }
        return keepTicking(effects);
    }

    /** A newly committed state, in commit order, whoever proposed it. */
    public List<Effect> committed(RoutingState s, long now) {
        if (committed != null && s.version() <= committed.version()) {
            return List.of();
        }
        committed = s;
        List<Effect> effects = new ArrayList<>();
        RolloutInfo info = s.rollout();
        RolloutState current = state;
        Optional<Step> known = current.currentStep();
        if (current instanceof Starting st) {
            if (info.id().equals(st.rolloutId())) {
                state = CommittedStates.of(s, 0, now);
            }
        } else if (known.isEmpty() || !info.id().equals(known.get().rolloutId()) || !info.phase().isActive()) {
            state = CommittedStates.of(s, 0, now);
        } else if (info.stepIndex() != known.get().index()) {
            // A promotion committed (ours, or an operator's); a rollback under way goes on from the new step.
            Step next = CommittedStates.stepOf(info, now);
            state = current instanceof RollingBack rb ? new RollingBack(next, rb.outcome(), rb.reason(), rb.proposalId(),
                    rb.retryAt()) : CommittedStates.of(s, 0, now);
        } else if (info.phase() == Phase.PAUSED && current instanceof Analysing a) {
            state = new Paused(a.step(), now, Optional.empty());
        } else if (info.phase() == Phase.PROGRESSING && current instanceof Paused p) {
            state = CommittedStates.analysing(p.step(), 0, now);
        }
        return keepTicking(effects);
    }

    /** Proposal {@code proposalId} ended with {@code outcome}. */
    public List<Effect> proposalDone(long proposalId, Outcome outcome, long now) {
        List<Effect> effects = new ArrayList<>();
        Long callId = waiting.remove(proposalId);
        if (outcome instanceof Outcome.Success s) {
            effects.addAll(committed(s.state(), now));
        }
        RolloutState current = state;
        boolean failed = outcome instanceof Outcome.Failure;
        String reason = failed ? ((Outcome.Failure) outcome).reason() : "";
        if (current instanceof Starting st && st.proposalId() == proposalId && failed) {
            state = new Idle();
        } else if (current instanceof Analysing a && a.pending().map(Pending::proposalId).orElse(-1L) == proposalId) {
            state = new Analysing(a.step(), a.failures(), a.nextAnalysisAt(), now, a.latest(), Optional.empty());
            Kind kind = a.pending().get().kind();
            if (failed && kind == Kind.PROMOTE) {
                backoff.failed(a.step(), now, everyReachable);
                publish(effects, a.step(), analyst.event(a.step(), Decision.HOLD, "promotion to "
                        + CommittedStates.nextPercent(a.step()) + "% failed: " + reason + "; analysing on, the next promotion "
                        + "in " + (backoff.notBefore() - now) + " ms at the earliest"
                        + (everyReachable ? "" : " (at once when every member is reachable again)"), now));
            } else if (failed) {
                publish(effects, a.step(), analyst.event(a.step(), Decision.HOLD,
                        kind.name().toLowerCase(java.util.Locale.ROOT) + " failed: " + reason, now));
            } else if (kind == Kind.PROMOTE) {
                backoff.reset();
            }
        } else if (current instanceof Paused p && p.pending().map(Pending::proposalId).orElse(-1L) == proposalId) {
            state = new Paused(p.step(), p.pausedAt(), Optional.empty());
        } else if (current instanceof RollingBack rb && rb.proposalId() == proposalId && failed) {
            state = new RollingBack(rb.step(), rb.outcome(), rb.reason(), 0, now + retryMillis);
            if (!rollbackFailureReported) {
                rollbackFailureReported = true;
                effects.add(new Effect.Log(Level.WARNING, "rollback of rollout " + rb.step().rolloutId() + " did not commit ("
                        + reason + "); retrying every " + Duration.ofMillis(retryMillis).toMillis() + " ms until it does"));
            }
        }
        if (callId != null && callId != 0) {
            effects.add(new Effect.Complete(callId, outcome));
        }
        return keepTicking(effects);
    }

    /**
     * Time passed (a {@link Timer.RolloutTick} of {@code tickGeneration}); {@code stepHealth} is the
     * current step's cumulative evidence merged over the nodes. Analyses, retries a rollback, ends
     * a too long pause.
     */
    public List<Effect> tick(long tickGeneration, ClusterHealth stepHealth, long now) {
        return tick(tickGeneration, stepHealth, everyReachable, now);
    }

    /**
     * As {@link #tick(long, ClusterHealth, long)}, also telling whether this coordinator has two-way contact with every
     * member now ({@code everyMemberReachable}): a promotion that failed while one was not is retried as soon as every
     * member is back, instead of at the end of its back-off ({@link PromotionBackoff}).
     */
    public List<Effect> tick(long tickGeneration, ClusterHealth stepHealth, boolean everyMemberReachable, long now) {
        everyReachable = everyMemberReachable;
        if (tickGeneration != generation) {
            return List.of(); // a timer of an earlier tenure
        }
        ticking = false;
        List<Effect> effects = new ArrayList<>();
        RolloutState current = state;
        if (current instanceof RollingBack rb && rb.proposalId() == 0 && now >= rb.retryAt()) {
            state = rollBack(effects, rb.step(), rb.outcome(), rb.reason(), now);
        } else if (current instanceof Paused p && p.pending().isEmpty() && now - p.pausedAt() >= maxPauseMillis) {
            String reason = "paused for longer than the maximum pause of " + Duration.ofMillis(maxPauseMillis) + ": aborting";
            publish(effects, p.step(), analyst.event(p.step(), Decision.ROLLBACK, reason, now));
            state = rollBack(effects, p.step(), Phase.ABORTED, reason, now);
        } else if (current instanceof Analysing a && a.pending().isEmpty()) {
            state = new StepDecision(this, effects, a, stepHealth, now).decide();
        }
        return keepTicking(effects);
    }

    // ---- used by StepDecision and OperatorControl -------------------------------------------------

    Analyst analyst() {
        return analyst;
    }

    /** False while an automatic promotion of {@code step} must wait, after one that did not commit ({@link PromotionBackoff}). */
    boolean promotionAllowed(Step step, long now) {
        return backoff.allows(step, now, everyReachable);
    }

    RolloutState promote(List<Effect> effects, Analysing a, String reason, long callId, long now) {
        Step step = a.step();
        int from = step.index();
        long id = propose(effects, c -> RolloutTransitions.promote(c, step.rolloutId(), step.plan(), from, reason, now),
                "promote rollout " + step.rolloutId() + " to " + CommittedStates.nextPercent(step) + "%", callId);
        return new Analysing(step, 0, a.nextAnalysisAt(), now, a.latest(), Optional.of(new Pending(id, Kind.PROMOTE)));
    }

    RolloutState pauseForOperator(List<Effect> effects, Analysing a, String reason, long now) {
        Step step = a.step();
        long id = propose(effects, c -> RolloutTransitions.phase(c, step.rolloutId(), Phase.PAUSED, reason),
                "pause rollout " + step.rolloutId() + ": " + reason, 0);
        return new Analysing(step, a.failures(), a.nextAnalysisAt(), now, a.latest(), Optional.of(new Pending(id, Kind.PAUSE)));
    }

    RollingBack rollBack(List<Effect> effects, Step step, Phase outcome, String reason, long now) {
        rollbackFailureReported = rollbackFailureReported && state.currentStep().map(s -> s.equals(step)).orElse(false);
        String note = (outcome == Phase.ABORTED ? "aborted: " : "rolled back: ") + reason;
        long id = propose(effects, c -> RolloutTransitions.rollBack(c, step.rolloutId(), step.plan(), outcome, note),
                "roll rollout " + step.rolloutId() + " back to " + step.plan().baseline(), 0);
        return new RollingBack(step, outcome, reason, id, now + retryMillis);
    }

    /** The caller {@code callId} waits for proposal {@code proposalId}. */
    void awaiting(long proposalId, long callId) {
        waiting.put(proposalId, callId);
    }

    void publish(List<Effect> effects, Step step, Verdict v) {
        effects.add(new Effect.Append(new LogRecord.RolloutVerdict(step.rolloutId(), v), true));
        for (String peer : peers) {
            effects.add(new Effect.Send(peer, new Message.VerdictReport(step.rolloutId(), v)));
        }
        effects.add(new Effect.Log(Level.INFO, "rollout " + step.rolloutId() + " at " + step.percent() + "%: "
                + v.decision() + ": " + v.reason()));
    }

    // ---- commands --------------------------------------------------------------------------------

    private void start(List<Effect> effects, RolloutPlan plan, long callId, long now) {
        RolloutInfo running = committed.rollout();
        if (state instanceof Starting s) {
            reject(effects, callId, "rollout " + s.rolloutId() + " is being started");
            return;
        }
        if (running.phase().isActive() || !(state instanceof Idle)) {
            reject(effects, callId, "rollout " + running.id() + " is already running (" + RolloutTransitions.describe(running) + ")");
            return;
        }
        if (!committed.baseline().equals(plan.baseline())) {
            reject(effects, callId, "the plan's baseline " + plan.baseline() + " is not the serving baseline " + committed.baseline());
            return;
        }
        String base = "r" + Long.toString(Math.max(0, now), 36);
        String id = base.equals(running.id()) ? base + "-" + nextProposalId : base;
        effects.add(new Effect.Append(new LogRecord.RolloutStarted(id, plan, now), true));
        long proposal = propose(effects, c -> RolloutTransitions.start(c, id, plan, now),
                "start rollout " + id + " of " + plan.canary() + " at " + plan.steps().get(0) + "%", callId);
        state = new Starting(id, plan, proposal);
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** Proposes {@code change}; its outcome completes {@code callId} (0: nobody waits). */
    long propose(List<Effect> effects, StateChange change, String description, long callId) {
        long id = nextProposalId++;
        waiting.put(id, callId);
        effects.add(new Effect.Propose(id, change, StateChange.Requester.ROLLOUT, description));
        return id;
    }

    private static void reject(List<Effect> effects, long callId, String reason) {
        effects.add(new Effect.Complete(callId, Outcome.failure(reason)));
    }

    /** One tick chain per tenure while a rollout is active (or starting). */
    private List<Effect> keepTicking(List<Effect> effects) {
        if (!ticking && !(state instanceof Idle)) {
            ticking = true;
            effects.add(new Effect.Schedule(tickInterval, new Timer.RolloutTick(generation)));
        }
        return effects;
    }
}
