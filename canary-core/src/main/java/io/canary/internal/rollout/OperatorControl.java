package io.canary.internal.rollout;

import io.canary.internal.protocol.Effect;
import io.canary.internal.protocol.Outcome;
import io.canary.internal.rollout.RolloutState.Analysing;
import io.canary.internal.rollout.RolloutState.Idle;
import io.canary.internal.rollout.RolloutState.Kind;
import io.canary.internal.rollout.RolloutState.Paused;
import io.canary.internal.rollout.RolloutState.Pending;
import io.canary.internal.rollout.RolloutState.RollingBack;
import io.canary.internal.rollout.RolloutState.Starting;
import io.canary.internal.rollout.RolloutState.Step;
import io.canary.model.RolloutInfo;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.Verdict.Decision;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An operator's pause, resume, promote or abort of the running rollout, and the state it leads to:
 * refused while the rollout starts, is idle or is being rolled back, or while a change is in flight
 * (except an abort, which always goes); a pause or resume of a rollout already so succeeds at once.
 * Each accepted action is published as a verdict-like event and proposed through the engine, whose
 * proposal outcome completes the caller.
 */
final class OperatorControl {
    private final RolloutEngine engine;
    private final List<Effect> effects;

    OperatorControl(RolloutEngine engine, List<Effect> effects) {
        this.engine = engine;
        this.effects = effects;
    }

    /** The state after {@code action} on {@code current}, the committed state being {@code committed}. */
    RolloutState apply(RolloutState current, RoutingState committed, RolloutAction action, long callId, long now) {
        RolloutInfo info = committed.rollout();
        if (current instanceof Starting s) {
            return refuse(current, callId, "rollout " + s.rolloutId() + " is still starting; try again once it runs");
        }
        if (current instanceof Idle) {
            return refuse(current, callId, "no rollout is running" + (info.id().isEmpty() ? ""
                    : " (rollout " + info.id() + " is " + RolloutTransitions.describe(info) + ")"));
        }
        if (current instanceof RollingBack rb) {
            return refuse(current, callId, "rollout " + rb.step().rolloutId() + " is already being rolled back ("
                    + rb.reason() + "); it commits on every reachable node");
        }
        Step step = current.currentStep().orElseThrow();
        Optional<Pending> pending = current instanceof Analysing a ? a.pending() : ((Paused) current).pending();
        if (action == RolloutAction.ABORT) {
            engine.publish(effects, step, engine.analyst().event(step, Decision.ROLLBACK, "aborted by operator", now));
            RollingBack rb = engine.rollBack(effects, step, Phase.ABORTED, "aborted by operator", now);
            engine.awaiting(rb.proposalId(), callId);
            return rb;
        }
        if (pending.isPresent()) {
            return refuse(current, callId, "a " + pending.get().kind().name().toLowerCase(Locale.ROOT) + " of rollout "
                    + step.rolloutId() + " is under way; try again once it commits");
        }
        boolean paused = current instanceof Paused;
        switch (action) {
            case PAUSE, RESUME -> {
                boolean pause = action == RolloutAction.PAUSE;
                if (pause == paused) {
                    effects.add(new Effect.Complete(callId, Outcome.success(committed)));
                    return current;
                }
                String reason = (pause ? "paused" : "resumed") + " by operator";
                engine.publish(effects, step, engine.analyst().event(step, Decision.HOLD, reason, now));
                Phase target = pause ? Phase.PAUSED : Phase.PROGRESSING;
                long id = engine.propose(effects, c -> RolloutTransitions.phase(c, step.rolloutId(), target, reason),
                        reason + ": rollout " + step.rolloutId(), callId);
                return withPending(current, new Pending(id, pause ? Kind.PAUSE : Kind.RESUME));
            }
            case PROMOTE -> {
                String reason = "promoted by operator from " + step.percent() + "% to " + CommittedStates.nextPercent(step) + "%";
                engine.publish(effects, step, engine.analyst().event(step, Decision.PROMOTE, reason, now));
                int from = step.index();
                long id = engine.propose(effects,
                        c -> RolloutTransitions.promote(c, step.rolloutId(), step.plan(), from, reason, now), reason, callId);
                return withPending(current, new Pending(id, Kind.PROMOTE));
            }
            default -> {
                return refuse(current, callId, "unknown rollout action " + action);
            }
        }
    }

    private RolloutState refuse(RolloutState current, long callId, String reason) {
        effects.add(new Effect.Complete(callId, Outcome.failure(reason)));
        return current;
    }

    private static RolloutState withPending(RolloutState current, Pending p) {
        return current instanceof Paused paused ? new Paused(paused.step(), paused.pausedAt(), Optional.of(p))
                : CommittedStates.withPending((Analysing) current, p);
    }
}
