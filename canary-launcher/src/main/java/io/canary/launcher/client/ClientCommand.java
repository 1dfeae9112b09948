package io.canary.launcher.client;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the client commands: output goes to picocli's writers (so tests can capture it); a
 * failure is thrown and becomes one line on stderr and an exit code in the same place as for
 * {@code canary node} ({@code ErrorReporter}), never a stack trace.
 */
public abstract class ClientCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    private Map<String, String> env = System.getenv();

    /**
     * Runs the command and returns its exit code ({@link io.canary.launcher.ExitCodes}). To fail,
     * throw: {@link CliException} (or any {@link io.canary.launcher.LauncherException}) with the
     * line the user reads; {@code ErrorReporter} prints it and maps it to the exit code.
     */
    protected abstract int execute() throws Exception;

    @Override
    public final Integer call() throws Exception {
        try {
            return execute();
        } finally {
            // What the command printed before it failed comes before the error line.
            out().flush();
            err().flush();
        }
    }
    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** The environment the command reads ({@code CANARY_NODES}, {@code PEERS_NODE_*}, {@code CANARY_ADMIN_TOKEN}). */
    protected Map<String, String> env() {
        return env;
    }

    /** Replaces the environment the command reads; for tests and for commands that run others. */
    public ClientCommand withEnv(Map<String, String> newEnv) {
        this.env = Map.copyOf(newEnv);
        return this;
    }

    /** A client with the timeout of {@code options}. */
    protected DataPlaneClient client(NodeOptions options) {
        return new DataPlaneClient(options.timeout(), env);
    }
}
