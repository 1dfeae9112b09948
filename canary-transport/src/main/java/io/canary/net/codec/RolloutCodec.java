package io.canary.net.codec;

import io.canary.health.VersionStats;
import io.canary.model.RolloutInfo;
import io.canary.model.Weights;
import io.canary.rollout.Analysis;
import io.canary.rollout.JudgeKind;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.StepTimeout;
import io.canary.rollout.Thresholds;
import io.canary.rollout.Verdict;
import io.canary.transport.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** Wire form of rollout types: plans, thresholds, verdicts and the forwarded commands. */
final class RolloutCodec {
    static final int COMMAND_PROPOSE_WEIGHTS = 1;
    static final int COMMAND_START_ROLLOUT = 2;
    static final int COMMAND_CONTROL_ROLLOUT = 3;

    private static final int ALL_THRESHOLD_BITS = 0b1111;
    /** Wire codes of a verdict's decision: explicit, never ordinals (see {@link WireEnum}). */
    static final WireEnum<Verdict.Decision> DECISION = WireEnum.of(Verdict.Decision.class, "verdict decision", Map.of(
            Verdict.Decision.PROMOTE, 1,
            Verdict.Decision.HOLD, 2,
            Verdict.Decision.ROLLBACK, 3));
    /** Wire codes of a manual rollout action. */
    static final WireEnum<RolloutAction> ACTION = WireEnum.of(RolloutAction.class, "rollout action", Map.of(
            RolloutAction.PAUSE, 1,
            RolloutAction.RESUME, 2,
            RolloutAction.PROMOTE, 3,
            RolloutAction.ABORT, 4));

    /** Wire codes of the plan's judge. */
    static final WireEnum<JudgeKind> JUDGE = WireEnum.of(JudgeKind.class, "plan judge", Map.of(
            JudgeKind.SEQUENTIAL, 1,
            JudgeKind.THRESHOLD, 2));
    /** Wire codes of what a step that reached its maximum duration does. */
    static final WireEnum<StepTimeout> TIMEOUT = WireEnum.of(StepTimeout.class, "plan step timeout", Map.of(
            StepTimeout.ROLL_BACK, 1,
            StepTimeout.PAUSE, 2));

    private RolloutCodec() {
    }

    static void writeDuration(WireWriter w, Duration d) {
        w.writeLong(d.getSeconds());
        w.writeInt(d.getNano());
    }

    static Duration readDuration(WireReader r, String what) {
        long seconds = r.readLong(what + " seconds");
        int nanos = r.readInt(what + " nanos");
        if (nanos < 0 || nanos > 999_999_999) {
            throw new CodecException(what + " nanos must be in [0,999999999], got " + nanos);
        }
        return Duration.ofSeconds(seconds, nanos);
    }

    /** A presence bit per bound, then the bounds that are present, in declaration order. */
    static void writeThresholds(WireWriter w, Thresholds t) {
        OptionalDouble[] bounds = bounds(t);
        int mask = 0;
        for (int i = 0; i < bounds.length; i++) {
            if (bounds[i].isPresent()) {
                mask |= 1 << i;
            }
        }
        w.writeByte(mask);
        for (OptionalDouble b : bounds) {
            if (b.isPresent()) {
                w.writeDouble(b.getAsDouble());
            }
        }
    }

    static Thresholds readThresholds(WireReader r) {
        int mask = r.readUnsignedByte("thresholds presence");
        if ((mask & ~ALL_THRESHOLD_BITS) != 0) {
            throw new CodecException("thresholds presence has unknown bits: 0x" + Integer.toHexString(mask));
        }
        OptionalDouble[] b = new OptionalDouble[4];
        for (int i = 0; i < b.length; i++) {
            b[i] = (mask & (1 << i)) != 0 ? OptionalDouble.of(r.readDouble("threshold " + i)) : OptionalDouble.empty();
        }
        return Decoding.build("thresholds", () -> new Thresholds(b[0], b[1], b[2], b[3]));
    }

    private static OptionalDouble[] bounds(Thresholds t) {
        return new OptionalDouble[] {t.maxErrorRate(), t.maxErrorRateDelta(), t.maxP95Ms(), t.maxP95Ratio()};
    }

