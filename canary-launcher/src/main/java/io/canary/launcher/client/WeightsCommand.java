package io.canary.launcher.client;

import io.canary.launcher.ExitCodes;
import io.canary.launcher.KeyValues;
import io.canary.launcher.http.api.StateView;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code canary weights}: changes the traffic split through two-phase commit. */
@Command(name = "weights", mixinStandardHelpOptions = true,
        description = "Changes the traffic split between versions; every node agrees through two-phase commit.",
        subcommands = WeightsCommand.Set.class)
public final class WeightsCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "say what to do, e.g. canary weights set v1=0.9 v2=0.1");
    }

    /** {@code canary weights set v1=0.9 v2=0.1}. */
    @Command(name = "set", mixinStandardHelpOptions = true,
            description = {"Proposes new weights through any node (it forwards to the coordinator) and waits for the "
                    + "two-phase commit. Prints the committed state, or why the change aborted (exit 1).",
                    "Raising a canary's share needs a YES from every node; lowering it needs every reachable node."})
    public static final class Set extends ClientCommand {
        @Mixin
        NodeOptions nodeOptions;

        @Mixin
        TargetNode target;

        @Parameters(arity = "1..*", paramLabel = "VERSION=SHARE",
                description = "Shares summing to 1, e.g. v1=0.9 v2=0.1 (or v1=90%% v2=10%%).")
        List<String> shares;

        @Override
        protected int execute() {
            Map<String, Double> weights = KeyValues.parseShares(String.join(",", shares));
            List<NodeAddress> nodes = nodeOptions.resolve(env());
            DataPlaneClient client = client(nodeOptions);
            TargetNode.Answer<StateView> answer;
            try {
                answer = target.call(nodes, node -> client.proposeWeights(node, weights));
            } catch (CliException.Refused e) {
                throw new CliException(explain(e), e.status() == 400 ? ExitCodes.USAGE : ExitCodes.FAILURE);
            }
            StateView s = answer.value();
            out().println("Committed routing state v" + s.version() + " through " + answer.node().nodeId());
            out().println("  Status: " + s.status());
            out().println("  Weights: " + Formats.pyWeights(s.weights()));
            out().println("  Transaction: " + s.txId() + ", committed at " + Formats.clock(s.committedAt()));
            return 0;
        }
    }

    /** A one-line reason for each way a change can fail. */
    static String explain(CliException.Refused e) {
        String error = e.error();
        String lower = error.toLowerCase(java.util.Locale.ROOT);
        return switch (e.status()) {
            case 400 -> lower.startsWith("invalid") ? error : "invalid weights: " + error;
            case 409 -> lower.contains("abort") ? error : "the change aborted: " + error;
            case 504 -> (lower.startsWith("no decision") ? error : "no decision in time: " + error)
                    + " (it may still commit: check with canary query)";
            default -> e.getMessage();
        };
    }
}
