package io.canary.launcher.client;

import io.canary.launcher.ExitCodes;
import io.canary.launcher.DurationConverter;
import io.canary.launcher.Durations;
import io.canary.launcher.ParsingConverter;
import io.canary.launcher.http.api.RolloutRequest;
import io.canary.launcher.http.api.StateView;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code canary rollout start --canary v2 ...}. */
@Command(name = "start", mixinStandardHelpOptions = true, resourceBundle = "io.canary.launcher.HelpDefaults",
        description = {"Starts a progressive rollout of a canary version and waits until its first step is committed "
                + "on every node.",
                "A step lasts at least --interval and at most --max-step. The default sequential judge analyses the "
                + "step's traffic, merged over all nodes, at every health exchange: it rolls back the moment the "
                + "canary is shown worse than the baseline beyond the rollback margins, and promotes once the step "
                + "lasted --interval and the canary is shown within the promotion margins (with --min-requests "
                + "requests of each version at least; at --max-step with one last fixed-sample look); a step still "
                + "undecided at --max-step ends as --on-step-timeout says. --judge threshold compares the thresholds "
                + "once per --interval instead and rolls back after --failure-limit failed analyses in a row."})
public final class RolloutStartCommand extends ClientCommand {
    @Mixin
    NodeOptions nodeOptions;

    @Mixin
    TargetNode target;

    @Option(names = "--canary", required = true, paramLabel = "VERSION", description = "The version to roll out, e.g. v2.")
    String canary;

    @Option(names = "--baseline", paramLabel = "VERSION", description = "The stable version (default: the current state's baseline).")
    String baseline;

    @Option(names = "--steps", split = ",", paramLabel = "PERCENT", description = "Canary percentages, ending at 100 (default: ${bundle:default.rolloutSteps}).")
    List<Integer> steps;

    @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long each step is analysed, e.g. 30s (default: the node's).")
    Duration interval;

    @Option(names = "--min-requests", paramLabel = "N", description = "Requests each version needs in an analysis before it can pass (default: ${bundle:default.minRequests}).")
    Long minRequests;

    @Option(names = "--max-error-rate", paramLabel = "RATE", converter = JudgeOptions.RateConverter.class,
            description = "Highest canary error rate, e.g. 0.05 or 5%%.")
    Double maxErrorRate;

    @Option(names = "--max-error-rate-delta", paramLabel = "RATE", converter = JudgeOptions.RateConverter.class,
            description = "Highest canary error rate above the baseline's, e.g. 0.02 or 2%%.")
    Double maxErrorRateDelta;

    @Option(names = "--max-p95", paramLabel = "LATENCY", converter = MillisConverter.class,
            description = "Highest canary p95 latency, e.g. 250ms.")
    Double maxP95Ms;

    @Option(names = "--max-p95-ratio", paramLabel = "RATIO", description = "Highest canary p95 as a multiple of the baseline's, e.g. 1.5.")
    Double maxP95Ratio;

    @Option(names = "--failure-limit", paramLabel = "N", description = "Failed analyses in a row that trigger a rollback (default: ${bundle:default.failureLimit}).")
    Integer failureLimit;

    @Option(names = "--judge", paramLabel = "KIND", description = "sequential (default: anytime-valid, analysed at every health exchange) or threshold (the thresholds above, once per interval; the default when --max-error-rate-delta, --max-p95-ratio or --failure-limit is given).")
    String judge;

    @Option(names = "--max-step", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Longest a step may hold before --on-step-timeout applies (default 15m).")
    Duration maxStep;

    @Option(names = "--on-step-timeout", paramLabel = "ACTION", description = "roll_back (default) or pause, for a step still undecided at --max-step.")
    String onStepTimeout;

    @Mixin
    JudgeOptions judgeOptions = new JudgeOptions();

    @Option(names = "--shadow", paramLabel = "SHARE", converter = JudgeOptions.RateConverter.class,
            description = "Begin with a shadow step: no user on the canary, this share of the baseline's requests "
                    + "mirrored to it (by proxies started with --proxy-port) and analysed, e.g. 10%%; then --steps.")
    Double shadow;

    @Option(names = "--watch", description = "Then follow the rollout until it ends, as rollout status --watch.")
    boolean watch;

    @Override
    protected int execute() throws InterruptedException {
        RolloutRequest body = requestBody();
        DataPlaneClient client = client(nodeOptions);
        TargetNode.Answer<StateView> answer;
        try {
            answer = target.call(nodeOptions.resolve(env()), node -> client.startRollout(node, body));
        } catch (CliException.Refused e) {
            throw new CliException("cannot start the rollout: " + e.error() + " (HTTP " + e.status() + ")"
                    + (e.status() == 504 ? "; it may still start: check with canary rollout status" : ""),
                    e.status() == 400 ? ExitCodes.USAGE : ExitCodes.FAILURE);
        }
        StateView s = answer.value();
        out().println("Rollout started through " + answer.node().nodeId() + ": " + canary + " at its first step.");
        out().println(RolloutFormat.progressBar(s.rollout(), RolloutFormat.canaryPercent(s.rollout(), s)));
        out().println("  Routing state v" + s.version() + ": " + Formats.percentWeights(s.weights()));
        if (!watch) {
            out().println("Follow it with: canary rollout status --watch");
            return 0;
        }
        out().flush();
        return new RolloutWatcher(client, answer.node(), out(), Duration.ofSeconds(1), false).watch();
    }

    /** {@code POST /rollout}: only the options given (the rest null), so the node's defaults apply to the rest. */
    RolloutRequest requestBody() {
        if (interval != null && (interval.isZero() || interval.isNegative())) {
            throw new IllegalArgumentException("--interval must be positive, got " + Durations.format(interval));
        }
        Double shadowShare = null;
        if (shadow != null) {
            try {
                shadowShare = RolloutRequest.shadowPercent(shadow) / 100.0;
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--shadow: " + e.getMessage());
            }
        }
        JudgeOptions j = judgeOptions;
        RolloutRequest body = new RolloutRequest(canary, baseline, steps, interval == null ? null : Durations.format(interval),
                minRequests, maxErrorRate, maxErrorRateDelta, maxP95Ms, maxP95Ratio, failureLimit, judge,
                maxStep == null ? null : Durations.format(maxStep), onStepTimeout, j.alpha, j.errorMargin,
                j.errorMarginRelative, j.latencyRatio, j.quantiles, shadowShare, j.rollbackErrorRatio, j.rollbackErrorFloor,
                j.promotionRisk);
        j.check(body);
        return body;
    }

    /** {@code 250ms}, {@code 0.25s} or {@code 250} as 250.0 milliseconds. */
    public static final class MillisConverter extends ParsingConverter<Double> {
        public MillisConverter() {
            super(Durations::parseMillis, null);
        }
    }
}
