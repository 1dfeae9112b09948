package io.canary.sim;

import io.canary.internal.protocol.Outcome;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.transport.Message;
import java.util.Map;

/**
 * What "settled" means once the faults stopped: every node up, ready, on the coordinator's
 * committed state, prepared for nothing, waiting for nothing, and no rollout still running. Then a
 * probe: a weight change through a random node must commit everywhere too, within the same bound
 * (a cluster that looks quiet but can no longer commit is not live).
 */
final class Liveness {
    /** Probes refused in a row before the cluster counts as not live (a refusal may be a race, see {@link #probeRefusal}). */
    static final int PROBES = 3;

    private final Simulation sim;
    private String probe;
    private Outcome answer;
    private int refused;
    private final java.util.List<String> refusals = new java.util.ArrayList<>();

    Liveness(Simulation sim) {
        this.sim = sim;
    }

    /** Why the cluster has not settled yet, or null if it has; nodes {@code lost} for good are left out. */
    String unsettled(Map<String, Member> all, java.util.Set<String> lost) {
        Map<String, Member> nodes = new java.util.TreeMap<>(all);
        nodes.keySet().removeAll(lost);
        for (Member n : nodes.values()) {
            if (n.isDead()) {
                return n.id() + " is down";
            }
        }
        for (Member n : nodes.values()) {
            if (sim.isPaused(n)) {
                return n.id() + " is paused";
            }
        }
        String failing = sim.longFailingDisk();
        if (failing != null) {
            return failing + "'s disk still fails every write";
        }
        Member coordinator = null;
        for (Member n : nodes.values()) {
            if (n.isCoordinator()) {
                if (coordinator != null && coordinator.term() == n.term()) {
                    return "two coordinators in term " + n.term() + ": " + coordinator.id() + " and " + n.id();
                }
                if (coordinator == null || n.term() > coordinator.term()) {
                    coordinator = n;
                }
            }
        }
        if (coordinator == null) {
            return "no coordinator elected yet";
        }
        RoutingState target = coordinator.committed();
        for (Member n : nodes.values()) {
            RoutingState c = n.committed();
            if (!c.equals(target)) {
                return n.id() + " is at version " + c.version() + ", the coordinator at " + target.version();
            }
            if (n.prepared().isPresent() && preparedTooLong(n)) {
                return n.id() + " is still prepared for transaction " + n.prepared().getAsLong();
            }
            if (!n.isReady()) {
                return n.id() + " is not ready";
            }
            if (n.pendingCalls() > 0) {
                return n.id() + " still waits for " + n.pendingCalls() + " command(s) or proposal(s)";
            }
        }
        if (target.rollout().phase().isActive()) {
            return "rollout " + target.rollout().id() + " is still " + target.rollout().phase() + " at "
                    + target.rollout().currentPercent() + "%";
        }
        if (probe != null && answer == null) {
            return "the probe change " + probe + " has no outcome yet";
        }
        return null;
    }

    /** Per node, the transaction it was last seen prepared for and since when (virtual time). */
    private final Map<String, long[]> preparedSince = new java.util.HashMap<>();

    /**
     * True if {@code n} has been prepared for the same transaction for longer than the prepare timeout plus a second
     * (the network's worst delay, a resend): a transaction younger than that is one in flight, not one left in doubt (seed 2055358,
     * without disk loss: with a member of five lost for good, another promotion, which cannot commit without it, was
     * being prepared 0.3 s before the bound, and would have aborted at its prepare timeout).
     */
    private boolean preparedTooLong(Member n) {
        long txId = n.prepared().getAsLong();
        long now = sim.scheduler().nowMillis();
        long[] seen = preparedSince.get(n.id());
        if (seen == null || seen[0] != txId) {
            preparedSince.put(n.id(), new long[] {txId, now});
            return false;
        }
        long inFlight = sim.config().prepareTimeout().toMillis() + 1_000;
        return now - seen[1] > inFlight;
    }

    boolean probed() {
        return probe != null;
    }

    boolean probeAnswered() {
        return answer != null;
    }

    /**
     * Why the settled cluster could not commit the probe {@link #PROBES} times in a row, or null if
     * it committed, or may try again: a command whose caller gave up during the faults may still
     * commit later (its outcome was unknown, not failed), e.g. start a rollout that refuses the probe.
     */
    String probeRefusal() {
        if (!(answer instanceof Outcome.Failure f)) {
            return null;
        }
        refusals.add(probe + ": " + f.reason());
        if (++refused < PROBES) {
            probe = null;
            answer = null;
            return null;
        }
        return "the settled cluster refused " + PROBES + " changes in a row: " + String.join("; ", refusals);
    }

    /** True once a probe committed: the run is over. */
    boolean live() {
        return answer instanceof Outcome.Success;
    }

    /** Proves the settled cluster still commits: a weight change through {@code node} (a promotion or a rollback). */
    void probe(Member node) {
        RoutingState current = node.committed();
        String baseline = current.baseline();
        String other = baseline.equals("v1") ? "v2" : "v1";
        int percent = (int) Math.round(current.weights().share(other) * 100);
        // With a node lost for good (or deaf) a promotion can never commit (it needs every configured node): lower the canary.
        boolean lower = percent >= 50 || (sim.outForGood() > 0 && percent > 0);
        int next = lower ? Math.max(0, percent - 5 - 5 * sim.random().nextInt(5))
                : sim.outForGood() > 0 ? 0 : percent + 5 + 5 * sim.random().nextInt(5);
        Weights weights = Weights.split(baseline, other, next);
        probe = "weights " + weights + " through " + node.id();
        Message.Command command = new Message.ProposeWeights(weights);
        sim.step(node, "probe", command, () -> node.command(command, outcome -> {
            sim.invariants().onAnswer(node.id(), outcome);
            answer = outcome;
        }));
    }
}
