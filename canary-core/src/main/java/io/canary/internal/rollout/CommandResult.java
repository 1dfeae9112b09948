package io.canary.internal.rollout;

import java.util.List;
import java.util.Objects;

/** How the {@link RolloutController} took an operator's command, and the effects to run for it. */
public sealed interface CommandResult {

    /** The effects to run, in order (empty for a rejection). */
    List<RolloutEffect> effects();

    /** Refused as it stands; the caller gets {@code reason}. */
    record Rejected(String reason) implements CommandResult {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public List<RolloutEffect> effects() {
            return List.of();
        }
    }

    /** Already so (e.g. pause while paused): the caller gets the committed state. */
    record Unchanged(List<RolloutEffect> effects) implements CommandResult {
        public Unchanged {
            effects = List.copyOf(effects);
        }
    }

    /** The caller gets the outcome of proposal {@code proposalId}, one of {@code effects}. */
    record Proposed(long proposalId, List<RolloutEffect> effects) implements CommandResult {
        public Proposed {
            effects = List.copyOf(effects);
        }
    }
}
