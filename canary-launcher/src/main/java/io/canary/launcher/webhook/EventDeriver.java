package io.canary.launcher.webhook;

import io.canary.CoordinationStatus;
import io.canary.model.RolloutInfo;
import io.canary.model.RolloutInfo.Phase;
import io.canary.model.RoutingState;
import io.canary.rollout.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * Turns what one node observes into webhook events (seam 7): committed routing states (rollout
 * started, step promoted, paused, resumed, completed, rolled back, aborted), the rollout's verdicts
 * (held, with why) and its coordination status (coordinator changed, fail-safe entered or left).
 * Pure and single-threaded: it remembers only the last thing it saw of each kind. The first
 * observation of each kind is the baseline, not news (a node that starts does not announce the
 * history it replayed).
 */
final class EventDeriver {
    private final String nodeId;
    private final LongSupplier clock;

    private RoutingState lastState;
    private long lastVerdictAt = Long.MIN_VALUE;
    private boolean verdictsSeen;
    private String lastHeld = "";
    private CoordinationStatus lastCoordination;

    EventDeriver(String nodeId, LongSupplier clock) {
        this.nodeId = nodeId;
        this.clock = clock;
    }

    /** Events of a newly committed state, compared with the previous one; states older than it are ignored. */
    List<WebhookEvent> onState(RoutingState state) {
        RoutingState previous = lastState;
        if (previous != null && state.version() <= previous.version()) {
            return List.of();
        }
        lastState = state;
        if (previous == null) {
            return List.of();
        }
        RolloutInfo was = previous.rollout();
        RolloutInfo now = state.rollout();
        if (now.id().isEmpty()) {
            return List.of();
        }
        List<WebhookEvent> events = new ArrayList<>();
        boolean newRollout = !now.id().equals(was.id());
        if (newRollout) {
            lastHeld = "";
            events.add(rollout(WebhookEvent.Type.ROLLOUT_STARTED, state, "rollout " + now.id() + " of " + now.canary()
                    + " started at " + step(now)));
        } else if (now.stepIndex() > was.stepIndex() && now.phase() != Phase.COMPLETED) {
            events.add(rollout(WebhookEvent.Type.STEP_PROMOTED, state, "rollout " + now.id() + " of " + now.canary()
                    + " promoted to " + step(now) + reasonSuffix(now)));
        }
        if (newRollout ? now.phase() != Phase.PROGRESSING : now.phase() != was.phase()) {
            WebhookEvent.Type type = switch (now.phase()) {
                case PAUSED -> WebhookEvent.Type.PAUSED;
                case PROGRESSING -> WebhookEvent.Type.RESUMED;
                case COMPLETED -> WebhookEvent.Type.COMPLETED;
                case ROLLED_BACK -> WebhookEvent.Type.ROLLED_BACK;
                case ABORTED -> WebhookEvent.Type.ABORTED;
                case NONE -> null;
            };
            if (type != null) {
                String what = switch (type) {
                    case PAUSED -> "paused at " + step(now);
                    case RESUMED -> "resumed at " + step(now);
                    case COMPLETED -> "completed: " + now.canary() + " serves 100%";
                    case ROLLED_BACK -> "rolled back at " + step(now) + ": all traffic back on " + baseline(state);
                    default -> "aborted at " + step(now) + ": all traffic back on " + baseline(state);
                };
                events.add(rollout(type, state, "rollout " + now.id() + " of " + now.canary() + " " + what
                        + reasonSuffix(now)));
            }
        }
        return events;
    }

