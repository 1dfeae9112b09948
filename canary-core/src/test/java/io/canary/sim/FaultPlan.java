package io.canary.sim;

import java.util.SplittableRandom;

/**
 * The faults of one run, drawn from its seed: how lossy, duplicating, slow and reordering the
 * network is, how likely a node is to crash before any effect, and how many partitions, one-way
 * link cuts, kills and clock jumps happen before {@code faultMillis}, when every fault stops.
 */
record FaultPlan(int nodes, double drop, double duplicate, long delayMaxMillis, double reorder, double crashPerEffect,
                 int partitions, int cuts, int kills, int clockJumps, int commands, long faultMillis) {

    static FaultPlan draw(SplittableRandom r) {
        int nodes = pick(r, 3, 3, 3, 4, 5);
        double drop = pick(r, 0.0, 0.01, 0.05, 0.2);
        double duplicate = pick(r, 0.0, 0.05, 0.2);
        long delayMax = pick(r, 0L, 20L, 200L);
        double reorder = pick(r, 0.0, 0.2);
        double crash = pick(r, 0.0, 0.0, 0.001, 0.005);
        return new FaultPlan(nodes, drop, duplicate, delayMax, reorder, crash, r.nextInt(4), r.nextInt(3), r.nextInt(3),
                r.nextInt(4), 6 + r.nextInt(14), 4000 + r.nextInt(5) * 1000L);
    }

    @SafeVarargs
    private static <T> T pick(SplittableRandom r, T... options) {
        return options[r.nextInt(options.length)];
    }

    @Override
    public String toString() {
        return nodes + " nodes, " + faultMillis + " ms of faults: drop " + drop + ", duplicate " + duplicate + ", delay <= "
                + delayMaxMillis + " ms, reorder " + reorder + ", crash/effect " + crashPerEffect + ", " + partitions
                + " partitions, " + cuts + " one-way cuts, " + kills + " kills, " + clockJumps + " clock jumps, "
                + commands + " operator commands";
    }
}