    static void writePlan(WireWriter w, RolloutPlan p) {
        w.writeString(p.baseline());
        w.writeString(p.canary());
        StateCodec.writeInts(w, p.steps());
        writeDuration(w, p.stepInterval());
        w.writeLong(p.minRequests());
        writeThresholds(w, p.thresholds());
        w.writeInt(p.failureLimit());
        writeDuration(w, p.maxStepDuration());
        TIMEOUT.write(w, p.onStepTimeout());
        JUDGE.write(w, p.judge());
        Analysis a = p.analysis();
        w.writeDouble(a.alpha());
        w.writeDouble(a.promotionRisk());
        w.writeDouble(a.errorMarginRelative());
        w.writeDouble(a.errorMarginAbsolute());
        w.writeDouble(a.latencyRatio());
        w.writeInt(a.quantiles().size());
        for (double q : a.quantiles()) {
            w.writeDouble(q);
        }
        w.writeDouble(a.rollbackErrorRatio());
        w.writeDouble(a.rollbackErrorFloor());
        w.writeInt(p.shadowMirrorPercent());
    }

    static RolloutPlan readPlan(WireReader r) {
        String baseline = r.readString("plan baseline");
        String canary = r.readString("plan canary");
        List<Integer> steps = StateCodec.readInts(r, "plan steps");
        Duration stepInterval = readDuration(r, "plan step interval");
        long minRequests = r.readLong("plan minRequests");
        Thresholds thresholds = readThresholds(r);
        int failureLimit = r.readInt("plan failureLimit");
        Duration maxStep = readDuration(r, "plan max step duration");
        StepTimeout onTimeout = TIMEOUT.read(r);
        JudgeKind judge = JUDGE.read(r);
        double alpha = r.readDouble("plan alpha");
        double promotionRisk = r.readDouble("plan promotion risk");
        double errorRelative = r.readDouble("plan error margin relative");
        double errorAbsolute = r.readDouble("plan error margin absolute");
        double latencyRatio = r.readDouble("plan latency ratio");
        int n = r.readCount("plan quantiles", 8);
        List<Double> quantiles = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            quantiles.add(r.readDouble("plan quantile"));
        }
        double rollbackRatio = r.readDouble("plan rollback error ratio");
        double rollbackFloor = r.readDouble("plan rollback error floor");
        int shadow = r.readInt("plan shadow mirror percent");
        return Decoding.build("rollout plan", () -> new RolloutPlan(baseline, canary, steps, stepInterval, minRequests,
                thresholds, failureLimit, maxStep, onTimeout, judge,
                new Analysis(alpha, promotionRisk, errorRelative, errorAbsolute, latencyRatio, quantiles, rollbackRatio,
                        rollbackFloor), shadow));
    }

    static void writeVerdict(WireWriter w, Verdict v) {
        DECISION.write(w, v.decision());
        w.writeString(v.reason());
        w.writeInt(v.stepIndex());
        w.writeLong(v.at());
        HealthCodec.writeStats(w, v.baseline());
        HealthCodec.writeStats(w, v.canary());
    }

    static Verdict readVerdict(WireReader r) {
        Verdict.Decision decision = DECISION.read(r);
        String reason = r.readString("verdict reason");
        int stepIndex = r.readInt("verdict step index");
        long at = r.readLong("verdict at");
        VersionStats baseline = HealthCodec.readStats(r);
        VersionStats canary = HealthCodec.readStats(r);
        return Decoding.build("verdict", () -> new Verdict(decision, reason, stepIndex, at, baseline, canary));
    }

    /** A tag byte naming the command, then its body. */
    static void writeCommand(WireWriter w, Message.Command c) {
        if (c instanceof Message.ProposeWeights p) {
            w.writeByte(COMMAND_PROPOSE_WEIGHTS);
            StateCodec.writeWeights(w, p.weights());
        } else if (c instanceof Message.StartRollout s) {
            w.writeByte(COMMAND_START_ROLLOUT);
            writePlan(w, s.plan());
        } else if (c instanceof Message.ControlRollout ctl) {
            w.writeByte(COMMAND_CONTROL_ROLLOUT);
            ACTION.write(w, ctl.action());
        } else {
            // Unreachable while every Command has a branch above; MessageCodecTest enumerates them.
            throw new CodecException("no wire form for command " + c.getClass().getName());
        }
    }

    static Message.Command readCommand(WireReader r) {
        int tag = r.readUnsignedByte("command tag");
        switch (tag) {
            case COMMAND_PROPOSE_WEIGHTS: {
                Weights weights = StateCodec.readWeights(r);
                return new Message.ProposeWeights(weights);
            }
            case COMMAND_START_ROLLOUT: {
                RolloutPlan plan = readPlan(r);
                return new Message.StartRollout(plan);
            }
            case COMMAND_CONTROL_ROLLOUT: {
                RolloutAction action = ACTION.read(r);
                return new Message.ControlRollout(action);
            }
            default:
                throw new CodecException("unknown command tag " + tag);
        }
    }
}
