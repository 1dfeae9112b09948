package io.canary.launcher;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;

/**
 * The one place where an exception becomes the line a user reads and the exit code a script sees,
 * for every command ({@code canary node} and the client commands alike): {@code canary: <what is
 * wrong>} on stderr, the code from {@link ExitCodes}. No stack trace is printed unless
 * {@code CANARY_DEBUG} is set in the environment.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        Throwable e = unwrap(ex);
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
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
        err.println(prefix(cmd) + parseMessage(ex));
        if (!isBadValue(ex)) {
            // A bad value's line already says what is expected; an unknown option needs the help.
            err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    /**
     * Picocli says "Unmatched argument at index 0: 'nodes'" for a mistyped command; a user needs to
     * read that the command does not exist, which ones do, and the nearest match.
     */
    static String parseMessage(CommandLine.ParameterException ex) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
            return optionFirst(ex.getMessage());
        }
        CommandLine cmd = ex.getCommandLine();
        String first = u.getUnmatched().get(0);
        if (first.startsWith("-")) {
            return ex.getMessage();
        }
        Set<String> commands = new LinkedHashSet<>(cmd.getSubcommands().keySet());
        commands.remove("help");
        if (commands.isEmpty()) {
            return "unexpected argument '" + first + "' (" + cmd.getCommandSpec().qualifiedName()
                    + " takes no such argument)";
        }
        // Picocli suggests something for any word ('bogus' -> 'abort'); only a near miss helps.
        String suggestion = u.getSuggestions().stream().filter(commands::contains)
                .filter(c -> editDistance(c, first) <= Math.max(1, c.length() / 3)).findFirst()
                .map(s -> "; did you mean '" + s + "'?").orElse("");
        return "unknown command '" + first + "' for '" + cmd.getCommandSpec().qualifiedName() + "'" + suggestion
                + " (commands: " + String.join(", ", commands) + ")";
    }

    private static final java.util.regex.Pattern INVALID_OPTION =
            java.util.regex.Pattern.compile("Invalid value for option '(-[^']+)'(?: \\([^)]*\\))?: (.*)", java.util.regex.Pattern.DOTALL);

    /**
     * A converter's message names what is wrong; Picocli wraps it as {@code Invalid value for
     * option '--peers': ...}. Said as {@code --peers: ...}, the line reads like every other one.
     */
    private static boolean isBadValue(CommandLine.ParameterException ex) {
        return ex.getMessage() != null && INVALID_OPTION.matcher(ex.getMessage()).matches();
    }

    static String optionFirst(String message) {
        java.util.regex.Matcher m = message == null ? null : INVALID_OPTION.matcher(message);
        return m != null && m.matches() ? m.group(1) + ": " + m.group(2) : message;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int replace = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(replace, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static int exitCode(Throwable e) {
        if (e instanceof LauncherException le) {
            return le.exitCode();
        }
        if (e instanceof InterruptedException) {
            return ExitCodes.FAILURE;
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
        if (e instanceof InterruptedException) {
            return "interrupted";
        }
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

    /** Every error line starts so, whichever command failed (also a subcommand run on its own). */
    static final String PREFIX = "canary: ";

    private static String prefix(CommandLine cmd) {
        return PREFIX;
    }
}
