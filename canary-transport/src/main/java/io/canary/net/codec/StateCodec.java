package io.canary.net.codec;

import io.canary.model.RolloutInfo;
import io.canary.model.RoutingState;
import io.canary.model.Weights;
import io.canary.rollout.RolloutPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Wire form of the routing model: {@link Weights}, {@link RolloutInfo}, {@link RoutingState}. */
final class StateCodec {
    /** A weight on the wire: a string length, at least one byte of name, four of basis points. */
    private static final int MIN_WEIGHT_BYTES = 4 + 1 + 4;
    /** Wire codes of the state's status: explicit, never ordinals (see {@link WireEnum}). */
    static final WireEnum<RoutingState.Status> STATUS = WireEnum.of(RoutingState.Status.class, "state status",
            Map.of(RoutingState.Status.COMMITTED, 1));
    /** Wire codes of a rollout's phase. */
    static final WireEnum<RolloutInfo.Phase> PHASE = WireEnum.of(RolloutInfo.Phase.class, "rollout phase", Map.of(
            RolloutInfo.Phase.NONE, 1,
            RolloutInfo.Phase.PROGRESSING, 2,
            RolloutInfo.Phase.PAUSED, 3,
            RolloutInfo.Phase.COMPLETED, 4,
            RolloutInfo.Phase.ROLLED_BACK, 5,
            RolloutInfo.Phase.ABORTED, 6));

    private StateCodec() {
    }

    /** Weights travel as exact basis points, so every node computes identical buckets. */
    static void writeWeights(WireWriter w, Weights weights) {
        Map<String, Integer> bp = weights.asBasisPoints();
        w.writeInt(bp.size());
        for (Map.Entry<String, Integer> e : bp.entrySet()) {
            w.writeString(e.getKey());
            w.writeInt(e.getValue());
        }
    }

    static Weights readWeights(WireReader r) {
        int n = r.readCount("weights", MIN_WEIGHT_BYTES);
        Map<String, Integer> bp = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String version = r.readString("weights version name");
            int points = r.readInt("weights basis points");
            if (bp.put(version, points) != null) {
                throw new CodecException("weights name version '" + version + "' twice");
            }
        }
        return Decoding.build("weights", () -> Weights.ofBasisPoints(bp));
    }

    static void writeInts(WireWriter w, List<Integer> values) {
        w.writeInt(values.size());
        for (int v : values) {
            w.writeInt(v);
        }
    }

    static List<Integer> readInts(WireReader r, String what) {
        int n = r.readCount(what, 4);
        List<Integer> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            values.add(r.readInt(what));
        }
        return values;
    }

    static void writeRollout(WireWriter w, RolloutInfo info) {
        w.writeString(info.id());
        w.writeString(info.canary());
        writeInts(w, info.steps());
        w.writeInt(info.stepIndex());
        PHASE.write(w, info.phase());
        w.writeString(info.reason());
        // The plan travels with every state a rollout committed, so any successor knows it.
        w.writeByte(info.plan().isPresent() ? 1 : 0);
        if (info.plan().isPresent()) {
            RolloutCodec.writePlan(w, info.plan().get());
        }
        w.writeLong(info.stepStartedAt());
    }

    static RolloutInfo readRollout(WireReader r) {
        String id = r.readString("rollout id");
        String canary = r.readString("rollout canary");
        List<Integer> steps = readInts(r, "rollout steps");
        int stepIndex = r.readInt("rollout step index");
        RolloutInfo.Phase phase = PHASE.read(r);
        String reason = r.readString("rollout reason");
        int hasPlan = r.readUnsignedByte("rollout plan presence");
        if (hasPlan > 1) {
            throw new CodecException("rollout plan presence must be 0 or 1, got " + hasPlan);
        }
        Optional<RolloutPlan> plan = hasPlan == 1 ? Optional.of(RolloutCodec.readPlan(r)) : Optional.empty();
        long stepStartedAt = r.readLong("rollout step started at");
        return Decoding.build("rollout info",
                () -> new RolloutInfo(id, canary, steps, stepIndex, phase, reason, plan, stepStartedAt));
    }

    static void writeState(WireWriter w, RoutingState s) {
        w.writeLong(s.version());
        STATUS.write(w, s.status());
        writeWeights(w, s.weights());
        w.writeString(s.baseline());
        w.writeLong(s.txId());
        w.writeLong(s.committedAt());
        writeRollout(w, s.rollout());
    }

    static RoutingState readState(WireReader r) {
        long version = r.readLong("state version");
        RoutingState.Status status = STATUS.read(r);
        Weights weights = readWeights(r);
        String baseline = r.readString("state baseline");
        long txId = r.readLong("state txId");
        long committedAt = r.readLong("state committedAt");
        RolloutInfo rollout = readRollout(r);
        return Decoding.build("routing state",
                () -> new RoutingState(version, status, weights, baseline, txId, committedAt, rollout));
    }
}
