package io.canary.sim;

/** What one run (or many, added up) did: steps, traffic, and every fault injected. */
public final class SimStats {
    long runs;
    long slowNetworks;
    long steps;
    long virtualMillis;
    long sent;
    long delivered;
    long dropped;
    long crashes;
    long tornWrites;
    long crashesAfterFsync;
    long kills;
    long restarts;
    long partitions;
    long cuts;
    long clockJumps;
    long diskFailures;
    long diskLosses;
    /** Disk losses left out because they would have taken a record the cluster needs from that disk (inherent). */
    long diskLossesLeftOut;
    long lostForGood;
    /** Members lost for good that the simulated operator replaced (empty data dir) because an amnesiac node waited for them. */
    long replacements;
    long corruptions;
    long pauses;
    long wallSteps;
    long longSplits;
    long longDiskFailures;
    long commands;
    long commandsSucceeded;
    long rolloutsAsked;
    long commits;
    long promotions;
    long requests;

    void add(SimStats o) {
        runs += o.runs;
        slowNetworks += o.slowNetworks;
        steps += o.steps;
        virtualMillis += o.virtualMillis;
        sent += o.sent;
        delivered += o.delivered;
        dropped += o.dropped;
        crashes += o.crashes;
        tornWrites += o.tornWrites;
        crashesAfterFsync += o.crashesAfterFsync;
        kills += o.kills;
        restarts += o.restarts;
        partitions += o.partitions;
        cuts += o.cuts;
        clockJumps += o.clockJumps;
        diskLosses += o.diskLosses;
        diskLossesLeftOut += o.diskLossesLeftOut;
        lostForGood += o.lostForGood;
        replacements += o.replacements;
        corruptions += o.corruptions;
        pauses += o.pauses;
        wallSteps += o.wallSteps;
        longSplits += o.longSplits;
        longDiskFailures += o.longDiskFailures;
        diskFailures += o.diskFailures;
        commands += o.commands;
        commandsSucceeded += o.commandsSucceeded;
        rolloutsAsked += o.rolloutsAsked;
        commits += o.commits;
        promotions += o.promotions;
        requests += o.requests;
    }

    public long runs() {
        return runs;
    }

    public long steps() {
        return steps;
    }

    public long crashes() {
        return crashes;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%d runs (%d on a slow network), %d steps, %.0f virtual s; messages: %d sent, %d delivered,"
                + " %d dropped; faults: %d crashes mid-event (%d right after an fsync, %d torn writes), %d kills, %d restarts, %d partitions,"
                + " %d one-way cuts, %d clock jumps, %d disk failures, %d disks lost (%d left out: inherent), %d nodes lost for good (%d replaced), %d corrupt frames, %d pauses, %d long wall-clock steps,"
                + " %d long partitions/cuts, %d long disk failures; workload: %d commands (%d succeeded), %d rollouts asked,"
                + " %d states committed (%d promotions), %d requests routed",
                runs, slowNetworks, steps, virtualMillis / 1000.0, sent, delivered, dropped, crashes, crashesAfterFsync, tornWrites, kills, restarts,
                partitions, cuts, clockJumps, diskFailures, diskLosses, diskLossesLeftOut, lostForGood, replacements, corruptions, pauses, wallSteps, longSplits,
                longDiskFailures, commands, commandsSucceeded, rolloutsAsked, commits, promotions, requests);
    }
}
