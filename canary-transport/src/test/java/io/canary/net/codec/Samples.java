package io.canary.net.codec;

import io.canary.health.HealthSnapshot;
import io.canary.health.HistogramSnapshot;
import io.canary.health.VersionHealth;
import io.canary.health.VersionStats;
import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Thresholds;
import io.canary.rollout.Verdict;
import io.canary.transport.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;

/** Messages of every type with edge values, for round-trip and fuzz tests. */
public final class Samples {
    static final String UNICODE = "π ✓ 日本語 🚀 naïve \u0000 end";

    private Samples() {
    }

    public static List<RoutingState> states() {
        Weights three = Weights.ofBasisPoints(Map.of("v1", 9000, "v2", 999, "v3-rc.1_x", 1));
        RolloutInfo active = new RolloutInfo("r-" + UNICODE, "v2", List.of(5, 25, 50, 100), 2,
                RolloutInfo.Phase.PROGRESSING, UNICODE);
        RolloutInfo before = new RolloutInfo("", "", List.of(), -1, RolloutInfo.Phase.NONE, "");
        io.canary.rollout.RolloutPlan plan = io.canary.rollout.RolloutPlan.builder("v1", "v2").steps(5, 25, 50, 100)
                .judge(io.canary.rollout.JudgeKind.THRESHOLD).onStepTimeout(io.canary.rollout.StepTimeout.PAUSE)
                .analysis(new io.canary.rollout.Analysis(0.05, 0.1, 0.5, 0.01, 1.3, List.of(0.25, 0.999))).build();
        RolloutInfo withPlan = RolloutInfo.started("r-plan", plan, RolloutInfo.Phase.PAUSED, UNICODE, Long.MAX_VALUE);
        return List.of(
                new RoutingState(3, RoutingState.Status.COMMITTED, Weights.split("v1", "v2", 5), "v1", 9, 1, withPlan),
                RoutingState.initial("v1", "v2"),
                new RoutingState(Long.MAX_VALUE, RoutingState.Status.COMMITTED, three, "v1", Long.MIN_VALUE, Long.MAX_VALUE, active),
                new RoutingState(2, RoutingState.Status.COMMITTED, Weights.all("v2"), "v2", -1, 0, before),
                new RoutingState(7, RoutingState.Status.COMMITTED, Weights.split("v1", "v2", 5), "v1", 42, 1_700_000_000_000L,
                        active.with(3, RolloutInfo.Phase.COMPLETED, "")));
    }

    public static List<HistogramSnapshot> histograms() {
        Random random = new Random(7);
        long[] large = new long[5000];
        for (int i = 0; i < large.length; i++) {
            large[i] = random.nextInt(4) == 0 ? 0 : random.nextLong() & Long.MAX_VALUE;
        }
        large[large.length - 1] = 1;
        return List.of(HistogramSnapshot.EMPTY,
                HistogramSnapshot.ofCounts(new long[] {Long.MAX_VALUE}),
                HistogramSnapshot.ofCounts(new long[] {0, 0, 0, 3, 0, 1}),
                HistogramSnapshot.ofCounts(large));
    }

