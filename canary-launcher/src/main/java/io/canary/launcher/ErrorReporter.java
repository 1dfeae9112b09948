package io.canary.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;

/**
 * The one place where an exception becomes the line a user reads and the exit code a script sees.
 * No stack trace is printed unless {@code CANARY_DEBUG} is set in the environment.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        Throwable e = unwrap(ex);
        PrintWriter err = cmd.getErr();
        err.println(prefix(cmd) + message(e));
        if (System.getenv("CANARY_DEBUG") != null) {
            e.printStackTrace(err);
        }
        err.flush();
        return exitCode(e);
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(prefix(cmd) + ex.getMessage());
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.USAGE;
    }

    static int exitCode(Throwable e) {
        if (e instanceof LauncherException le) {
            return le.exitCode();
        }
        if (e instanceof IllegalArgumentException || e instanceof CommandLine.ParameterException) {
            return ExitCodes.USAGE;
        }
        if (e instanceof IOException || e instanceof UncheckedIOException) {
            return ExitCodes.ENVIRONMENT;
        }
        if (e instanceof RuntimeException && !(e instanceof NullPointerException)
                && !(e instanceof IllegalStateException) && e.getMessage() != null) {
            return ExitCodes.FAILURE;
        }
        return ExitCodes.INTERNAL;
    }

    static String message(Throwable e) {
        if (e instanceof LauncherException || e instanceof IllegalArgumentException) {
            return String.valueOf(e.getMessage());
        }
        String msg = e.getMessage();
        if (msg == null || msg.isBlank()) {
            return "unexpected " + e.getClass().getSimpleName() + " (set CANARY_DEBUG=1 for details)";
        }
        if (exitCode(e) == ExitCodes.INTERNAL) {
            return "unexpected " + e.getClass().getSimpleName() + ": " + msg + " (set CANARY_DEBUG=1 for details)";
        }
        return msg;
    }

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException
                || t instanceof CommandLine.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().root().name() + ": ";
    }
}
