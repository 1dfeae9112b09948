package io.canary.launcher;

import io.canary.launcher.client.DemoCommand;
import io.canary.launcher.client.LoadCommand;
import io.canary.launcher.client.LogCommand;
import io.canary.launcher.client.QueryCommand;
import io.canary.launcher.client.RolloutCommand;
import io.canary.launcher.client.SecretCommand;
import io.canary.launcher.client.WeightsCommand;
import io.canary.launcher.node.NodeCommand;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The {@code canary} command. {@link #main} is the only place in the launcher that exits the JVM;
 * every failure reaches it as an exception that {@link ErrorReporter} turns into one line on stderr
 * and an exit code from {@link ExitCodes}.
 */
@Command(name = "canary",
        mixinStandardHelpOptions = true,
        versionProvider = CanaryCli.Version.class,
        description = "Canary: a distributed canary-deployment control plane.%n"
                + "Nodes agree on traffic weights through two-phase commit, measure every version's "
                + "latency and errors, and roll a canary out step by step.",
        subcommands = {
                NodeCommand.class,
                QueryCommand.class,
                WeightsCommand.class,
                RolloutCommand.class,
                LoadCommand.class,
                DemoCommand.class,
                LogCommand.class,
                SecretCommand.class,
                CommandLine.HelpCommand.class
        },
        footerHeading = "%nExit codes:%n",
        footer = {
                // From ExitCodes, the one table every command's failures map to.
                "  " + ExitCodes.OK + "    success",
                "  " + ExitCodes.FAILURE + "    the operation failed (node unreachable, nodes disagree, proposal aborted)",
                "  " + ExitCodes.USAGE + "    bad options or input",
                "  " + ExitCodes.ENVIRONMENT + "    the machine refused (port in use, unwritable data directory)",
                "  " + ExitCodes.DAMAGED_LOG + "    'canary node': the state log is damaged (the line names file and line)",
                "  " + ExitCodes.INTERNAL + "   a bug in canary (the line names it)",
                "  143  'canary node' stopped by SIGTERM after a clean shutdown (130 after Ctrl+C)"
        })
public final class CanaryCli implements Callable<Integer> {


    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        quietJdkLogging();
        int code = run(args);
        System.exit(code);
    }

    /**
     * The core logs through {@link System.Logger}, which lands in java.util.logging: one line per
     * record on stderr, without stack traces unless {@code CANARY_DEBUG} is set (a user reads one
     * clear line; a developer asks for the rest).
     */
    private static void quietJdkLogging() {
        if (System.getProperty("java.util.logging.config.file") == null
                && System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", System.getenv("CANARY_DEBUG") != null
                    ? "[%4$s] %3$s: %5$s%6$s%n" : "[%4$s] %3$s: %5$s%n");
        }
    }

    /** Runs the command line with the process's stdout and stderr; returns the exit code. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** Runs the command line writing to the given streams; returns the exit code (for tests). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cmd = commandLine();
        cmd.setOut(out);
        cmd.setErr(err);
        return cmd.execute(args);
    }

    /** A fresh, fully configured command line (error handling, converters, case rules). */
    public static CommandLine commandLine() {
        return configure(new CommandLine(new CanaryCli()));
    }

    /**
     * A command line for one command object on its own (a subcommand run without the root, as tests
     * and the demo do), with the same converters and the same error path as {@code canary}.
     */
    public static CommandLine commandLine(Object command) {
        return configure(new CommandLine(command));
    }

    private static CommandLine configure(CommandLine cmd) {
        ErrorReporter reporter = new ErrorReporter();
        cmd.registerConverter(java.time.Duration.class, new DurationConverter());
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setExecutionExceptionHandler(reporter);
        cmd.setParameterExceptionHandler(reporter);
        return cmd;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.USAGE;
    }

    /** The version from the jar's manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = CanaryCli.class.getPackage().getImplementationVersion();
            return new String[] {"canary " + (v != null ? v : "development build")};
        }
    }
}
