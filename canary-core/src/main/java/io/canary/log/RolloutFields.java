package io.canary.log;

import io.canary.health.VersionStats;
import io.canary.model.RolloutInfo;
import io.canary.rollout.Analysis;
import io.canary.rollout.JudgeKind;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.StepTimeout;
import io.canary.rollout.Thresholds;
import io.canary.rollout.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The rollout half of {@link LogRecordFormat}: a state's rollout, a rollout's plan and a step's verdict, written as
 * {@code key=value} fields and read back. Apart because these are the fields that grow with every judge option, while
 * the record kinds and the routing state around them change rarely.
 *
 * <p>Fields added after a format was first written are optional on reading and take the defaults they had before
 * (older lines stay readable). Threading: stateless; safe from any thread.
 */
final class RolloutFields {
    private RolloutFields() {
    }

    static void rollout(StringBuilder sb, RolloutInfo r) {
        if (isNone(r)) {
            sb.append(" rollout=").append(LogText.ABSENT);
            return;
        }
        LogText.field(sb, "rollout", r.id());
        LogText.field(sb, "canary", r.canary());
        sb.append(" steps=").append(steps(r.steps()));
        sb.append(" step=").append(r.stepIndex());
        sb.append(" phase=").append(r.phase().name());
        LogText.field(sb, "note", r.reason());
        if (r.plan().isPresent()) {
            sb.append(" stepAt=").append(r.stepStartedAt());
            plan(sb, r.plan().get(), "plan.");
        }
    }

    /**
     * {@code r.equals(RolloutInfo.NONE)}, field by field: the record's generated equals (an invokedynamic
     * site) was ~8% of a member's protocol thread at 100 nodes (BENCHMARKS §5f), asked twice per commit.
     */
    private static boolean isNone(RolloutInfo r) {
        RolloutInfo none = RolloutInfo.NONE;
        return r == none || (r.stepIndex() == none.stepIndex() && r.stepStartedAt() == none.stepStartedAt()
                && r.phase() == none.phase() && r.id().equals(none.id()) && r.canary().equals(none.canary())
                && r.reason().equals(none.reason()) && r.steps().equals(none.steps()) && r.plan().equals(none.plan()));
    }

    static RolloutInfo rollout(LogText.Fields f) {
        if (f.isAbsent("rollout")) {
            return RolloutInfo.NONE;
        }
        // States written before plans were replicated have no plan fields.
        Optional<RolloutPlan> plan = f.has("plan.baseline") ? Optional.of(plan(f, "plan.")) : Optional.empty();
        return new RolloutInfo(f.string("rollout"), f.string("canary"), steps(f, "steps"), f.intValue("step"),
                f.parse("phase", RolloutInfo.Phase::valueOf), f.string("note"), plan,
                f.has("stepAt") ? f.longValue("stepAt") : 0);
    }

