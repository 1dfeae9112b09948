package io.canary.sim;

import java.util.EnumSet;
import java.util.Set;

/**
 * How one simulation runs: its seed (everything else random is drawn from it), the bugs planted,
 * and checking options.
 *
 * @param seed the seed; the same seed replays the same run, event for event
 * @param mode what runs each node
 * @param bugs deliberate bugs to plant (empty for the real protocol)
 * @param checkDurableBeforeVisible false to leave the direct fsync-ordering check out, so that a
 *     planted durability bug must be caught by its consequences (AGREEMENT, DURABILITY) instead
 * @param fullTrace keep every event for the report, not only the last {@link Trace#DEFAULT_KEEP}
 * @param checkAtMostOnce check that an operator's PROMOTE takes effect at most once (see {@link #withAtMostOnceCheck})
 * @param diskLoss draw a disk loss at a restart (see {@link #withDiskLoss})
 */
public record SimParams(long seed, Mode mode, Set<Bug> bugs, boolean checkDurableBeforeVisible, boolean fullTrace,
                        boolean checkAtMostOnce, boolean diskLoss) {

    /** What runs each node. */
    public enum Mode {
        /** The protocol state machines and rollout controller under the simulator's own effect executor. */
        PROTOCOL,
        /** The node's real runtime (NodeRuntime, its effect executor, health exchange and rollout extension). */
        RUNTIME
    }

    public SimParams {
        bugs = bugs.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(bugs));
    }

    /** The real protocol, every check on. */
    public static SimParams of(long seed) {
        return new SimParams(seed, Mode.PROTOCOL, Set.of(), true, false, true, Simulation.DISK_LOSS);
    }

    public SimParams withBugs(Set<Bug> planted) {
        return new SimParams(seed, mode, planted, checkDurableBeforeVisible, fullTrace, checkAtMostOnce, diskLoss);
    }

    public SimParams withDurableBeforeVisibleCheck(boolean on) {
        return new SimParams(seed, mode, bugs, on, fullTrace, checkAtMostOnce, diskLoss);
    }

    public SimParams withFullTrace(boolean on) {
        return new SimParams(seed, mode, bugs, checkDurableBeforeVisible, on, checkAtMostOnce, diskLoss);
    }

    public SimParams withMode(Mode m) {
        return new SimParams(seed, m, bugs, checkDurableBeforeVisible, fullTrace, checkAtMostOnce, diskLoss);
    }

    /**
     * With or without the AT_MOST_ONCE check (on by default): a command forwarded to the coordinator
     * must not run again when its resend reaches a restarted coordinator (seed 6645 in
     * {@code RegressionSeedsTest}).
     */
    public SimParams withAtMostOnceCheck(boolean on) {
        return new SimParams(seed, mode, bugs, checkDurableBeforeVisible, fullTrace, on, diskLoss);
    }

    /**
     * With or without the disk-loss fault (on by default, {@code -Dcanary.sim.diskLoss=off} turns the
     * default off): seeds pinned before it was in CI replay their runs with it off.
     */
    public SimParams withDiskLoss(boolean on) {
        return new SimParams(seed, mode, bugs, checkDurableBeforeVisible, fullTrace, checkAtMostOnce, on);
    }

    boolean has(Bug bug) {
        return bugs.contains(bug);
    }
}