    public static List<HealthSnapshot> snapshots() {
        List<HistogramSnapshot> h = histograms();
        return List.of(
                new HealthSnapshot("", 0, 0, Map.of()),
                new HealthSnapshot("node-" + UNICODE, Long.MAX_VALUE, Long.MAX_VALUE, Map.of(
                        "v1", new VersionHealth("v1", Long.MAX_VALUE, Long.MAX_VALUE, h.get(3)),
                        "v2", new VersionHealth("v2", 10, 0, h.get(0)),
                        "", new VersionHealth(UNICODE, 5, 1, h.get(2)))),
                new HealthSnapshot("node-b", 1, 2, Map.of("v1", new VersionHealth("v1", 3, 0, h.get(2))),
                        Map.of("v2", new VersionHealth("v2", 7, 2, h.get(2)))),
                new HealthSnapshot("node-c", 5, 30_000, Map.of("v1", new VersionHealth("v1", 10, 0, h.get(0))),
                        Map.of(), new io.canary.health.StepCounts("r-1#0@{v1=9500, v2=500}", 1_700_000_000_000L, Map.of(
                                "v1", new VersionHealth("v1", 4, 1, h.get(2)),
                                "v2", new VersionHealth("v2", Long.MAX_VALUE, 3, h.get(3))))),
                // a shadow step's counts: the canary's mirrored copies apart from real traffic
                new HealthSnapshot("node-d", 6, 30_000, Map.of("v1", new VersionHealth("v1", 10, 0, h.get(0))),
                        Map.of("v2", new VersionHealth("v2", 2, 1, h.get(2))), new io.canary.health.StepCounts(
                                "r-2#0@{v1=10000, v2=0}", 1_700_000_000_000L,
                                Map.of("v1", new VersionHealth("v1", 40, 1, h.get(2))),
                                Map.of("v2", new VersionHealth("v2", 8, 2, h.get(0))))));
    }

    public static List<VersionStats> stats() {
        return List.of(
                new VersionStats("", 0, 0, 0, 0, 0, 0),
                new VersionStats(UNICODE, Long.MAX_VALUE, Long.MIN_VALUE, -0.0, Double.MIN_VALUE, Double.MAX_VALUE,
                        Double.POSITIVE_INFINITY),
                new VersionStats("v2", 1000, 12, 0.012, 3.5, 120.25, 480.125));
    }

    public static List<Thresholds> thresholds() {
        return List.of(Thresholds.NONE,
                new Thresholds(OptionalDouble.of(0), OptionalDouble.of(1), OptionalDouble.of(Double.MAX_VALUE),
                        OptionalDouble.of(Double.MIN_VALUE)),
                new Thresholds(OptionalDouble.of(0.05), OptionalDouble.empty(), OptionalDouble.of(250), OptionalDouble.empty()),
                new Thresholds(OptionalDouble.empty(), OptionalDouble.of(0.01), OptionalDouble.empty(), OptionalDouble.of(1.5)));
    }

    public static List<RolloutPlan> plans() {
        List<RolloutPlan> plans = new ArrayList<>();
        List<Thresholds> t = thresholds();
        plans.add(new RolloutPlan("v1", "v2", RolloutPlan.DEFAULT_STEPS, Duration.ofSeconds(30), 100, t.get(0), 2));
        plans.add(new RolloutPlan(UNICODE, "", List.of(100), Duration.ofSeconds(Long.MAX_VALUE, 999_999_999),
                Long.MAX_VALUE, t.get(1), Integer.MAX_VALUE));
        plans.add(new RolloutPlan("v1", "v2", List.of(1, 2, 3, 99, 100), Duration.ofNanos(1), 0, t.get(2), 1));
        plans.add(new RolloutPlan("v1", "v2", List.of(50, 100), Duration.ofMillis(1500), 7, t.get(3), 3));
        // a shadow step and rollback margins of their own
        plans.add(RolloutPlan.builder("v1", "v2").shadow(15).analysis(io.canary.rollout.Analysis.DEFAULT
                .withRollbackMargins(1.35, 0.0005)).build());
        return plans;
    }

    public static List<Message.Command> commands() {
        List<Message.Command> commands = new ArrayList<>();
        commands.add(new Message.ProposeWeights(Weights.split("v1", "v2", 25)));
        commands.add(new Message.ProposeWeights(Weights.all("only")));
        for (RolloutPlan p : plans()) {
            commands.add(new Message.StartRollout(p));
        }
        for (RolloutAction a : RolloutAction.values()) {
            commands.add(new Message.ControlRollout(a));
        }
        return commands;
    }

