package io.canary.launcher.client;

import io.canary.launcher.DurationConverter;
import io.canary.launcher.Durations;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code canary load --rps 200 --duration 60s}. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = {"Sends open-loop traffic to POST /predict, spread round-robin over the nodes, prints a progress "
                + "line each second and, at the end, per version: requests, errors and client-side p50/p95/p99.",
                "Open loop: requests leave on schedule whether or not earlier ones answered, so a slow version shows "
                + "its real latency. Exits 1 if no request reached any node."})
public final class LoadCommand extends ClientCommand {
    @Mixin
    NodeOptions nodeOptions;

    @Option(names = "--rps", paramLabel = "N", defaultValue = "100", description = "Requests per second (default: ${DEFAULT-VALUE}).")
    double rps;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long to send (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--keys", paramLabel = "N", defaultValue = "0",
            description = "Distinct sticky keys (user-0 .. user-N-1) sent as X-Canary-Key; 0 sends none, so each request is routed at random (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "256",
            description = "Most requests in flight at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--quiet", description = "Print only the summary.")
    boolean quiet;

    @Override
    protected int execute() throws InterruptedException {
        LoadGenerator.Plan plan = new LoadGenerator.Plan(rps, duration, keys, concurrency);
        List<NodeAddress> nodes = nodeOptions.resolve(env());
        LoadGenerator generator = new LoadGenerator(client(nodeOptions), nodes, plan, nodeOptions.timeout());
        out().println("Sending " + Formats.trimmed(rps) + " req/s for " + Durations.format(duration) + " to "
                + String.join(", ", nodes.stream().map(NodeAddress::toString).toList()));
        out().flush();
        long start = System.nanoTime();
        LoadStats stats = generator.run(p -> {
            if (!quiet) {
                out().println(LoadGenerator.progressLine(p));
                out().flush();
            }
        }, () -> false);
        out().println();
        out().print(stats.summary((System.nanoTime() - start) / 1e9));
        if (stats.answeredCount() == 0 && stats.sentCount() > 0) {
            throw new CliException("no request reached a node: are they running? (check with canary query)");
        }
        return 0;
    }
}
