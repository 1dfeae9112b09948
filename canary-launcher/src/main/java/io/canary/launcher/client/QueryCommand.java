package io.canary.launcher.client;

import io.canary.launcher.ExitCodes;
import io.canary.launcher.client.QueryReport.NodeResult;
import io.canary.launcher.http.api.ClusterView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code canary query}: every node's routing state, health and one routed prediction. */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = {"Shows every node's committed routing state (version, status, weights), its health snapshot "
                + "(p95, error rate) and where one prediction was routed, as the deployment guide shows.",
                "Exits 1 if a node is unreachable or the nodes disagree on the committed state."})
public final class QueryCommand extends ClientCommand {
    /** A commit reaches the nodes a few milliseconds apart: look again before calling it a disagreement. */
    private static final int AGREEMENT_RECHECKS = 3;
    private static final long RECHECK_PAUSE_NANOS = 300_000_000L;

    @Mixin
    NodeOptions nodeOptions;

    @Option(names = "--key", paramLabel = "KEY",
            description = "Sticky key of the sample prediction (default: none, routed at random).")
    String key;

    @Override
    protected int execute() {
        List<NodeAddress> nodes = nodeOptions.resolve(env());
        DataPlaneClient client = client(nodeOptions);
        List<NodeResult> results = new ArrayList<>();
        for (NodeAddress node : nodes) {
            results.add(query(client, node));
        }
        QueryReport report = new QueryReport(results);
        for (int i = 0; i < AGREEMENT_RECHECKS && disagreesOnly(report); i++) {
            LockSupport.parkNanos(RECHECK_PAUSE_NANOS);
            report = new QueryReport(refreshStates(client, results));
        }
        out().print(report.render());
        return report.problems().isEmpty() ? 0 : ExitCodes.FAILURE;
    }

    private NodeResult query(DataPlaneClient client, NodeAddress node) {
        try {
            return new NodeResult(node, client.state(node), client.health(node), client.predict(node, key), null,
                    coordination(client, node));
        } catch (CliException.Unreachable e) {
            return NodeResult.unreachable(node, e.reason());
        } catch (CliException e) {
            return NodeResult.unreachable(node, e.getMessage());
        }
    }

    /** Who the node says coordinates ({@code /cluster}); null if it cannot say, which only drops that line. */
    private static ClusterView coordination(DataPlaneClient client, NodeAddress node) {
        try {
            return client.cluster(node);
        } catch (CliException e) {
            return null;
        }
    }

    private static boolean disagreesOnly(QueryReport report) {
        return !report.problems().isEmpty() && report.problems().stream().noneMatch(p -> p.contains("unreachable"));
    }

    private static List<NodeResult> refreshStates(DataPlaneClient client, List<NodeResult> results) {
        List<NodeResult> refreshed = new ArrayList<>();
        for (NodeResult r : results) {
            try {
                refreshed.add(new NodeResult(r.node(), client.state(r.node()), r.health(), r.prediction(), null, r.cluster()));
            } catch (CliException e) {
                refreshed.add(NodeResult.unreachable(r.node(), e.getMessage()));
            }
        }
        return refreshed;
    }
}