    /**
     * Held events for new verdicts that kept the step (a HOLD, or a failed analysis below the
     * failure limit): one per distinct step and reason, so a long hold is announced once, not at
     * every analysis.
     */
    List<WebhookEvent> onVerdicts(List<Verdict> verdicts, RolloutInfo rollout) {
        List<WebhookEvent> events = new ArrayList<>();
        boolean baseline = !verdictsSeen;
        verdictsSeen = true;
        for (Verdict v : verdicts) {
            if (v.at() <= lastVerdictAt) {
                continue;
            }
            lastVerdictAt = v.at();
            if (baseline || v.decision() == Verdict.Decision.PROMOTE || !rollout.phase().isActive()) {
                continue;
            }
            String key = rollout.id() + "|" + v.stepIndex() + "|" + v.reason();
            if (key.equals(lastHeld)) {
                continue;
            }
            lastHeld = key;
            RoutingState s = lastState;
            WebhookEvent.Rollout r = rolloutFields(rollout, s == null ? "" : s.baseline());
            WebhookEvent.Verdict fields = new WebhookEvent.Verdict(v.decision().name(), v.reason(), v.stepIndex() + 1, v.at(),
                    v.baseline().errorRate(), v.canary().errorRate(), v.baseline().p95Ms(), v.canary().p95Ms(),
                    v.baseline().requests(), v.canary().requests());
            events.add(new WebhookEvent(WebhookEvent.Type.HELD, newId(), clock.getAsLong(), nodeId,
                    s == null ? null : s.version(), r, fields, null, null, null, v.reason(),
                    prefix() + "rollout " + rollout.id() + " of " + rollout.canary() + " held at " + step(rollout) + ": "
                            + v.reason()));
        }
        return events;
    }

    /** Coordinator and fail-safe changes seen by this node. */
    List<WebhookEvent> onCoordination(CoordinationStatus now) {
        CoordinationStatus was = lastCoordination;
        lastCoordination = now;
        if (was == null) {
            return List.of();
        }
        List<WebhookEvent> events = new ArrayList<>();
        if (!was.coordinator().equals(now.coordinator())) {
            String who = now.coordinator().orElse("");
            String text = who.isEmpty() ? "no coordinator (term " + now.term() + "), was " + was.coordinator().orElse("none")
                    : who + " coordinates in term " + now.term() + (was.coordinator().isPresent()
                            ? " (was " + was.coordinator().get() + ")" : "");
            events.add(new WebhookEvent(WebhookEvent.Type.COORDINATOR_CHANGED, newId(), clock.getAsLong(), nodeId, null,
                    null, null, who, now.term(), null, null, prefix() + text));
        }
        if (was.failSafe() != now.failSafe()) {
            WebhookEvent.Type type = now.failSafe() ? WebhookEvent.Type.FAIL_SAFE_ENTERED : WebhookEvent.Type.FAIL_SAFE_LEFT;
            String reason = now.failSafe() ? now.failSafeReason() : was.failSafeReason();
            String text = now.failSafe() ? "fail-safe: routing the canary's share to the baseline: " + reason
                    : "fail-safe ended: routing on the committed weights again";
            events.add(new WebhookEvent(type, newId(), clock.getAsLong(), nodeId, null, null, null,
                    now.coordinator().orElse(""), now.term(), now.failSafe(), reason, prefix() + text));
        }
        return events;
    }

    private WebhookEvent rollout(WebhookEvent.Type type, RoutingState state, String text) {
        RolloutInfo r = state.rollout();
        return new WebhookEvent(type, newId(), clock.getAsLong(), nodeId, state.version(),
                rolloutFields(r, baseline(state)), null, null, null, null, r.reason().isEmpty() ? null : r.reason(),
                prefix() + text);
    }

    private static WebhookEvent.Rollout rolloutFields(RolloutInfo r, String baseline) {
        String b = r.plan().map(p -> p.baseline()).orElse(baseline);
        return new WebhookEvent.Rollout(r.id(), b, r.canary(), r.steps(), r.stepIndex() + 1, r.currentPercent(),
                r.phase().name().toLowerCase(Locale.ROOT), r.reason());
    }

    private static String baseline(RoutingState s) {
        return s.rollout().plan().map(p -> p.baseline()).orElse(s.baseline());
    }

    private static String step(RolloutInfo r) {
        return "step " + (r.stepIndex() + 1) + "/" + r.steps().size() + " (" + r.currentPercent() + "%)";
    }

    private static String reasonSuffix(RolloutInfo r) {
        return r.reason().isEmpty() ? "" : ": " + r.reason();
    }

    private String prefix() {
        return "[canary " + nodeId + "] ";
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }
}
