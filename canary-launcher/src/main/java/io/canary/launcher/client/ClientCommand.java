package io.canary.launcher.client;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the client commands: output goes to picocli's writers (so tests can capture it), and a
 * failure becomes one line on stderr and an exit code, never a stack trace.
 */
public abstract class ClientCommand implements Callable<Integer> {
    /** Exit code of a command used wrongly (bad option values). */
    public static final int USAGE = 2;
    /** Exit code of a bug: something no user input should cause. */
    public static final int INTERNAL = 70;

    @Spec
    CommandSpec spec;

    private Map<String, String> env = System.getenv();

    /** Runs the command; throw {@link CliException} to fail with a message. */
    protected abstract int execute() throws Exception;

    @Override
    public final Integer call() {
        try {
            return execute();
        } catch (CliException e) {
            err().println("error: " + e.getMessage());
            return e.exitCode();
        } catch (io.canary.launcher.LauncherException e) {
            err().println("error: " + e.getMessage());
            return e.exitCode();
        } catch (IllegalArgumentException e) {
            err().println("error: " + e.getMessage());
            return USAGE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err().println("error: interrupted");
            return CliException.FAILED;
        } catch (Exception e) {
            err().println("error: unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + " (please report this)");
            return INTERNAL;
        } finally {
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
