package io.canary.launcher.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Objects;

/**
 * One event a webhook receives, as the JSON body of the POST: the event's fields, and a
 * Slack-compatible {@code text} line (an incoming-webhook URL of Slack, Mattermost or Teams shows
 * it as is). Fields that do not apply to the event are left out.
 *
 * @param event what happened, e.g. {@code rollout.step_promoted}
 * @param id unique per event (a receiver can drop duplicates after a retry)
 * @param at epoch milliseconds when the posting node saw it
 * @param node the node that posted it
 * @param stateVersion the committed routing state the event comes from (rollout events)
 * @param rollout the rollout's id, canary, steps, step and reason (rollout events)
 * @param verdict the analysis that held the step (held events)
 * @param coordinator who coordinates now (coordinator events), "" when none is known
 * @param term the coordination term (coordinator and fail-safe events)
 * @param failSafe whether the node routes fail-safe now (fail-safe events)
 * @param reason why, in one line
 * @param text the line a chat shows
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookEvent(Type event, String id, long at, String node, Long stateVersion, Rollout rollout,
                           Verdict verdict, String coordinator, Long term, Boolean failSafe, String reason,
                           String text) {

    public WebhookEvent {
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(text, "text");
    }

    /** The kinds of events, with the names receivers see (stable: never derived from the Java names). */
    public enum Type {
        ROLLOUT_STARTED("rollout.started"),
        STEP_PROMOTED("rollout.step_promoted"),
        HELD("rollout.held"),
        ROLLED_BACK("rollout.rolled_back"),
        COMPLETED("rollout.completed"),
        ABORTED("rollout.aborted"),
        PAUSED("rollout.paused"),
        RESUMED("rollout.resumed"),
        COORDINATOR_CHANGED("coordinator.changed"),
        FAIL_SAFE_ENTERED("failsafe.entered"),
        FAIL_SAFE_LEFT("failsafe.left");

        private final String wireName;

        Type(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        public String wireName() {
            return wireName;
        }
    }

    /** Where the rollout stands after the event. */
    public record Rollout(String id, String baseline, String canary, List<Integer> steps, int step, int percent,
                          String phase, String reason) {
    }

    /** The analysis behind a held step: its decision and the two versions' numbers. */
    public record Verdict(String decision, String reason, int step, long at, double baselineErrorRate,
                          double canaryErrorRate, double baselineP95Ms, double canaryP95Ms, long baselineRequests,
                          long canaryRequests) {
    }
}
