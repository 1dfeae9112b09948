package io.canary.sim;

import java.util.EnumSet;
import java.util.Set;

/**
 * How one simulation runs: its seed (everything else random is drawn from it), the bugs planted,
 * and checking options.
 *
 * @param seed the seed; the same seed replays the same run, event for event
 * @param bugs deliberate bugs to plant (empty for the real protocol)
 * @param checkDurableBeforeVisible false to leave the direct fsync-ordering check out, so that a
 *     planted durability bug must be caught by its consequences (AGREEMENT, DURABILITY) instead
 * @param fullTrace keep every event for the report, not only the last {@link Trace#DEFAULT_KEEP}
 */
public record SimParams(long seed, Set<Bug> bugs, boolean checkDurableBeforeVisible, boolean fullTrace) {

    public SimParams {
        bugs = bugs.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(bugs));
    }

    /** The real protocol, every check on. */
    public static SimParams of(long seed) {
        return new SimParams(seed, Set.of(), true, false);
    }

    public SimParams withBugs(Set<Bug> planted) {
        return new SimParams(seed, planted, checkDurableBeforeVisible, fullTrace);
    }

    public SimParams withDurableBeforeVisibleCheck(boolean on) {
        return new SimParams(seed, bugs, on, fullTrace);
    }

    public SimParams withFullTrace(boolean on) {
        return new SimParams(seed, bugs, checkDurableBeforeVisible, on);
    }

    boolean has(Bug bug) {
        return bugs.contains(bug);
    }
}
