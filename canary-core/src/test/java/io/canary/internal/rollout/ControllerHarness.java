package io.canary.internal.rollout;

import io.canary.ClusterHealth;
import io.canary.health.HistogramSnapshot;
import io.canary.health.LatencyHistogram;
import io.canary.health.VersionHealth;
import io.canary.log.LogRecord;
import io.canary.model.RoutingState;
import io.canary.rollout.Judge;
import io.canary.rollout.RolloutAction;
import io.canary.rollout.RolloutPlan;
import io.canary.rollout.Verdict;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs a {@link RolloutController}'s effects in a tiny virtual world: proposals commit at once
 * (unless a test makes them fail), verdicts and log records are kept, time moves only when told.
 */
final class ControllerHarness {
    static final Duration RETRY = Duration.ofMillis(200);
    static final Duration MAX_PAUSE = Duration.ofHours(1);

    long now = 1_000_000;
    RoutingState committed = RoutingState.initial("v1", "v2");
    final List<RoutingState> history = new ArrayList<>();
    final List<LogRecord> log = new ArrayList<>();
    final List<Verdict> verdicts = new ArrayList<>();
    final List<Long> healthAskedSince = new ArrayList<>();
    final List<Long> judgedAt = new ArrayList<>();
    final Deque<String> proposalFailures = new ArrayDeque<>();
    /** Decides which proposals fail: returns a reason, or null to commit. */
    Function<RolloutEffect.Propose, String> failure = p -> null;
    Function<Integer, Verdict.Decision> decisions = step -> Verdict.Decision.PROMOTE;
    String lastOutcome = "";
    RolloutController controller;

    ControllerHarness() {
        controller = newController();
    }

    RolloutController newController() {
        Judge judge = (plan, step, baseline, canary, at) -> {
            judgedAt.add(at);
            return new Verdict(decisions.apply(step), "fake verdict", step, at, baseline.stats(), canary.stats());
        };
        return new RolloutController(judge, this::health, RETRY, MAX_PAUSE);
    }

    private ClusterHealth health(long since) {
        healthAskedSince.add(since);
        LatencyHistogram h = new LatencyHistogram();
        h.record(10_000_000);
        HistogramSnapshot s = h.snapshot();
        return new ClusterHealth(now, List.of("node-a"), Map.of("v1", new VersionHealth("v1", 1, 0, s),
                "v2", new VersionHealth("v2", 1, 0, s)));
    }

    static RolloutPlan plan() {
        return RolloutPlan.builder("v1", "v2").stepInterval(Duration.ofSeconds(30)).build();
    }

    CommandResult start(RolloutPlan plan) {
        CommandResult r = controller.start(plan, committed, now);
        run(r);
        return r;
    }

    CommandResult control(RolloutAction action) {
        CommandResult r = controller.control(action, committed, now);
        run(r);
        return r;
    }

    /** Moves time on, ticking every 100 ms like a timer would. */
    void advance(Duration d) {
        long end = now + d.toMillis();
        while (now < end) {
            now = Math.min(end, now + 100);
            run(controller.tick(now));
        }
    }

    void restartController(List<LogRecord> replayed) {
        controller = newController();
        run(controller.restore(committed, replayed, now));
    }

    private void run(CommandResult r) {
        if (r instanceof CommandResult.Rejected rej) {
            lastOutcome = "rejected: " + rej.reason();
        } else {
            lastOutcome = "";
        }
        run(r.effects());
    }

    void run(List<RolloutEffect> effects) {
        for (RolloutEffect e : effects) {
            if (e instanceof RolloutEffect.Append a) {
                log.add(a.record());
            } else if (e instanceof RolloutEffect.Publish p) {
                log.add(new LogRecord.RolloutVerdict(p.rolloutId(), p.verdict()));
                verdicts.add(p.verdict());
            } else if (e instanceof RolloutEffect.Propose p) {
                execute(p);
            }
        }
    }

    private void execute(RolloutEffect.Propose p) {
        String reason = failure.apply(p);
        RoutingState proposed;
        if (reason == null) {
            try {
                proposed = p.change().apply(committed);
            } catch (IllegalStateException ex) {
                reason = ex.getMessage();
                proposed = null;
            }
        } else {
            proposed = null;
        }
        if (reason != null) {
            lastOutcome = "failed: " + reason;
            run(controller.onProposalFailed(p.id(), reason, now));
            return;
        }
        committed = committed.next(proposed.weights(), proposed.baseline(), proposed.rollout(), committed.txId() + 1, now);
        history.add(committed);
        log.add(new LogRecord.Committed(committed.txId(), committed));
        run(controller.onCommitted(committed, now));
        run(controller.onProposalCommitted(p.id(), committed, now));
    }

    List<Integer> percentsCommitted() {
        List<Integer> out = new ArrayList<>();
        for (RoutingState s : history) {
            out.add(s.rollout().currentPercent());
        }
        return out;
    }
}
