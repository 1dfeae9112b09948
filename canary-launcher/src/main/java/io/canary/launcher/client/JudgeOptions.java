package io.canary.launcher.client;

import io.canary.launcher.KeyValues;
import io.canary.launcher.ParsingConverter;
import io.canary.launcher.http.api.RolloutRequest;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The sequential judge's settings of {@code canary rollout start}: the false-rollback rate, the
 * promotion risk and the practical margins (io.canary.rollout.Analysis says what each means and why
 * its default). Unset ones (null) take the plan's defaults on the node. Rates and shares are given as
 * {@code 0.05} or {@code 5%}.
 */
public final class JudgeOptions {
    /** Each JSON field of the settings and its flag, to word a bad value as the user typed it. */
    private static final Map<String, String> FLAGS = Map.of("alpha", "--alpha", "promotionRisk", "--promotion-risk",
            "errorMargin", "--error-margin", "errorMarginRelative", "--error-margin-relative", "rollbackErrorRatio",
            "--rollback-error-ratio", "rollbackErrorFloor", "--rollback-error-floor", "latencyRatio", "--latency-ratio",
            "quantiles", "--quantiles");

    @Option(names = "--alpha", paramLabel = "RATE", converter = RateConverter.class,
            description = "Sequential judge: the chance of rolling back a healthy canary over the whole rollout, "
                    + "however often it is analysed (default: ${bundle:default.alpha}).")
    Double alpha;

    @Option(names = "--promotion-risk", paramLabel = "RATE", converter = RateConverter.class,
            description = "Sequential judge: the highest chance that a canary right at a promotion margin passes "
                    + "a step (default: ${bundle:default.promotionRisk}).")
    Double promotionRisk;

    @Option(names = "--error-margin", paramLabel = "RATE", converter = RateConverter.class,
            description = "Sequential judge, promotion: extra canary error rate tolerated, in points of requests "
                    + "(default: ${bundle:default.errorMargin}); the larger of it and --error-margin-relative applies.")
    Double errorMargin;

    @Option(names = "--error-margin-relative", paramLabel = "SHARE", converter = RateConverter.class,
            description = "Sequential judge, promotion: extra canary error rate tolerated, as a share of the "
                    + "baseline's rate (default: ${bundle:default.errorMarginRelative}: 1%% may become 1.5%%).")
    Double errorMarginRelative;

    @Option(names = "--rollback-error-ratio", paramLabel = "RATIO",
            description = "Sequential judge, rollback: roll back once the canary's error odds are shown above this "
                    + "multiple of the baseline's (default: ${bundle:default.rollbackErrorRatio}; at most "
                    + "1 + --error-margin-relative when only that is given).")
    Double rollbackErrorRatio;

    @Option(names = "--rollback-error-floor", paramLabel = "RATE", converter = RateConverter.class,
            description = "Sequential judge, rollback: and only once the canary's observed error rate is at least "
                    + "this many points above the baseline's (default: ${bundle:default.rollbackErrorFloor}).")
    Double rollbackErrorFloor;

    @Option(names = "--latency-ratio", paramLabel = "RATIO",
            description = "Sequential judge: each latency quantile of the canary tolerated up to this multiple of "
                    + "the baseline's (default: ${bundle:default.latencyRatio}).")
    Double latencyRatio;

    @Option(names = "--quantiles", split = ",", paramLabel = "Q",
            description = "Sequential judge: the latency quantiles compared, in (0,1), increasing "
                    + "(default: ${bundle:default.quantiles}).")
    List<Double> quantiles;

    /**
     * Checks the settings as the node will, so a bad value is one line naming the flag before any
     * request is sent.
     *
     * @throws IllegalArgumentException naming the flag and the bad value
     */
    void check(RolloutRequest body) {
        try {
            body.analysis();
        } catch (RolloutRequest.BadSetting e) {
            String flag = FLAGS.getOrDefault(e.field(), e.field());
            String problem = e.getMessage().substring(e.getMessage().indexOf(": ") + 2);
            // "rollbackErrorRatio must be ..." -> "--rollback-error-ratio must be ..."
            int space = problem.indexOf(' ');
            throw new IllegalArgumentException(flag + (space > 0 ? problem.substring(space) : ": " + problem));
        }
    }

    /** {@code 0.05} or {@code 5%} as 0.05. */
    public static final class RateConverter extends ParsingConverter<Double> {
        public RateConverter() {
            super(KeyValues::parseShare, value -> "'" + value + "' is not a rate: use e.g. 0.05 or 5%");
        }
    }
}