    /** At least one message of every type; most types with several edge cases. */
    public static List<Message> messages() {
        List<Message> m = new ArrayList<>();
        List<RoutingState> states = states();
        for (RoutingState s : states) {
            m.add(new Message.Prepare(s.txId() >>> 32, s.txId(), s));
            m.add(new Message.Commit(Integer.MAX_VALUE, Long.MAX_VALUE, s));
            m.add(new Message.StateSync(7, s));
            m.add(new Message.RequestVoteReply(3, true, false, s,
                    java.util.Optional.of(new Message.PreparedReport(2, 2L << 32 | 5, s)), 2L << 32 | 4, 9));
            m.add(new Message.RequestVoteReply(4, false, true, s, java.util.Optional.empty(), 0, 0));
            m.add(new Message.RequestVoteReply(5, false, false, s, java.util.Optional.empty(), 0, 0,
                    List.of(new Message.PreparedReport(3, 3L << 32 | 1, s), new Message.PreparedReport(1, 1L << 32 | 9, s))));
            m.add(new Message.Heartbeat(3, 2, true, 99, 98, false, false, s.version(), 2,
                    java.util.Optional.of(new Message.PreparedReport(2, 2L << 32 | 7, s))));
            m.add(new Message.ForwardResponse(Long.MIN_VALUE, Message.ForwardResponse.Outcome.COMMITTED, s, ""));
        }
        m.add(new Message.ForwardResponse(3, Message.ForwardResponse.Outcome.FAILED, states.get(0),
                "coordinator " + UNICODE + " is unreachable"));
        m.add(new Message.ForwardResponse(4, Message.ForwardResponse.Outcome.UNKNOWN, states.get(0),
                "the coordinator restarted while running this request"));
        m.add(Message.Vote.yes(0, 0));
        m.add(Message.Vote.no(5, Long.MIN_VALUE, Message.Refusal.CANNOT_SERVE, "cannot serve v3: " + UNICODE));
        for (Message.Refusal r : Message.Refusal.values()) {
            if (r != Message.Refusal.NONE) {
                m.add(Message.Vote.no(1, 7, r, r.name()));
            }
        }
        m.add(new Message.AbortAck(Long.MAX_VALUE, 3));
        m.add(new Message.RequestVote(2, 9, 1, true));
        m.add(new Message.RequestVote(Integer.MAX_VALUE, Long.MAX_VALUE, 0, false));
        m.add(new Message.Heartbeat(4, 3, false, 123_456_789, 123_456_000, true, true));
        m.add(new Message.Heartbeat(4, 3, false, 123_456_789, 123_456_000, true, true, 4, 4));
        m.add(new Message.CommitAck(0, Long.MAX_VALUE));
        m.add(new Message.CommitAck(0, 0));
        m.add(new Message.Abort(0, -1, 0, ""));
        m.add(new Message.Abort(2, 9, 4, "node-b voted NO: " + UNICODE));
        m.add(new Message.DecisionQuery(1, Long.MAX_VALUE, Long.MIN_VALUE));
        m.add(new Message.Heartbeat(0, 1, true, 0, -1, false, false));
        m.add(new Message.Heartbeat(0, Long.MAX_VALUE, false, 0, -1, false, false));
        for (HealthSnapshot s : snapshots()) {
            m.add(new Message.HealthReport(s));
        }
        List<VersionStats> stats = stats();
        int i = 0;
        for (Verdict.Decision d : Verdict.Decision.values()) {
            m.add(new Message.VerdictReport(i == 0 ? "" : UNICODE, new Verdict(d, i == 1 ? "" : UNICODE, i - 1,
                    i == 2 ? Long.MAX_VALUE : 0, stats.get(i % stats.size()), stats.get((i + 1) % stats.size()))));
            i++;
        }
        long requestId = 0;
        for (Message.Command c : commands()) {
            m.add(new Message.ForwardRequest(requestId == 0 ? Long.MAX_VALUE : requestId, requestId % 7, c));
            requestId++;
        }
        return m;
    }
}