    private static String steps(List<Integer> steps) {
        StringBuilder sb = new StringBuilder();
        for (int s : steps) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(s);
        }
        return sb.toString();
    }

    private static List<Integer> steps(LogText.Fields f, String key) {
        List<Integer> steps = new ArrayList<>();
        for (String s : LogText.split(f.raw(key), ',')) {
            steps.add(Integer.parseInt(s));
        }
        return steps;
    }

    /** A plan's fields, each key prefixed (a plan inside a state's rollout uses "plan."). */
    static void plan(StringBuilder sb, RolloutPlan p, String k) {
        LogText.field(sb, k + "baseline", p.baseline());
        LogText.field(sb, k + "canary", p.canary());
        sb.append(' ').append(k).append("steps=").append(steps(p.steps()));
        sb.append(' ').append(k).append("interval=").append(p.stepInterval());
        sb.append(' ').append(k).append("minRequests=").append(p.minRequests());
        Thresholds t = p.thresholds();
        optional(sb, k + "maxErrorRate", t.maxErrorRate());
        optional(sb, k + "maxErrorRateDelta", t.maxErrorRateDelta());
        optional(sb, k + "maxP95Ms", t.maxP95Ms());
        optional(sb, k + "maxP95Ratio", t.maxP95Ratio());
        sb.append(' ').append(k).append("failureLimit=").append(p.failureLimit());
        sb.append(' ').append(k).append("maxStep=").append(p.maxStepDuration());
        sb.append(' ').append(k).append("onTimeout=").append(p.onStepTimeout().name());
        sb.append(' ').append(k).append("judge=").append(p.judge().name());
        Analysis a = p.analysis();
        sb.append(' ').append(k).append("alpha=").append(a.alpha());
        sb.append(' ').append(k).append("promotionRisk=").append(a.promotionRisk());
        sb.append(' ').append(k).append("errorMarginRelative=").append(a.errorMarginRelative());
        sb.append(' ').append(k).append("errorMarginAbsolute=").append(a.errorMarginAbsolute());
        sb.append(' ').append(k).append("latencyRatio=").append(a.latencyRatio());
        StringBuilder qs = new StringBuilder();
        for (double q : a.quantiles()) {
            qs.append(qs.length() > 0 ? "," : "").append(q);
        }
        sb.append(' ').append(k).append("quantiles=").append(qs);
        sb.append(' ').append(k).append("rollbackErrorRatio=").append(a.rollbackErrorRatio());
        sb.append(' ').append(k).append("rollbackErrorFloor=").append(a.rollbackErrorFloor());
        sb.append(' ').append(k).append("shadowMirror=").append(p.shadowMirrorPercent());
    }

    /** A plan; fields added with sequential analysis take their defaults when absent (older lines). */
    static RolloutPlan plan(LogText.Fields f, String k) {
        Thresholds t = new Thresholds(optional(f, k + "maxErrorRate"), optional(f, k + "maxErrorRateDelta"),
                optional(f, k + "maxP95Ms"), optional(f, k + "maxP95Ratio"));
        String baseline = f.string(k + "baseline");
        String canary = f.string(k + "canary");
        List<Integer> steps = steps(f, k + "steps");
        Duration interval = f.parse(k + "interval", Duration::parse);
        long minRequests = f.longValue(k + "minRequests");
        int failureLimit = f.intValue(k + "failureLimit");
        if (!f.has(k + "judge")) {
            return new RolloutPlan(baseline, canary, steps, interval, minRequests, t, failureLimit);
        }
        List<Double> quantiles = new ArrayList<>();
        for (String q : LogText.split(f.raw(k + "quantiles"), ',')) {
            quantiles.add(Double.parseDouble(q));
        }
        Analysis a = new Analysis(f.doubleValue(k + "alpha"), f.doubleValue(k + "promotionRisk"),
                f.doubleValue(k + "errorMarginRelative"), f.doubleValue(k + "errorMarginAbsolute"),
                f.doubleValue(k + "latencyRatio"), quantiles);
        if (f.has(k + "rollbackErrorRatio")) {
            // Lines written before the rollback margins existed keep their defaults.
            a = a.withRollbackMargins(f.doubleValue(k + "rollbackErrorRatio"), f.doubleValue(k + "rollbackErrorFloor"));
        }
        return new RolloutPlan(baseline, canary, steps, interval, minRequests, t,
                failureLimit, f.parse(k + "maxStep", Duration::parse), f.parse(k + "onTimeout", StepTimeout::valueOf),
                f.parse(k + "judge", JudgeKind::valueOf), a, f.has(k + "shadowMirror") ? f.intValue(k + "shadowMirror") : 0);
    }

    private static void optional(StringBuilder sb, String key, OptionalDouble v) {
        sb.append(' ').append(key).append('=').append(v.isPresent() ? Double.toString(v.getAsDouble()) : LogText.ABSENT);
    }

    private static OptionalDouble optional(LogText.Fields f, String key) {
        return f.isAbsent(key) ? OptionalDouble.empty() : OptionalDouble.of(f.parse(key, Double::parseDouble));
    }

    static void verdict(StringBuilder sb, Verdict v) {
        sb.append(" decision=").append(v.decision().name());
        sb.append(" step=").append(v.stepIndex());
        sb.append(" at=").append(v.at());
        LogText.field(sb, "reason", v.reason());
        stats(sb, "baseline", v.baseline());
        stats(sb, "canary", v.canary());
    }

    static Verdict verdict(LogText.Fields f) {
        return new Verdict(f.parse("decision", Verdict.Decision::valueOf), f.string("reason"), f.intValue("step"),
                f.longValue("at"), stats(f, "baseline"), stats(f, "canary"));
    }

    private static void stats(StringBuilder sb, String prefix, VersionStats s) {
        sb.append(' ').append(prefix).append('=').append(s.version() == null ? LogText.ABSENT : LogText.quote(s.version()));
        sb.append(' ').append(prefix).append(".requests=").append(s.requests());
        sb.append(' ').append(prefix).append(".errors=").append(s.errors());
        sb.append(' ').append(prefix).append(".errorRate=").append(s.errorRate());
        sb.append(' ').append(prefix).append(".p50=").append(s.p50Ms());
        sb.append(' ').append(prefix).append(".p95=").append(s.p95Ms());
        sb.append(' ').append(prefix).append(".p99=").append(s.p99Ms());
    }

    private static VersionStats stats(LogText.Fields f, String prefix) {
        return new VersionStats(f.isAbsent(prefix) ? null : f.string(prefix),
                f.longValue(prefix + ".requests"), f.longValue(prefix + ".errors"),
                f.doubleValue(prefix + ".errorRate"), f.doubleValue(prefix + ".p50"),
                f.doubleValue(prefix + ".p95"), f.doubleValue(prefix + ".p99"));
    }
}
