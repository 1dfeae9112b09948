package io.canary.internal.rollout;

import io.canary.ClusterHealth;
import io.canary.internal.rollout.RolloutEffect.Kind;
import io.canary.log.LogRecord;
import io.canary.model.RolloutInfo;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.rollout.Judge;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import io.canary.rollout.Verdict.Decision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Drives a rollout on the coordinator: a deterministic state machine, {@code (state, event, now) ->
 * effects}, that never reads a clock, blocks or does I/O. Events are the operator's commands, every
 * newly committed routing state, the outcomes of its own proposals and {@link #tick} (its timers).
 *
 * <p>Where the truth lives: progress (rollout id, step, phase) is in the committed
 * {@link RoutingState#rollout()}, so every node reports it and a restarted coordinator finds it;
 * the plan is in the coordinator's log ({@link LogRecord.RolloutStarted}), and so is every verdict.
 * This object only keeps what can be rebuilt: timers and the count of consecutive failed analyses
 * (rebuilt from the logged verdicts of the current step, see {@link #restore}).
 *
 * <p>The analysis of a step runs {@code stepInterval} after the step committed, and again every
 * {@code stepInterval} while it holds. It judges only health reported after the step committed
 * ({@link StepHealth#since}); nodes restart their windows when their weights change, so those
 * reports hold no traffic of the previous step.
 *
 * <p>Threading: the coordinator's protocol thread only.
 */
public final class RolloutController {

    /** The merged cluster health of the current step. */
    @FunctionalInterface
    public interface StepHealth {
        /** Cluster health over snapshots reported at or after {@code fromMillis}. Must not block. */
        ClusterHealth since(long fromMillis);
    }

    private final StepAnalyst analyst;
    private final long retryMillis;
    private final long maxPauseMillis;
    private final Map<Long, Kind> pending = new HashMap<>();
    private long nextProposalId = 1;

    private RolloutPlan plan;
    private String rolloutId = "";
    private RolloutInfo info = RolloutInfo.NONE;
    private boolean startPending;
    private RolloutPlan planBeforeStart;
    private String idBeforeStart = "";
    private long stepStartedAt;
    private long nextAnalysisAt = Long.MAX_VALUE;
    private int failures;
    private long pausedAt;
    private Phase rollbackPhase;
    private String rollbackReason = "";
    private long nextRollbackAt;
    private boolean rollbackFailureReported;

    /**
     * @param judge decides each analysis
     * @param health the current step's merged cluster health
     * @param retryInterval how often a rollback that did not commit is tried again
     * @param maxPause how long a rollout may stay paused before it is aborted
     */
    public RolloutController(Judge judge, StepHealth health, Duration retryInterval, Duration maxPause) {
        this.analyst = new StepAnalyst(judge, health);
        this.retryMillis = positive("retryInterval", retryInterval);
        this.maxPauseMillis = positive("maxPause", maxPause);
    }

    /** The plan of the current (or last) rollout, if this coordinator knows it. */
    public Optional<RolloutPlan> plan() {
        return Optional.ofNullable(plan);
    }

    /** Consecutive failed analyses of the current step. */
    public int consecutiveFailures() {
        return failures;
    }

    /**
     * Picks up a rollout after a (re)start of the coordinator, from its committed state and its
     * replayed log: the same step continues, analysed {@code stepInterval} from now; a rollout that
     * had already failed {@code failureLimit} analyses of this step is rolled back; one whose plan
     * is missing from the log is rolled back too, since it cannot be judged.
     */
    public List<RolloutEffect> restore(RoutingState committed, List<LogRecord> replayed, long now) {
        RolloutInfo ri = committed.rollout();
        if (ri.id().isEmpty()) {
            return List.of();
        }
        RecoveredRollout recovered = RecoveredRollout.from(replayed, ri);
        rolloutId = ri.id();
        info = ri;
        if (!ri.phase().isActive()) {
            plan = recovered.plan().orElse(null);
            return List.of();
        }
        List<RolloutEffect> effects = new ArrayList<>();
        if (recovered.plan().isEmpty()) {
            plan = RolloutPlan.builder(committed.baseline(), ri.canary()).steps(ri.steps()).build();
            publish(effects, Decision.ROLLBACK, "the plan of rollout " + ri.id() + " is not in the log: rolling back", now);
            requestRollback(effects, Phase.ABORTED, "plan lost on restart", now);
            return effects;
        }
        plan = recovered.plan().get();
        failures = recovered.consecutiveFailures();
        stepStartedAt = now;
        pausedAt = committed.committedAt() > 0 ? Math.min(committed.committedAt(), now) : now;
        if (failures >= plan.failureLimit()) {
            requestRollback(effects, Phase.ROLLED_BACK, failures + " consecutive failed analyses before the coordinator restarted", now);
            return effects;
        }
        nextAnalysisAt = now + plan.stepInterval().toMillis();
        effects.add(new RolloutEffect.WakeAt(ri.phase() == Phase.PAUSED ? pausedAt + maxPauseMillis : nextAnalysisAt));
        return effects;
    }

    /** An operator starts a rollout; the caller's outcome is that of the first step's proposal. */
    public CommandResult start(RolloutPlan newPlan, RoutingState committed, long now) {
        RolloutInfo ri = committed.rollout();
        if (ri.phase().isActive()) {
            return new CommandResult.Rejected("rollout " + ri.id() + " is already running (" + RolloutTransitions.describe(ri) + ")");
        }
        if (startPending) {
            return new CommandResult.Rejected("rollout " + rolloutId + " is being started");
        }
        if (!committed.baseline().equals(newPlan.baseline())) {
            return new CommandResult.Rejected("the plan's baseline " + newPlan.baseline() + " is not the serving baseline "
                    + committed.baseline());
        }
        String id = "r" + Long.toString(Math.max(0, now), 36);
        if (id.equals(rolloutId) || id.equals(ri.id())) {
            id = id + "-" + nextProposalId;
        }
        planBeforeStart = plan;
        idBeforeStart = rolloutId;
        plan = newPlan;
        rolloutId = id;
        info = RolloutInfo.NONE;
        startPending = true;
        failures = 0;
        rollbackPhase = null;
        nextAnalysisAt = Long.MAX_VALUE;
        List<RolloutEffect> effects = new ArrayList<>();
        effects.add(new RolloutEffect.Append(new LogRecord.RolloutStarted(id, newPlan, now)));
        String startId = id;
        long proposal = propose(effects, Kind.START, c -> RolloutTransitions.start(c, startId, newPlan, now),
                "start rollout " + id + " of " + newPlan.canary() + " at " + newPlan.steps().get(0) + "%");
        return new CommandResult.Proposed(proposal, effects);
    }

    /** An operator pauses, resumes, promotes or aborts the running rollout. */
    public CommandResult control(RolloutAction action, RoutingState committed, long now) {
        RolloutInfo ri = committed.rollout();
        if (plan == null || !ri.id().equals(rolloutId) || !ri.phase().isActive()) {
            if (startPending) {
                return new CommandResult.Rejected("rollout " + rolloutId + " is still starting; try again once it runs");
            }
            return new CommandResult.Rejected("no rollout is running" + (ri.id().isEmpty() ? ""
                    : " (rollout " + ri.id() + " is " + RolloutTransitions.describe(ri) + ")"));
        }
        if (rollbackPhase != null) {
            return new CommandResult.Rejected("rollout " + rolloutId + " is already being rolled back (" + rollbackReason
                    + "); it commits on every reachable node");
        }
        List<RolloutEffect> effects = new ArrayList<>();
        String id = rolloutId;
        switch (action) {
            case PAUSE, RESUME -> {
                Phase target = action == RolloutAction.PAUSE ? Phase.PAUSED : Phase.PROGRESSING;
                if (ri.phase() == target) {
                    return new CommandResult.Unchanged(effects);
                }
                String reason = (action == RolloutAction.PAUSE ? "paused" : "resumed") + " by operator";
                publish(effects, Decision.HOLD, reason, now);
                Kind kind = action == RolloutAction.PAUSE ? Kind.PAUSE : Kind.RESUME;
                return proposed(effects, propose(effects, kind, c -> RolloutTransitions.phase(c, id, target, reason),
                        reason + ": rollout " + id));
            }
            case PROMOTE -> {
                if (pending.containsValue(Kind.PROMOTE) || pending.containsValue(Kind.MANUAL_PROMOTE)) {
                    return new CommandResult.Rejected("a promotion of rollout " + rolloutId + " is already under way");
                }
                int from = ri.stepIndex();
                String reason = "promoted by operator from " + plan.steps().get(from) + "% to " + plan.steps().get(from + 1) + "%";
                publish(effects, Decision.PROMOTE, reason, now);
                RolloutPlan p = plan;
                return proposed(effects, propose(effects, Kind.MANUAL_PROMOTE,
                        c -> RolloutTransitions.promote(c, id, p, from, reason, now), reason));
            }
            case ABORT -> {
                publish(effects, Decision.ROLLBACK, "aborted by operator", now);
                return proposed(effects, requestRollback(effects, Phase.ABORTED, "aborted by operator", now));
            }
            default -> throw new IllegalArgumentException("unknown action " + action);
        }
    }

    /** Every newly committed routing state, in commit order (also those this controller did not propose). */
    public List<RolloutEffect> onCommitted(RoutingState state, long now) {
        RolloutInfo ri = state.rollout();
        if (plan == null || !ri.id().equals(rolloutId)) {
            return List.of();
        }
        RolloutInfo before = info;
        info = ri;
        List<RolloutEffect> effects = new ArrayList<>();
        if (!ri.phase().isActive()) {
            rollbackPhase = null;
            nextAnalysisAt = Long.MAX_VALUE;
            return effects;
        }
        long interval = plan.stepInterval().toMillis();
        if (ri.stepIndex() != before.stepIndex()) {
            stepStartedAt = now;
            failures = 0;
            nextAnalysisAt = now + interval;
        }
        if (ri.phase() == Phase.PAUSED && before.phase() != Phase.PAUSED) {
            pausedAt = now;
            effects.add(new RolloutEffect.WakeAt(now + maxPauseMillis));
        }
        if (ri.phase() == Phase.PROGRESSING && before.phase() == Phase.PAUSED) {
            nextAnalysisAt = now + interval;
        }
        if (ri.phase() == Phase.PROGRESSING) {
            effects.add(new RolloutEffect.WakeAt(nextAnalysisAt));
        }
        return effects;
    }

    /** Proposal {@code id} committed {@code state}. */
    public List<RolloutEffect> onProposalCommitted(long id, RoutingState state, long now) {
        Kind kind = pending.remove(id);
        if (kind == Kind.START) {
            startPending = false;
        }
        return wakeIfDue(new ArrayList<>(), now);
    }

    /** Proposal {@code id} did not commit, for {@code reason}. */
    public List<RolloutEffect> onProposalFailed(long id, String reason, long now) {
        Kind kind = pending.remove(id);
        List<RolloutEffect> effects = new ArrayList<>();
        if (kind == null) {
            return effects;
        }
        if (kind == Kind.START) {
            startPending = false;
            plan = planBeforeStart;
            rolloutId = idBeforeStart;
            return effects;
        }
        if (!info.phase().isActive()) {
            return effects;
        }
        switch (kind) {
            case ROLLBACK -> {
                if (rollbackPhase != null) {
                    nextRollbackAt = now + retryMillis;
                    if (!rollbackFailureReported) {
                        rollbackFailureReported = true;
                        publish(effects, Decision.ROLLBACK, "rollback failed: " + reason + "; retrying every " + retryMillis
                                + " ms until it commits", now);
                    }
                    effects.add(new RolloutEffect.WakeAt(nextRollbackAt));
                }
            }
            case PROMOTE -> publish(effects, Decision.HOLD, "promotion to " + nextPercent() + "% failed: " + reason
                    + "; analysing again at the next interval", now);
            default -> publish(effects, Decision.HOLD, kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                    + " failed: " + reason, now);
        }
        return wakeIfDue(effects, now);
    }

    /** Time passed: run what is due (an analysis, a rollback retry, the end of a too long pause). */
    public List<RolloutEffect> tick(long now) {
        List<RolloutEffect> effects = new ArrayList<>();
        if (plan == null || !info.phase().isActive()) {
            return effects;
        }
        if (rollbackPhase != null) {
            if (!pending.containsValue(Kind.ROLLBACK) && now >= nextRollbackAt) {
                proposeRollback(effects);
            }
            return effects;
        }
        if (info.phase() == Phase.PAUSED) {
            if (now >= pausedAt + maxPauseMillis) {
                String reason = "paused for longer than the maximum pause of " + Duration.ofMillis(maxPauseMillis) + ": aborting";
                publish(effects, Decision.ROLLBACK, reason, now);
                requestRollback(effects, Phase.ABORTED, reason, now);
            }
            return effects;
        }
        if (now < nextAnalysisAt || !pending.isEmpty()) {
            return effects;
        }
        analyse(effects, now);
        return effects;
    }

    private void analyse(List<RolloutEffect> effects, long now) {
        int step = info.stepIndex();
        Verdict v = analyst.analyse(plan, info, stepStartedAt, now);
        nextAnalysisAt = now + plan.stepInterval().toMillis();
        switch (v.decision()) {
            case PROMOTE -> {
                failures = 0;
                effects.add(new RolloutEffect.Publish(rolloutId, v));
                RolloutPlan p = plan;
                String id = rolloutId;
                String reason = "analysis passed at " + info.currentPercent() + "%";
                propose(effects, Kind.PROMOTE, c -> RolloutTransitions.promote(c, id, p, step, reason, now),
                        "promote rollout " + rolloutId + " to " + nextPercent() + "%");
            }
            case HOLD -> effects.add(new RolloutEffect.Publish(rolloutId, v));
            case ROLLBACK -> {
                failures++;
                boolean limit = failures >= plan.failureLimit();
                String count = " (failed analysis " + failures + " of " + plan.failureLimit() + (limit ? ": rolling back)" : ")");
                effects.add(new RolloutEffect.Publish(rolloutId, new Verdict(v.decision(), v.reason() + count, v.stepIndex(),
                        v.at(), v.baseline(), v.canary())));
                if (limit) {
                    requestRollback(effects, Phase.ROLLED_BACK, v.reason(), now);
                    return;
                }
            }
            default -> throw new IllegalStateException("unknown decision " + v.decision());
        }
        effects.add(new RolloutEffect.WakeAt(nextAnalysisAt));
    }

    private long requestRollback(List<RolloutEffect> effects, Phase phase, String reason, long now) {
        rollbackPhase = phase;
        rollbackReason = reason;
        rollbackFailureReported = false;
        nextAnalysisAt = Long.MAX_VALUE;
        nextRollbackAt = now;
        return proposeRollback(effects);
    }

    private long proposeRollback(List<RolloutEffect> effects) {
        RolloutPlan p = plan;
        String id = rolloutId;
        Phase phase = rollbackPhase;
        String reason = (phase == Phase.ABORTED ? "aborted: " : "rolled back: ") + rollbackReason;
        return propose(effects, Kind.ROLLBACK, c -> RolloutTransitions.rollBack(c, id, p, phase, reason),
                "roll rollout " + rolloutId + " back to " + p.baseline());
    }

    private long propose(List<RolloutEffect> effects, Kind kind, RolloutEffect.StepChange change, String description) {
        long id = nextProposalId++;
        pending.put(id, kind);
        effects.add(new RolloutEffect.Propose(id, kind, change, description));
        return id;
    }

    private List<RolloutEffect> wakeIfDue(List<RolloutEffect> effects, long now) {
        if (pending.isEmpty() && info.phase() == Phase.PROGRESSING && rollbackPhase == null && nextAnalysisAt != Long.MAX_VALUE) {
            effects.add(new RolloutEffect.WakeAt(Math.max(now, nextAnalysisAt)));
        }
        return effects;
    }

    private void publish(List<RolloutEffect> effects, Decision decision, String reason, long now) {
        effects.add(new RolloutEffect.Publish(rolloutId, analyst.event(plan, info, stepStartedAt, decision, reason, now)));
    }

    private static CommandResult proposed(List<RolloutEffect> effects, long proposalId) {
        return new CommandResult.Proposed(proposalId, effects);
    }

    private int nextPercent() {
        int next = Math.min(info.stepIndex() + 1, plan.steps().size() - 1);
        return plan.steps().get(Math.max(0, next));
    }

    private static long positive(String field, Duration d) {
        Objects.requireNonNull(d, field);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(field + " must be positive, got " + d);
        }
        return d.toMillis();
    }
}
