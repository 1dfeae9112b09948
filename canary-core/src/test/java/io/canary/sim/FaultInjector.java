package io.canary.sim;

import io.canary.transport.local.LocalNetwork;
import java.time.Duration;
import io.canary.transport.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
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
    /** The extra faults' own random source (choices of links, nodes, times), so that they shift no other draw. */
    private final SplittableRandom extraRandom;
    /** The pauses' own (added later: a seed keeps every other fault when pauses are switched on). */
    private final SplittableRandom pauseRandom;
    /** Per link "from>to", the last corrupt frame: [when the connection closed, when it is up again]. */
    private final Map<String, long[]> corrupted = new HashMap<>();
    /** When each message in flight was sent (by identity), for links that may see a corrupt frame. */
    private final IdentityHashMap<Message, Long> sentAt = new IdentityHashMap<>();
    /** The node whose disk fails for a long while (it outlives {@link #stop()}), or null. */
    private String longFailingDisk;
    /** While a long partition or cut lasts, the short ones stay out of its way (their heal would end it early). */
    private boolean longSplitOn;

    FaultInjector(Simulation sim, FaultPlan faults, SplittableRandom random, boolean slowNetwork) {
        this.sim = sim;
        this.faults = faults;
        this.random = random;
        this.slowNetwork = slowNetwork;
        this.network = sim.network();
        this.extraRandom = new SplittableRandom(sim.params().seed() * 0x9E3779B97F4A7C15L + 5);
        this.pauseRandom = new SplittableRandom(sim.params().seed() * 0x9E3779B97F4A7C15L + 6);
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
        planExtra(span);
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

    /** Every fault stops: the network heals, disks work again (but for a long disk failure, repaired on its own time). */
    void stop() {
        network.heal();
        for (String id : sim.members()) {
            if (!id.equals(longFailingDisk)) {
                sim.disk(id).failAppends(false);
            }
        }
    }

    // ---- the faults of ExtraFaults --------------------------------------------------------------------

    private void planExtra(long span) {
        ExtraFaults extra = sim.extraFaults();
        for (int i = 0; i < extra.losses(); i++) {
            sim.at(extraRandom.nextLong(span), this::loseOne);
        }
        for (int i = 0; i < extra.corruptions(); i++) {
            sim.at(extraRandom.nextLong(span), this::corruptFrame);
        }
        for (int i = 0; i < extra.wallSteps(); i++) {
            sim.at(extraRandom.nextLong(span), this::stepWallClock);
        }
        if (extra.longSplit() > 0) {
            // Starts early enough to end before the faults do, with time on either side to act.
            long at = 2_000 + extraRandom.nextLong(Math.max(1, span - extra.longSplitMillis() - 4_000));
            sim.at(at, () -> splitLong(extra.longSplit() == 1, extra.longSplitMillis()));
        }
        for (int i = 0; i < extra.pauses(); i++) {
            sim.at(pauseRandom.nextLong(span), this::pauseOne);
        }
        if (extra.longDiskFailureMillis() > 0) {
            String id = sim.members().get(extraRandom.nextInt(sim.members().size()));
            // Late in the fault phase, and outliving it by more than the rollback bound: a rollback asked
            // when the faults stop must commit without that disk (a sick member never vetoes a rollback).
            long at = span / 2 + extraRandom.nextLong(span / 2);
            long millis = span - at + Simulation.ROLLBACK_BOUND.toMillis() + extra.longDiskFailureMillis() / 2;
            sim.at(at, () -> failDiskLong(id, millis));
        }
    }

    /** The coordinator of the moment (or any live node) stops for longer than the lease: 0.5 to 6 s more. */
    private void pauseOne() {
        Member node = pauseRandom.nextBoolean() ? sim.coordinatorNow() : null;
        if (node == null) {
            node = sim.randomLiveNode(pauseRandom);
        }
        if (node != null) {
            sim.pause(node, sim.config().leaseTimeout().toMillis() + 500 + pauseRandom.nextLong(5_500));
        }
    }

    /** A wall-clock step of a minute to an hour, either way: the protocol must not notice (it measures on the monotonic clock). */
    private void stepWallClock() {
        String id = sim.members().get(extraRandom.nextInt(sim.members().size()));
        long step = (extraRandom.nextBoolean() ? 1 : -1) * (60_000 + extraRandom.nextLong(3_540_000));
        offsets[id.charAt(id.length() - 1) - 'a'] += step;
        sim.stats().wallSteps++;
        trace(id, "CLOCK", "wall clock steps " + (step > 0 ? "+" : "") + step / 1000 + " s (offset " + clockOffset(id) + " ms)");
    }

    /**
     * A partition or a one-way cut of a minute or more. The partition puts the coordinator of the
     * moment on the minority side (alone, or with one member in a cluster of five), so that the
     * majority elects a successor and moves on while the old one still believes it coordinates; the
     * cut stops everything from the coordinator to one member, whose messages still arrive.
     */
    private void splitLong(boolean partition, long millis) {
        List<String> members = sim.members();
        Member c = sim.coordinatorNow();
        String coordinator = c != null ? c.id() : members.get(extraRandom.nextInt(members.size()));
        if (longSplitOn) {
            return;
        }
        longSplitOn = true;
        sim.stats().longSplits++;
        if (partition) {
            Set<String> minority = new java.util.TreeSet<>();
            minority.add(coordinator);
            List<String> others = new ArrayList<>(members);
            others.remove(coordinator);
            while (minority.size() < (members.size() - 1) / 2) {
                minority.add(others.remove(extraRandom.nextInt(others.size())));
            }
            Set<String> majority = Set.copyOf(others);
            network.partition(Set.copyOf(minority), majority);
            trace("-", "PARTITION", minority + " | " + new java.util.TreeSet<>(majority) + " for " + millis + " ms");
            sim.at(millis, () -> {
                for (String a : minority) {
                    for (String b : majority) {
                        network.restore(a, b);
                        network.restore(b, a);
                    }
                }
                longSplitOn = false;
                trace("-", "HEAL", minority + " | " + new java.util.TreeSet<>(majority));
            });
        } else {
            List<String> others = new ArrayList<>(members);
            others.remove(coordinator);
            String to = others.get(extraRandom.nextInt(others.size()));
            network.cut(coordinator, to);
            trace("-", "CUT", coordinator + " -> " + to + " for " + millis + " ms");
            sim.at(millis, () -> {
                network.restore(coordinator, to);
                longSplitOn = false;
                trace("-", "RESTORE", coordinator + " -> " + to);
            });
        }
    }

    /** The coordinator of the moment (or any live member) is lost for good: at most a minority ever is. */
    private void loseOne() {
        // A node whose disk fails for long counts as lost: the rest must stay a majority.
        if (sim.outForGood() + (longFailingDisk != null ? 1 : 0) >= (sim.members().size() - 1) / 2) {
            return;
        }
        // Only once every member's log holds a term: a node on an empty log votes only after hearing every
        // member (ARCHITECTURE, amnesia), so losing one for good before that stalls elections by design.
        for (String id : sim.members()) {
            if (sim.disk(id).durableRecords().stream().noneMatch(r -> r instanceof io.canary.log.LogRecord.TermVote)) {
                return;
            }
        }
        Member victim = sim.extraFaults().lossHitsCoordinator() ? sim.coordinatorNow() : null;
        if (victim == null) {
            victim = sim.randomLiveNode();
        }
        if (victim != null) {
            sim.loseForGood(victim);
        }
    }

    /**
     * A frame on one connection arrives damaged: its CRC32C does not match, the receiver closes that
     * connection, and everything queued on it is lost; the sender reconnects after a backoff, and
     * what it sends meanwhile is lost too. Other connections are untouched.
     */
    private void corruptFrame() {
        List<String> members = sim.members();
        String from = members.get(extraRandom.nextInt(members.size()));
        String to = members.get(extraRandom.nextInt(members.size()));
        if (from.equals(to)) {
            return;
        }
        long now = sim.scheduler().nowMillis();
        long backoff = 20 + extraRandom.nextLong(480);
        corrupted.put(from + ">" + to, new long[] {now, now + backoff});
        sim.stats().corruptions++;
        trace(to, "CORRUPT", "a frame from " + from + " fails its CRC32C: the connection closes (queued messages lost), up again in "
                + backoff + " ms");
    }

    /** Every message handed to the network (before any fault): its send time, for links a corrupt frame may close. */
    void onSend(String from, String to, Message message) {
        if (sim.extraFaults().corruptions() == 0 || from.equals(to)) {
            return;
        }
        long now = sim.scheduler().nowMillis();
        if (sentAt.size() > 20_000) {
            sentAt.values().removeIf(t -> now - t > 10_000); // nothing stays in flight that long
        }
        sentAt.put(message, now);
    }

    /**
     * The message as it reaches {@code to}, or null if the connection it was queued on closed on a
     * corrupt frame since it was sent (or it was sent while that connection was down). With the
     * planted bug {@link Bug#NO_FRAME_CHECKSUM}, such a message arrives damaged instead.
     */
    Message arriving(String from, String to, Message message) {
        long[] c = corrupted.get(from + ">" + to);
        if (c == null) {
            return message;
        }
        Long sent = sentAt.get(message);
        long now = sim.scheduler().nowMillis();
        boolean lost = sent != null && ((sent < c[0] && now >= c[0]) || (sent >= c[0] && sent < c[1]));
        if (!lost) {
            return message;
        }
        return sim.params().has(Bug.NO_FRAME_CHECKSUM) ? damaged(message) : null;
    }

    /** A message with one bit of its state flipped (the commit timestamp), as a transport without checksums would deliver it. */
    private static Message damaged(Message m) {
        if (m instanceof Message.Commit c) {
            return new Message.Commit(c.term(), c.txId(), flip(c.state()));
        }
        if (m instanceof Message.StateSync s) {
            return new Message.StateSync(s.term(), flip(s.state()));
        }
        if (m instanceof Message.Prepare p) {
            return new Message.Prepare(p.term(), p.txId(), flip(p.proposed()));
        }
        return m;
    }

    private static io.canary.model.RoutingState flip(io.canary.model.RoutingState s) {
        return new io.canary.model.RoutingState(s.version(), s.status(), s.weights(), s.baseline(), s.txId(),
                s.committedAt() ^ 1, s.rollout());
    }

    String longFailingDisk() {
        return longFailingDisk;
    }

    /** One node's disk fails every write for a long while, possibly past the end of the faults. */
    private void failDiskLong(String id, long millis) {
        if (sim.isLost(id) || id.equals(sim.deafNode()) || sim.outForGood() + 1 > (sim.members().size() - 1) / 2) {
            return; // the healthy nodes must stay a majority
        }
        longFailingDisk = id;
        sim.stats().longDiskFailures++;
        sim.disk(id).failAppends(true);
        trace(id, "DISK", "fails every write for " + millis + " ms (a long failure)");
        sim.scheduler().schedule(Duration.ofMillis(millis), () -> {
            longFailingDisk = null;
            sim.disk(id).failAppends(false);
            trace(id, "DISK", "works again");
        });
    }

    private void partition() {
        List<String> sideA = new ArrayList<>();
        List<String> sideB = new ArrayList<>();
        for (String id : sim.members()) {
            (random.nextBoolean() ? sideA : sideB).add(id);
        }
        if (sideA.isEmpty() || sideB.isEmpty() || longSplitOn) {
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
        if (from.equals(to) || longSplitOn) {
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
