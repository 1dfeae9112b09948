package io.canary.launcher.client;

import io.canary.launcher.DurationConverter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code canary rollout status [--watch]}. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows the rollout: a step progress bar, the current health of baseline and canary merged over "
                + "the cluster, and the last verdicts with their reasons.",
                "With --watch it refreshes until the rollout ends (or Ctrl+C) and then exits 0 if it completed, "
                + "1 if it was rolled back or aborted."})
public final class RolloutStatusCommand extends ClientCommand {
    @Mixin
    NodeOptions nodeOptions;

    @Mixin
    TargetNode target;

    @Option(names = "--watch", description = "Refresh until the rollout ends.")
    boolean watch;

    @Option(names = "--every", paramLabel = "DURATION", defaultValue = "1s", converter = DurationConverter.class,
            description = "Refresh period with --watch (default: ${DEFAULT-VALUE}).")
    Duration every;

    @Option(names = "--verdicts", paramLabel = "N", defaultValue = "5", description = "How many recent verdicts to show (default: ${DEFAULT-VALUE}).")
    int verdicts;

    @Override
    protected int execute() throws InterruptedException {
        DataPlaneClient client = client(nodeOptions);
        NodeAddress node = target.call(nodeOptions.resolve(env()), n -> {
            client.state(n);
            return n;
        }).value();
        if (every.isZero() || every.isNegative()) {
            throw new IllegalArgumentException("--every must be positive");
        }
        RolloutWatcher watcher = new RolloutWatcher(client, node, out(), every, System.console() != null);
        if (!watch) {
            out().print(watcher.page(verdicts));
            return 0;
        }
        return watcher.watch();
    }
}
