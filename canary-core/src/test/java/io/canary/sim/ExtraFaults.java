package io.canary.sim;

import java.util.SplittableRandom;

/**
 * The faults added for protocol v2 (issue 10), drawn from a random source of their own so that a
 * seed keeps every fault of {@link FaultPlan} as it was: nodes lost for good (never restarted; the
 * coordinator of the moment or any member, at most a minority), connections that close on a
 * corrupt frame (the messages queued on them are lost, and the link is down until it reconnects),
 * process pauses longer than the lease, long wall-clock steps, a node deaf for good from the start (it
 * sends, hears nothing), a partition or one-way cut lasting a
 * minute or more (those runs get a longer fault phase), and, in protocol mode too, a disk that fails
 * every write for a long while.
 *
 * @param losses nodes lost for good during the faults
 * @param lossHitsCoordinator whether each loss takes the coordinator of the moment (else a random member)
 * @param corruptions corrupt frames, each closing one connection
 * @param pauses process pauses (stop-the-world, longer than the lease)
 * @param wallSteps wall-clock steps of minutes to hours, either way (NTP, an operator, a VM restore)
 * @param longSplit 0 none, 1 a partition, 2 a one-way cut, lasting {@code longSplitMillis}
 * @param longSplitMillis how long the long partition or cut lasts
 * @param longDiskFailureMillis how long one node's disk fails every write (0: none)
 * @param deafNode the index of a node deaf for good from the start (every message to it is lost, its own
 *     still arrive: an inbound firewall rule, a half-dead NIC), -1 for none; node-a in half of them
 */
record ExtraFaults(int losses, boolean lossHitsCoordinator, int corruptions, int pauses, int wallSteps, int longSplit,
                   long longSplitMillis, long longDiskFailureMillis, int deafNode) {

    /** A long partition's runs have this many ms of faults, at least: the split must fit in, with time to act around it. */
    static final long LONG_RUN_MILLIS = 80_000;
    /** Long wall-clock steps: on, in CI too; {@code -Dcanary.sim.wallSteps=off} leaves them out (always on for PROTOCOL_ON_WALL_CLOCK). */
    static final boolean WALL_STEPS = !"off".equals(System.getProperty("canary.sim.wallSteps"));
    /** Process pauses longer than the lease: on, in CI too; {@code -Dcanary.sim.pauses=off} leaves them out (always on for LEASE_ONLY_CHECKED_ON_EVENTS). */
    static final boolean PAUSES = !"off".equals(System.getProperty("canary.sim.pauses"));

    /**
     * Nodes lost for good: on by default (in CI too), {@code -Dcanary.sim.losses=off} leaves them out.
     * Seeds 2927, 3079 and 4134 failed ROLLBACK_BOUND with them until a node whose log held no term
     * could vote again without hearing a member lost for good (Elections' amnesia fallback).
     */
    static final boolean LOSSES = !"off".equals(System.getProperty("canary.sim.losses"));

    static ExtraFaults draw(long seed, int nodes, boolean wallStepsOn, boolean lossesOn, boolean pausesOn) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 4);
        int maxLosses = (nodes - 1) / 2;
        int lossesDrawn = r.nextInt(4) == 0 ? 1 + r.nextInt(maxLosses) : 0;
        int losses = lossesOn ? lossesDrawn : 0; // drawn either way: no other draw of the seed shifts
        boolean hitsCoordinator = r.nextBoolean();
        int corruptions = r.nextInt(3) == 0 ? 1 + r.nextInt(4) : 0;
        int pausesDrawn = r.nextInt(4) == 0 ? 1 + r.nextInt(2) : 0;
        int pauses = pausesOn ? pausesDrawn : 0;
        // Drawn whether on or not, so switching them off shifts no other draw of the seed.
        int wallSteps = r.nextInt(6) == 0 && wallStepsOn ? 1 : 0;
        // One run in 24 has a partition or a one-way cut of a minute or more: they cost 10x a short run.
        int longSplit = r.nextInt(24) == 0 ? 1 + r.nextInt(2) : 0;
        long longSplitMillis = 60_000 + r.nextLong(10_000);
        long longDisk = r.nextInt(8) == 0 ? 2_000 + r.nextLong(6_000) : 0; // beyond the faults' end: half of it past the rollback bound
        // Drawn last, so that every earlier draw of a seed stays as it was. One run in 40: node-a deaf at a fresh
        // start is what the fresh-start deference must not wait for forever (the others hear it, it hears nobody).
        int deaf = r.nextInt(40) == 0 ? (r.nextBoolean() ? 0 : r.nextInt(nodes)) : -1;
        return new ExtraFaults(losses, hitsCoordinator, corruptions, pauses, wallSteps, longSplit, longSplitMillis, longDisk,
                deaf);
    }

    /** None of these faults (what a seed drew before they existed). */
    static ExtraFaults none() {
        return new ExtraFaults(0, false, 0, 0, 0, 0, 0, 0, -1);
    }

    /** The fault phase of a run that has a long split lasts long enough to hold it. */
    long faultMillis(long drawn) {
        return longSplit == 0 ? drawn : Math.max(drawn, LONG_RUN_MILLIS);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (losses > 0) {
            s.append(", ").append(losses).append(losses == 1 ? " node" : " nodes").append(" lost for good (")
                    .append(lossHitsCoordinator ? "the coordinator of the moment" : "any member").append(")");
        }
        if (corruptions > 0) {
            s.append(", ").append(corruptions).append(" corrupt frames");
        }
        if (pauses > 0) {
            s.append(", ").append(pauses).append(" process pauses longer than the lease");
        }
        if (wallSteps > 0) {
            s.append(", ").append(wallSteps).append(" long wall-clock step");
        }
        if (longSplit > 0) {
            s.append(", a ").append(longSplit == 1 ? "partition" : "one-way cut").append(" of ").append(longSplitMillis)
                    .append(" ms");
        }
        if (longDiskFailureMillis > 0) {
            s.append(", a disk failing from late in the faults to ").append(Simulation.ROLLBACK_BOUND.toMillis() + longDiskFailureMillis / 2)
                    .append(" ms after them");
        }
        if (deafNode >= 0) {
            s.append(", node-").append((char) ('a' + deafNode)).append(" deaf for good from the start (it sends, hears nothing)");
        }
        return s.toString();
    }
}
