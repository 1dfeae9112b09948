package io.canary.launcher;

import io.canary.NodeConfig;
import io.canary.launcher.node.ReferenceLayout;
import io.canary.rollout.Analysis;
import io.canary.rollout.RolloutPlan;
import java.util.ListResourceBundle;
import java.util.stream.Collectors;

/**
 * The defaults the commands' help shows, computed from the constants the code uses
 * ({@link NodeConfig}, {@link RolloutPlan}, {@link ReferenceLayout}), so that the help text cannot
 * drift from the behaviour. Picocli reads them as {@code ${bundle:KEY}} in option descriptions.
 */
public final class HelpDefaults extends ListResourceBundle {
    @Override
    protected Object[][] getContents() {
        return new Object[][] {
                {"default.prepareTimeout", Durations.format(NodeConfig.DEFAULT_PREPARE_TIMEOUT)},
                {"default.heartbeatInterval", Durations.format(NodeConfig.DEFAULT_HEARTBEAT_INTERVAL)},
                {"default.peerTimeout", Durations.format(NodeConfig.DEFAULT_PEER_TIMEOUT)},
                {"default.healthInterval", Durations.format(NodeConfig.DEFAULT_HEALTH_INTERVAL)},
                {"default.healthWindow", Durations.format(NodeConfig.DEFAULT_HEALTH_WINDOW)},
                {"default.syncTimeout", Durations.format(NodeConfig.DEFAULT_SYNC_TIMEOUT)},
                {"default.requestTimeout", Durations.format(NodeConfig.DEFAULT_REQUEST_TIMEOUT)},
                {"default.rolloutSteps", RolloutPlan.DEFAULT_STEPS.stream().map(String::valueOf).collect(Collectors.joining(","))},
                {"default.rolloutInterval", Durations.format(RolloutPlan.DEFAULT_STEP_INTERVAL)},
                {"default.minRequests", String.valueOf(RolloutPlan.DEFAULT_MIN_REQUESTS)},
                {"default.failureLimit", String.valueOf(RolloutPlan.DEFAULT_FAILURE_LIMIT)},
                {"default.firstDataPort", String.valueOf(ReferenceLayout.FIRST_DATA_PORT)},
                {"default.secondDataPort", String.valueOf(ReferenceLayout.FIRST_DATA_PORT + 1)},
                {"default.firstControlPort", String.valueOf(ReferenceLayout.FIRST_CONTROL_PORT)},
                {"default.lastControlPort", String.valueOf(ReferenceLayout.FIRST_CONTROL_PORT + ReferenceLayout.NODE_IDS.size() - 1)},
                {"default.lastDataPort", String.valueOf(ReferenceLayout.FIRST_DATA_PORT + ReferenceLayout.NODE_IDS.size() - 1)},
                {"default.host", ReferenceLayout.DEFAULT_HOST},
                {"default.alpha", percent(Analysis.DEFAULT.alpha())},
                {"default.promotionRisk", percent(Analysis.DEFAULT.promotionRisk())},
                {"default.errorMargin", percent(Analysis.DEFAULT.errorMarginAbsolute())},
                {"default.errorMarginRelative", percent(Analysis.DEFAULT.errorMarginRelative())},
                {"default.rollbackErrorRatio", number(Analysis.DEFAULT.rollbackErrorRatio())},
                {"default.rollbackErrorFloor", percent(Analysis.DEFAULT.rollbackErrorFloor())},
                {"default.latencyRatio", number(Analysis.DEFAULT.latencyRatio())},
                {"default.quantiles", Analysis.DEFAULT.quantiles().stream().map(HelpDefaults::number).collect(Collectors.joining(","))},
        };
    }

    /** 0.005 as "0.5%" (picocli puts bundle values in after formatting, so one percent sign). */
    private static String percent(double share) {
        return number(share * 100) + "%";
    }

    /** 1.2 as "1.2", 50.0 as "50". */
    private static String number(double v) {
        double r = Math.round(v * 1e9) / 1e9;
        return r == Math.rint(r) ? String.valueOf((long) r) : String.valueOf(r);
    }
}
