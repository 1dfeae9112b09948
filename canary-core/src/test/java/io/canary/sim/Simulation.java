package io.canary.sim;

import io.canary.NodeConfig;
import io.canary.internal.protocol.SimulatorSeam;
import io.canary.log.MemoryStateLog;
import io.canary.model.RoutingState;
import io.canary.time.ManualScheduler;
import io.canary.transport.Message;
import io.canary.transport.local.LocalNetwork;
import io.canary.transport.local.NetworkListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One deterministic simulation of a whole Canary cluster, FoundationDB style: every node in this
 * one thread, virtual time ({@link ManualScheduler}), one seeded random source, a simulated
 * network ({@link LocalNetwork} with its fault injection) and disks ({@link MemoryStateLog}), and
 * the real protocol and rollout code ({@link SimNode}). Faults and operator commands run for a
 * while; then every fault stops and the cluster must settle within {@link #LIVENESS_BOUND}.
 * {@link Invariants} are checked after every step (every delivered message, fired timer, command,
 * crash and restart); the first violation ends the run with the seed and the trace.
 */
public final class Simulation {
    static final long START = 1_750_000_000_000L;
    static final Duration TRAFFIC_INTERVAL = Duration.ofMillis(100);
    static final int CHECKPOINT_AFTER = 16;
    static final Duration LIVENESS_BOUND = Duration.ofSeconds(30);
    static final String COORDINATOR = "node-a";
    /**
     * Once faults stop, a rollback asked then must reach every node within this (several failovers' worth), measured
     * from the operator's last ask: an operator who sees the canary raised again (a command issued during the faults
     * committed after the rollback) asks again (see {@link #watchHeldRollback}), but only within this of the faults'
     * end; a raise later than that is a violation. {@link #LIVENESS_BOUND} stays measured from the faults' end.
     */
    static final Duration ROLLBACK_BOUND = Duration.ofSeconds(15);

    private static final NodeConfig CONFIG = NodeConfig.custom()
            .prepareTimeout(Duration.ofMillis(800)).retryInterval(Duration.ofMillis(150))
            .heartbeatInterval(Duration.ofMillis(250)).peerTimeout(Duration.ofMillis(900))
            .electionTimeout(Duration.ofMillis(1000)).electionStagger(Duration.ofMillis(300))
            .leaseTimeout(Duration.ofMillis(2000))
            .healthInterval(Duration.ofMillis(500)).healthWindow(Duration.ofSeconds(5))
            .syncTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(3)).maxPause(RolloutDriver.MAX_PAUSE).build();

    private final SimParams params;
    private final SplittableRandom random;
    private final FaultPlan faults;
    private final ExtraFaults extra;
    /** Nodes lost for good: never restarted, left out of what "settled" and "every node" mean. */
    private final Set<String> lostForGood = new java.util.TreeSet<>();
    private final ManualScheduler scheduler = new ManualScheduler(START);
    private final LocalNetwork network;
    private final List<String> members = new ArrayList<>();
    private final RoutingState initial = RoutingState.initial("v1", "v2");
    private final Map<String, MemoryStateLog> disks = new HashMap<>();
    private final Map<String, Member> nodes = new TreeMap<>();
    private final Set<String> protocolBugs = new HashSet<>();
    private final Invariants invariants;
    private final Trace trace;
    private final Traffic traffic;
    private final Workload workload;
    private final SimStats stats = new SimStats();
    private final boolean slowNetwork;
    private final FaultInjector injector;
    private final Liveness liveness;
    private boolean faultsOn = true;
    /** Disk loss (an empty data dir, a restored backup / lying fsync) at one restart of the run, from its own random source. */
    private final SplittableRandom diskLoss;
    private boolean diskLost;
    /** Whether this run draws a disk loss: as {@link SimParams#diskLoss()}, and always for the bugs only a disk loss shows. */
    private final boolean diskLossOn;
    private long rollbackAskedAt = -1;
    private long faultsStoppedAt = -1;
    private int rollbackReasks;
    private long rollbackVersion = -1;
    private boolean rollbackChecked;
    private int rollbackAttempts;
    private Violation failure;

    public Simulation(SimParams params) {
        this.params = params;
        this.random = new SplittableRandom(params.seed());
        this.faults = FaultPlan.draw(random);
        this.extra = EXTRA_FAULTS ? ExtraFaults.draw(params.seed(), faults.nodes(),
                ExtraFaults.WALL_STEPS || params.has(Bug.PROTOCOL_ON_WALL_CLOCK),
                ExtraFaults.LOSSES || params.has(Bug.ROLLBACK_NEEDS_EVERY_VOTE) || params.has(Bug.ONLY_PREFERRED_STANDS),
                ExtraFaults.PAUSES || params.has(Bug.LEASE_ONLY_CHECKED_ON_EVENTS))
                : ExtraFaults.none();
        // Drawn from a random source of its own, so that adding it left every other fault of a seed as it was.
        this.slowNetwork = new SplittableRandom(params.seed() * 0x9E3779B97F4A7C15L + 2).nextInt(8) == 0;
        this.diskLoss = new SplittableRandom(params.seed() * 0x9E3779B97F4A7C15L + 3);
        this.diskLossOn = params.diskLoss() || params.has(Bug.AMNESIAC_VOTES_AT_ONCE)
                || params.has(Bug.VOTE_FOR_CANDIDATE_BEHIND_REPORTED_COMMIT) || params.has(Bug.VOTE_FOR_CANDIDATE_BEHIND_REPORTED_LOG)
                || params.has(Bug.RECOVERY_IGNORES_REFUSALS) || params.has(Bug.AMNESIAC_JOINS_ANY_TERM)
                || params.has(Bug.ANY_NODE_STANDS_IN_ANY_TERM) || params.has(Bug.AMNESIAC_STANDS_ON_FALLBACK)
                || params.has(Bug.AMNESIA_FORGOTTEN_ON_RESTART) || params.has(Bug.RECOVERY_FORGOTTEN_ON_RESTART)
                || params.has(Bug.FORWARD_RUNS_IN_ANY_TERM)
                || params.has(Bug.AMNESIA_FALLBACK_ON_TIMER) || params.has(Bug.AMNESIA_ENDED_BY_A_LEARNED_STATE)
                || params.has(Bug.CANDIDATE_IGNORES_REPORTED_COMMIT) || params.has(Bug.RECORDED_REPORTS_LAPSE)
                || params.has(Bug.RELAYED_PROMISES_IGNORED) || params.has(Bug.RELAYED_PROMISE_GAP_IGNORED);
        this.network = new LocalNetwork(scheduler, random.nextLong());
        for (int i = 0; i < faults.nodes(); i++) {
            members.add("node-" + (char) ('a' + i));
        }
        for (Bug bug : params.bugs()) {
            if (bug.inProtocol()) {
                protocolBugs.add(bug.name());
            }
        }
        this.invariants = new Invariants(members, initial, params.checkDurableBeforeVisible(), params.checkAtMostOnce());
        this.trace = new Trace(START, params.fullTrace());
        this.traffic = new Traffic(random.split());
        this.workload = new Workload(random.split(), traffic);
        this.injector = new FaultInjector(this, faults, random, slowNetwork);
        this.liveness = new Liveness(this);
    }

    /** Runs to the end: settled after the faults stopped (success), a violation, or the liveness bound. */
    public SimResult run() {
        network.addListener(new NetworkListener() {
            @Override
            public void onSend(String from, String to, Message message) {
                injector.onSend(from, to, message);
            }

            @Override
            public void onDrop(String from, String to, Message message, String reason) {
                if (!(message instanceof Message.HealthReport)) {
                    trace.add(scheduler.nowMillis(), from, "drop", new Dropped(to, message, reason));
                }
            }
        });
        injector.applyNetworkFaults();
        for (String id : members) {
            disks.put(id, new MemoryStateLog(id));
            startNode(id, 1);
        }
        planFaultsAndCommands();
        long faultsEnd = START + faultMillis();
        scheduler.schedule(Duration.ofMillis(faultMillis()), this::stopFaults);
        long bound = faultsEnd + LIVENESS_BOUND.toMillis();
        while (failure == null) {
            long now = scheduler.nowMillis();
            watchHeldRollback(now);
            checkRollbackBound(now);
            if (now >= faultsEnd && !faultsOn) {
                String unsettled = liveness.unsettled(nodes, notExpectedToSettle());
                if (unsettled == null && !liveness.probed()) {
                    liveness.probe(randomAnsweringNode());
                    unsettled = "the probe change has not committed yet";
                } else if (unsettled == null && liveness.probeAnswered()) {
                    String refused = liveness.probeRefusal();
                    if (refused != null) {
                        fail(new Violation(Invariant.LIVENESS, refused));
                    }
                    if (refused != null || liveness.live()) {
                        break;
                    }
                    unsettled = "a probe was refused; probing again";
                } else if (unsettled == null) {
                    unsettled = "the probe change has no outcome yet";
                }
                if (now >= bound) {
                    fail(new Violation(Invariant.LIVENESS, "not settled " + LIVENESS_BOUND.toSeconds()
                            + " s after the faults stopped: " + unsettled));
                    break;
                }
            }
            scheduler.advance(Duration.ofMillis(100));
        }
        if (failure == null && !scheduler.failures().isEmpty()) {
            fail(new Violation(Invariant.NO_EXCEPTION, "a scheduled task threw: " + scheduler.failures().get(0)));
        }
        stats.runs = 1;
        stats.slowNetworks = slowNetwork ? 1 : 0;
        stats.virtualMillis = scheduler.nowMillis() - START;
        stats.sent = network.sentCount();
        stats.delivered = network.deliveredCount();
        stats.dropped = network.droppedCount();
        stats.commands = workload.issued;
        stats.commandsSucceeded = workload.succeeded;
        stats.rolloutsAsked = workload.rolloutsAsked;
        stats.commits = invariants.distinctCommits();
        stats.promotions = invariants.promotionsCommitted();
        stats.requests = traffic.requests();
        String faultText = faults.toString().replace(faults.faultMillis() + " ms of faults", faultMillis() + " ms of faults")
                + extra + (slowNetwork ? "; slow network: delay <= " + FaultInjector.SLOW_NETWORK_MILLIS + " ms" : "");
        return new SimResult(params, faultText, stats, failure == null ? null : failure.invariant(),
                failure == null ? "" : failure.getMessage(), failure == null && !params.fullTrace() ? "" : trace.render());
    }

    // ---- faults and workload ------------------------------------------------------------------------

    /** How long the faults last: a run with a long partition or cut lasts long enough to hold it. */
    long faultMillis() {
        return extra.faultMillis(faults.faultMillis());
    }

    private void planFaultsAndCommands() {
        long span = faultMillis();
        for (int i = 0; i < faults.commands(); i++) {
            at(random.nextLong(span), this::issueCommand);
        }
        injector.plan(span);
    }

    /** Runs {@code task} after {@code offsetMillis}, unless the faults have stopped or the run failed by then. */
    void at(long offsetMillis, Runnable task) {
        scheduler.schedule(Duration.ofMillis(offsetMillis), () -> {
            if (failure == null && faultsOn) {
                task.run();
            }
        });
    }

    private void issueCommand() {
        Member node = randomLiveNode();
        if (node == null) {
            return;
        }
        Message.Command command = workload.next(node);
        workload.issued++;
        if (command instanceof Message.ControlRollout c && c.action() == io.canary.rollout.RolloutAction.PROMOTE) {
            invariants.onPromoteCommand();
        }
        step(node, "command", command, () -> node.command(command, outcome -> {
            invariants.onAnswer(node.id(), outcome);
            if (command instanceof Message.ProposeWeights) {
                invariants.onWeightSetAnswer(node.id(), outcome);
            }
            workload.done(outcome);
        }));
    }

    private void stopFaults() {
        faultsOn = false;
        injector.stop();
        trace.add(scheduler.nowMillis(), "-", "FAULTS END", "network healed; no more crashes, jumps or commands");
        replaceLostMembers();
        rollbackAskedAt = scheduler.nowMillis();
        faultsStoppedAt = rollbackAskedAt;
        askRollback();
    }

    /**
     * The operator watches the rollback it was told committed, as a person would, until the cluster is probed: a command
     * issued during the faults may still commit after it (a forwarder resends until its request timeout, a new coordinator
     * re-drives a promise, and the later change wins), and if that raises the canary again (a share above 0, or a rollout
     * running) the operator asks again (seed 4085414: a StartRollout forwarded before the faults' end committed 0.6 s
     * after the rollback had answered "already at 0%"). Only within {@link #ROLLBACK_BOUND} of the faults' end: by then
     * what was asked during the faults has run its course, and a raise after that is a violation.
     */
    private void watchHeldRollback(long now) {
        if (rollbackVersion < 0 || failure != null || liveness.probed()) {
            return;
        }
        RoutingState newest = null;
        for (Member n : nodes.values()) {
            if (!n.isDead() && (newest == null || n.committed().version() > newest.version())) {
                newest = n.committed();
            }
        }
        if (newest == null || newest.version() <= rollbackVersion || !raisesCanary(newest)) {
            return;
        }
        String what = "version " + newest.version() + " " + newest.weights()
                + (newest.rollout().phase().isActive() ? " (rollout " + newest.rollout().id() + " " + newest.rollout().phase() + ")" : "");
        if (now - faultsStoppedAt > ROLLBACK_BOUND.toMillis()) {
            fail(new Violation(Invariant.ROLLBACK_BOUND, "the canary went up again " + (now - faultsStoppedAt) + " ms after the faults"
                    + " stopped, after its rollback had committed as version " + rollbackVersion + ": " + what));
            return;
        }
        rollbackReasks++;
        trace.add(now, "-", "REASK", "the operator sees the canary up again (" + what + ") after its rollback (version "
                + rollbackVersion + "): asks again (re-ask " + rollbackReasks + ")");
        rollbackVersion = -1;
        rollbackAskedAt = now;
        rollbackChecked = false;
        askRollback();
    }

    private static boolean raisesCanary(RoutingState s) {
        return s.rollout().phase().isActive() || s.weights().share(s.baseline()) < 1.0;
    }

    /** An operator asks for the canary to go to 0% (abort the rollout, or weights all on the baseline), until it commits. */
    private void askRollback() {
        askRollback(null);
    }

    /** The same, through a node other than {@code avoid} if there is one (the node asked last, which did not answer). */
    private void askRollback(String avoid) {
        Member node = randomAnsweringNode(avoid);
        if (node == null || rollbackVersion >= 0 || failure != null) {
            if (rollbackVersion < 0 && failure == null) {
                scheduler.schedule(Duration.ofMillis(500), this::askRollback);
            }
            return;
        }
        RoutingState c = node.committed();
        String other = c.baseline().equals("v1") ? "v2" : "v1";
        Message.Command command = c.rollout().phase().isActive()
                ? new Message.ControlRollout(io.canary.rollout.RolloutAction.ABORT)
                : new Message.ProposeWeights(io.canary.model.Weights.split(c.baseline(), other, 0));
        int attempt = ++rollbackAttempts;
        step(node, "rollback", command, () -> node.command(command, outcome -> {
            trace.add(scheduler.nowMillis(), node.id(), "answer", "rollback: " + outcome);
            invariants.onAnswer(node.id(), outcome);
            if (outcome instanceof io.canary.internal.protocol.Outcome.Success ok
                    && ok.state().weights().share(ok.state().baseline()) >= 1.0) {
                rollbackVersion = ok.state().version();
            } else if (attempt == rollbackAttempts) {
                scheduler.schedule(Duration.ofMillis(500), () -> askRollback(node.id()));
            }
        }));
        watchRollback(node, attempt, CONFIG.requestTimeout().plusSeconds(1).toMillis());
    }

    /**
     * The node asked may die before it answers (its disk fails: it stops whenever it must log something),
     * or stall: the operator sees the connection drop and asks another node at once, or gives up waiting
     * after the request timeout and asks another (seed 137038: asking a crash-looping node-c again and
     * again left the rollback unanswered although the cluster had rolled back at once).
     */
    private void watchRollback(Member node, int attempt, long leftMillis) {
        scheduler.schedule(Duration.ofMillis(500), () -> {
            if (attempt != rollbackAttempts || rollbackVersion >= 0 || failure != null) {
                return;
            }
            if (node.isDead() || leftMillis <= 500) {
                askRollback(node.id());
            } else {
                watchRollback(node, attempt, leftMillis - 500);
            }
        });
    }

    private void checkRollbackBound(long now) {
        if (rollbackAskedAt < 0 || rollbackChecked || now - rollbackAskedAt < ROLLBACK_BOUND.toMillis()) {
            return;
        }
        rollbackChecked = true;
        if (rollbackVersion < 0) {
            fail(new Violation(Invariant.ROLLBACK_BOUND, "a rollback asked when the faults stopped did not commit within "
                    + ROLLBACK_BOUND.toSeconds() + " s"));
            return;
        }
        for (Member n : nodes.values()) {
            if (!n.isDead() && n.committed().version() < rollbackVersion && !n.isFailSafe()) {
                // Every live node: one whose disk still fails is current or fail-safe (it stops when it cannot log a sync).
                fail(new Violation(Invariant.ROLLBACK_BOUND, n.id() + " still routes version " + n.committed().version()
                        + " " + n.committed().weights() + ", " + ROLLBACK_BOUND.toSeconds()
                        + " s after a rollback was asked (committed as version " + rollbackVersion + ")"));
                return;
            }
        }
    }

    // ---- nodes --------------------------------------------------------------------------------------

    private void startNode(String id, int incarnation) {
        if (failure != null) {
            return;
        }
        Member node;
        try {
            node = params.mode() == SimParams.Mode.RUNTIME ? new RuntimeMember(this, id, incarnation)
                    : new SimNode(this, id, incarnation);
        } catch (Violation v) {
            fail(v);
            return;
        } catch (RuntimeException e) {
            fail(new Violation(Invariant.NO_EXCEPTION, id + " could not restart from its log: " + e));
            return;
        }
        nodes.put(id, node);
        if (incarnation > 1) {
            stats.restarts++;
        }
        step(node, "start", "incarnation " + incarnation, node::start);
    }

    void crash(Member node, boolean torn, String why) {
        node.die(torn);
        stats.crashes += why.equals("killed") ? 0 : 1;
        stats.tornWrites += torn ? 1 : 0;
        trace.add(scheduler.nowMillis(), node.id(), "CRASH", why);
        // A lost disk is a fault of the minority budget too: with a node lost for good, only in a cluster of five; and a
        // disk failing for long is one (seed 1068010: node-a wiped while node-c, the other holder of version 6, could
        // not log anything for 20 s: two of three impaired, as failDiskLong already counted the other way round).
        if (diskLossOn && faultsOn && !diskLost && diskLoss.nextInt(DISK_LOSS_ONE_IN) == 0
                && outForGood() + (longFailingDisk() != null ? 1 : 0) + 1 <= (members.size() - 1) / 2) {
            loseDisk(node.id());
        }
        long downtime = 100 + random.nextLong(2400);
        scheduler.schedule(Duration.ofMillis(downtime), () -> startNode(node.id(), node.incarnation() + 1));
    }

    /** {@code node} is lost for good (its machine is gone): it never comes back, and nothing waits for it. */
    void loseForGood(Member node) {
        node.die(false);
        lostForGood.add(node.id());
        stats.lostForGood++;
        trace.add(scheduler.nowMillis(), node.id(), "LOST", "for good: never restarted");
    }

    boolean isLost(String id) {
        return lostForGood.contains(id);
    }

    /**
     * The operator's remedy for a member lost for good that an amnesiac node waits for (it votes and serves the canary
     * only once it heard every member, ARCHITECTURE "Amnesia"): from the faults' end, every second, each lost member
     * some live node still waits for is <em>replaced</em>, a node started under its name on an empty data dir. Only
     * then: a lost member nobody waits for stays lost, so the liveness checks keep their "lost for good" teeth.
     */
    private void replaceLostMembers() {
        if (failure != null) {
            return;
        }
        for (String id : List.copyOf(lostForGood)) {
            String waiter = nodes.values().stream().filter(n -> !n.isDead() && n.waitingFor().contains(id))
                    .map(Member::id).findFirst().orElse(null);
            if (waiter != null) {
                lostForGood.remove(id);
                disks.put(id, new MemoryStateLog(id));
                invariants.forgetReported(id);
                invariants.forgetLostAborts(id, List.of());
                stats.replacements++;
                trace.add(scheduler.nowMillis(), id, "REPLACED", "by the operator, on an empty data dir: " + waiter
                        + " waits to hear it");
                startNode(id, nodes.get(id).incarnation() + 1);
            }
        }
        if (!lostForGood.isEmpty()) {
            scheduler.schedule(Duration.ofSeconds(1), this::replaceLostMembers);
        }
    }

    /** The node deaf for good ({@link ExtraFaults#deafNode}), or null. */
    String deafNode() {
        return extra.deafNode() >= 0 && extra.deafNode() < members.size() ? members.get(extra.deafNode()) : null;
    }

    /** How many nodes are out for good, lost (a lost disk counts) or deaf: at most a minority ever is. */
    int outForGood() {
        return lostCount() + (deafNode() != null ? 1 : 0);
    }

    /** Nodes left out of what "settled" means: lost for good, and the deaf one (it can never learn anything). */
    private Set<String> notExpectedToSettle() {
        Set<String> out = new java.util.TreeSet<>(lostForGood);
        if (deafNode() != null) {
            out.add(deafNode());
        }
        return out;
    }

    /** How many nodes are lost for good so far (a lost disk counts as one: the healthy nodes must stay a majority). */
    int lostCount() {
        return lostForGood.size() + (diskLost ? 1 : 0);
    }

    /** The live node that coordinates in the highest term, or null. */
    Member coordinatorNow() {
        Member best = null;
        for (Member n : nodes.values()) {
            if (!n.isDead() && n.isCoordinator() && (best == null || n.term() > best.term())) {
                best = n;
            }
        }
        return best;
    }

    /** Disk loss at a restart: on by default (in CI); {@code -Dcanary.sim.diskLoss=off} replays seeds as they ran before it. */
    static final boolean DISK_LOSS = !"off".equals(System.getProperty("canary.sim.diskLoss"));
    /**
     * A crash draws a disk loss one time in this many (4 in CI; {@code -Dcanary.sim.diskLossOneIn=1} draws one at every
     * crash until one is injected, for searches that want more losses per seed: only the disk-loss stream changes, so
     * every seed keeps its other faults and its schedule up to the loss).
     */
    static final int DISK_LOSS_ONE_IN = Integer.getInteger("canary.sim.diskLossOneIn", 4);

    /** The faults of {@link ExtraFaults} (on by default; {@code -Dcanary.sim.extraFaults=off} replays seeds as they ran before them). */
    static final boolean EXTRA_FAULTS = !"off".equals(System.getProperty("canary.sim.extraFaults"));

    /**
     * The crashed node's disk comes back empty (a new data dir) or holding only an older prefix of
     * its durable records (a restored backup, a disk whose fsync lied). At most once per run: losing
     * the disks of a majority loses committed state, which no protocol survives.
     */
    private void loseDisk(String id) {
        MemoryStateLog old = disks.get(id);
        List<io.canary.log.LogRecord> durable = old.durableRecords();
        int keep = diskLoss.nextBoolean() ? 0 : diskLoss.nextInt(durable.size() + 1);
        // Inherent, so left out of the fault budget (ARCHITECTURE, known limits (a) and (e)): a disk loss that
        // takes a record only a majority counting this node holds (an abort, a promise, a commit: the recovery
        // round of a majority without this node may miss it), or, for a restored backup, a vote it gave (it
        // cannot know it voted). Seed 765: a restored backup lost node-c's ABORTED, held with node-b's only, and
        // a re-elected node-c re-drove the transaction its caller had been told failed.
        int needed = DiskLossBudget.neededPrefix(id, durable, disks, members, lostForGood, keep > 0);
        if (keep == 0 && needed > 0 || keep >= durable.size() || needed >= durable.size()) {
            stats.diskLossesLeftOut++;
            return; // an empty data dir would lose what the cluster needs from it, or a backup would lose nothing
        }
        keep = keep == 0 ? 0 : Math.max(keep, needed);
        diskLost = true;
        MemoryStateLog restored = new MemoryStateLog(id);
        for (io.canary.log.LogRecord r : durable.subList(0, keep)) {
            restored.append(r, true);
        }
        disks.put(id, restored);
        invariants.forgetReported(id);
        invariants.forgetLostAborts(id, durable.subList(0, keep));
        stats.diskLosses++;
        trace.add(scheduler.nowMillis(), id, "DISK LOST", keep == 0 ? "empty data dir" : "restored backup: "
                + keep + " of " + durable.size() + " records");
    }

    /** A live node whose answers reach the operator (not the deaf one): where an operator's retried rollback and the probe go. */
    private Member randomAnsweringNode() {
        return randomAnsweringNode(null);
    }

    /** The same, other than {@code avoid} unless it is the only one. */
    private Member randomAnsweringNode(String avoid) {
        List<Member> live = new ArrayList<>();
        for (Member n : nodes.values()) {
            if (!n.isDead() && !n.id().equals(deafNode())) {
                live.add(n);
            }
        }
        if (live.size() > 1 && avoid != null) {
            live.removeIf(n -> n.id().equals(avoid));
        }
        return live.isEmpty() ? null : live.get(random.nextInt(live.size()));
    }

    Member randomLiveNode() {
        return randomLiveNode(random);
    }

    Member randomLiveNode(SplittableRandom random) {
        List<Member> live = new ArrayList<>();
        for (Member n : nodes.values()) {
            if (!n.isDead()) {
                live.add(n);
            }
        }
        return live.isEmpty() ? null : live.get(random.nextInt(live.size()));
    }

    // ---- steps --------------------------------------------------------------------------------------

    /** Runs one event of {@code node} as one step: trace it, run it, then check every invariant. */
    void step(Member node, String what, Object detail, Runnable body) {
        if (failure != null || node.isDead()) {
            return;
        }
        Pause pause = pauses.get(node);
        if (pause != null) {
            pause.steps.add(() -> step(node, what, detail, body)); // a paused process runs nothing until it resumes
            return;
        }
        trace.add(scheduler.nowMillis(), node.id(), what, detail);
        invariants.at(scheduler.nowMillis());
        stats.steps++;
        try {
            try {
                body.run();
                if (node.isDead()) {
                    crash(node, node.tornWrite(), node.stoppedItself() ? "stopped itself: its state log failed"
                            : "crashed in the middle of the step");
                } else {
                    node.afterEvent();
                }
            } catch (NodeCrash c) {
                crash(node, c.tornWrite, c.getMessage());
            }
            checkAll();
        } catch (Violation v) {
            fail(v);
        } catch (RuntimeException e) {
            StringBuilder at = new StringBuilder();
            StackTraceElement[] frames = e.getStackTrace();
            for (int i = 0; i < Math.min(8, frames.length); i++) {
                at.append("\n      at ").append(frames[i]);
            }
            fail(new Violation(Invariant.NO_EXCEPTION, node.id() + " threw " + e + at));
        }
    }

    void schedule(Member node, Duration delay, String what, Object detail, Runnable body) {
        scheduler.schedule(delay, () -> step(node, what, detail, body));
    }

    /** A task outside the protocol (traffic): no trace, no checks but {@link #checkServing}. */
    void scheduleQuiet(Member node, Duration delay, Runnable body) {
        scheduler.schedule(delay, () -> runQuiet(node, body));
    }

    private void runQuiet(Member node, Runnable body) {
        if (failure == null && !node.isDead()) {
            Pause pause = pauses.get(node);
            if (pause != null) {
                pause.serving.add(() -> runQuiet(node, body));
            } else {
                body.run();
            }
        }
    }

    // ---- process pauses -----------------------------------------------------------------------------

    /** What a paused process runs when it resumes: its request threads first, then its protocol thread. */
    private static final class Pause {
        final List<Runnable> serving = new ArrayList<>();
        final List<Runnable> steps = new ArrayList<>();
    }

    private final Map<Member, Pause> pauses = new java.util.IdentityHashMap<>();

    boolean isPaused(Member node) {
        return pauses.containsKey(node);
    }

    /**
     * Stops {@code node}'s whole process for {@code millis} (a stop-the-world GC, a VM migration, a
     * SIGSTOP): nothing of it runs meanwhile, its timers and inbound messages queue. When it resumes,
     * its request threads run before its protocol thread catches up on what queued: the router alone
     * must then keep it from serving a canary share past its lease ({@link #checkServing}).
     */
    void pause(Member node, long millis) {
        if (pauses.containsKey(node) || node.isDead()) {
            return;
        }
        pauses.put(node, new Pause());
        stats.pauses++;
        trace.add(scheduler.nowMillis(), node.id(), "PAUSE", "the process stops for " + millis + " ms");
        scheduler.schedule(Duration.ofMillis(millis), () -> {
            Pause p = pauses.remove(node);
            trace.add(scheduler.nowMillis(), node.id(), "RESUME", p.serving.size() + " request batches, then "
                    + p.steps.size() + " queued events");
            p.serving.forEach(Runnable::run);
            p.steps.forEach(Runnable::run);
        });
    }

    /**
     * LEASE at the moment requests are served: a node routes a canary share only while its protocol,
     * asked at this very instant, grants it a lease, whether or not its protocol thread ran lately.
     */
    void checkServing(Member node) {
        RoutingState c = node.committed();
        if (failure != null || c.weights().share(c.baseline()) >= 1.0 || node.routesFailSafeNow() || !node.leaseLapsed()) {
            return;
        }
        fail(new Violation(Invariant.LEASE, node.id() + " serves " + c.weights() + " (version " + c.version()
                + ") without a valid lease: its router still routes the canary after the lease ended"));
    }

    private void checkAll() {
        long leaseBound = 2 * CONFIG.leaseTimeout().toMillis() + 2 * CONFIG.heartbeatInterval().toMillis()
                + (slowNetwork ? FaultInjector.SLOW_NETWORK_MILLIS : 300);
        for (Member n : nodes.values()) {
            if (!n.isDead()) {
                if (!n.holdsUnforced()) { // group commit: its memory runs ahead of what it has shown until the fsync
                    invariants.checkNode(n.id(), n.committed(), n.routed());
                }
                invariants.checkLease(n.id(), n.committed(), n.isFailSafe(), leaseBound);
            }
        }
    }

    /** A violation found where it cannot be thrown (inside the runtime's own code): the run stops after this step. */
    void violated(Violation v) {
        fail(v);
    }

    private void fail(Violation v) {
        if (failure == null) {
            failure = v;
            trace.add(scheduler.nowMillis(), "-", "VIOLATION", v.invariant() + ": " + v.getMessage());
        }
    }

    // ---- for the nodes ------------------------------------------------------------------------------

    ManualScheduler scheduler() {
        return scheduler;
    }

    Trace trace() {
        return trace;
    }

    SimParams params() {
        return params;
    }

    /** The node whose disk still fails for a long while (past the faults' end, perhaps), or null. */
    String longFailingDisk() {
        return injector.longFailingDisk();
    }

    ExtraFaults extraFaults() {
        return extra;
    }

    boolean faultsOn() {
        return faultsOn;
    }

    /**
     * What reaches {@code to} of a message {@code from} sent: the message, or null if the
     * connection it travelled on closed meanwhile (a corrupt frame); traced as a drop.
     */
    Message arriving(String from, String to, Message message) {
        if (to.equals(deafNode()) && !from.equals(to)) {
            if (!(message instanceof Message.HealthReport)) {
                trace.add(scheduler.nowMillis(), from, "drop", new Dropped(to, message, to + " is deaf: it hears nothing"));
            }
            return null;
        }
        Message m = injector.arriving(from, to, message);
        if (m == null && !(message instanceof Message.HealthReport)) {
            trace.add(scheduler.nowMillis(), from, "drop", new Dropped(to, message, "the connection closed on a corrupt frame"));
        }
        return m;
    }

    SplittableRandom random() {
        return random;
    }

    long now(String id) {
        return scheduler.nowMillis() + injector.clockOffset(id);
    }

    void crashedAfterFsync() {
        stats.crashesAfterFsync++;
    }

    double crashProbability() {
        return faultsOn ? faults.crashPerEffect() : 0;
    }

    MemoryStateLog disk(String id) {
        return disks.get(id);
    }

    java.util.Collection<MemoryStateLog> disks() {
        return disks.values();
    }

    SimStats stats() {
        return stats;
    }

    RoutingState initialState() {
        return initial;
    }

    List<String> members() {
        return members;
    }

    String coordinatorId() {
        return COORDINATOR;
    }

    NodeConfig config() {
        return CONFIG;
    }

    LocalNetwork network() {
        return network;
    }

    Invariants invariants() {
        return invariants;
    }

    Traffic traffic() {
        return traffic;
    }

    Set<String> protocolBugNames() {
        return protocolBugs;
    }

    static Set<String> knownProtocolBugs() {
        return SimulatorSeam.bugNames();
    }

    /** A lost message as the trace shows it (formatted only if a run fails). */
    private record Dropped(String to, Message message, String reason) {
        @Override
        public String toString() {
            return "to " + to + " " + Trace.describe(message) + " (" + reason + ")";
        }
    }
}
