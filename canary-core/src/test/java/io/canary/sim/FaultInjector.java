package io.canary.sim;

import io.canary.transport.local.LocalNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Injects the faults of a {@link FaultPlan} into a {@link Simulation}: the network's loss,
 * duplication, delay and reordering; partitions and one-way cuts that heal after a while; kills;
 * per-node clock jumps; in runtime mode, disks that fail every write for a while. Everything stops
 * at {@link #stop()}, except clock offsets (a clock that jumped stays where it jumped to).
 */
final class FaultInjector {
    /** A network slower than the prepare timeout, for one seed in eight. */
    static final long SLOW_NETWORK_MILLIS = 1500;

    private final Simulation sim;
    private final FaultPlan faults;
    private final SplittableRandom random;
    private final boolean slowNetwork;
    private final LocalNetwork network;
    private final long[] offsets = new long[26];

    FaultInjector(Simulation sim, FaultPlan faults, SplittableRandom random, boolean slowNetwork) {
        this.sim = sim;
        this.faults = faults;
        this.random = random;
        this.slowNetwork = slowNetwork;
        this.network = sim.network();
    }

    /** The clock offset of {@code id}: members are node-a, node-b, ..., the letter is the index. */
    long clockOffset(String id) {
        return offsets[id.charAt(id.length() - 1) - 'a'];
    }

    void applyNetworkFaults() {
        if (faults.drop() > 0) {
            network.dropProbability(faults.drop());
        }
        if (faults.duplicate() > 0) {
            network.duplicateProbability(faults.duplicate());
        }
        if (faults.delayMaxMillis() > 0) {
            network.delay(Duration.ZERO, Duration.ofMillis(faults.delayMaxMillis()));
        }
        if (faults.reorder() > 0) {
            network.reorder(faults.reorder(), Duration.ofMillis(300));
        }
        if (slowNetwork) {
            // Slower than the prepare timeout: votes, commits and answers arrive after their round.
            network.delay(Duration.ZERO, Duration.ofMillis(SLOW_NETWORK_MILLIS));
        }
    }

    /** Schedules every fault of the plan at random times within the first {@code span} ms. */
    void plan(long span) {
        for (int i = 0; i < faults.partitions(); i++) {
            sim.at(random.nextLong(span), this::partition);
        }
        for (int i = 0; i < faults.cuts(); i++) {
            sim.at(random.nextLong(span), this::cutOneWay);
        }
        for (int i = 0; i < faults.kills(); i++) {
            sim.at(random.nextLong(span), this::killRandomNode);
        }
        for (int i = 0; i < faults.clockJumps(); i++) {
            sim.at(random.nextLong(span), this::jumpClock);
        }
        if (sim.params().mode() == SimParams.Mode.RUNTIME) {
            // Drawn from a random source of their own, so that adding them left every other fault of a seed as it was.
            SplittableRandom disks = new SplittableRandom(sim.params().seed() * 0x9E3779B97F4A7C15L + 1);
            int failures = disks.nextInt(3) == 0 ? 1 + disks.nextInt(2) : 0;
            for (int i = 0; i < failures; i++) {
                String id = sim.members().get(disks.nextInt(sim.members().size()));
                long length = 100 + disks.nextLong(1000);
                sim.at(disks.nextLong(span), () -> failDisk(id, length));
            }
        }
    }

    /** Every fault stops: the network heals, disks work again. */
    void stop() {
        network.heal();
        sim.disks().forEach(d -> d.failAppends(false));
    }

    private void partition() {
        List<String> sideA = new ArrayList<>();
        List<String> sideB = new ArrayList<>();
        for (String id : sim.members()) {
            (random.nextBoolean() ? sideA : sideB).add(id);
        }
        if (sideA.isEmpty() || sideB.isEmpty()) {
            return;
        }
        sim.stats().partitions++;
        network.partition(Set.copyOf(sideA), Set.copyOf(sideB));
        trace("-", "PARTITION", sideA + " | " + sideB);
        sim.at(200 + random.nextLong(2500), () -> {
            for (String a : sideA) {
                for (String b : sideB) {
                    network.restore(a, b);
                    network.restore(b, a);
                }
            }
            trace("-", "HEAL", sideA + " | " + sideB);
        });
    }

    private void cutOneWay() {
        List<String> members = sim.members();
        String from = members.get(random.nextInt(members.size()));
        String to = members.get(random.nextInt(members.size()));
        if (from.equals(to)) {
            return;
        }
        sim.stats().cuts++;
        network.cut(from, to);
        trace("-", "CUT", from + " -> " + to);
        sim.at(200 + random.nextLong(2500), () -> {
            network.restore(from, to);
            trace("-", "RESTORE", from + " -> " + to);
        });
    }

    private void killRandomNode() {
        Member node = sim.randomLiveNode();
        if (node != null) {
            sim.stats().kills++;
            sim.crash(node, false, "killed");
        }
    }

    private void jumpClock() {
        String id = sim.members().get(random.nextInt(sim.members().size()));
        long jump = (random.nextBoolean() ? 1 : -1) * (50 + random.nextLong(3000));
        offsets[id.charAt(id.length() - 1) - 'a'] += jump;
        sim.stats().clockJumps++;
        trace(id, "CLOCK", "jumps " + (jump > 0 ? "+" : "") + jump + " ms (offset " + clockOffset(id) + " ms)");
    }

    /** The disk of {@code id} fails every write for a while: the runtime votes NO, or stops the node. */
    private void failDisk(String id, long millis) {
        sim.stats().diskFailures++;
        sim.disk(id).failAppends(true);
        trace(id, "DISK", "fails every write for " + millis + " ms");
        sim.scheduler().schedule(Duration.ofMillis(millis), () -> {
            sim.disk(id).failAppends(false);
            trace(id, "DISK", "works again");
        });
    }

    private void trace(String node, String what, Object detail) {
        sim.trace().add(sim.scheduler().nowMillis(), node, what, detail);
    }
}
