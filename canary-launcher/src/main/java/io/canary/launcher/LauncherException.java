package io.canary.launcher;

/**
 * A failure a user must see as one clear line and an exit code, without a stack trace. Commands
 * and helpers throw it; only {@link CanaryCli} prints it and turns it into the exit code.
 */
public class LauncherException extends RuntimeException {
    private final int exitCode;

    public LauncherException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public LauncherException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** A bad option or input: exit code {@link ExitCodes#USAGE}. */
    public static LauncherException usage(String message) {
        return new LauncherException(ExitCodes.USAGE, message);
    }

    /** The machine refused (port in use, unwritable directory): {@link ExitCodes#ENVIRONMENT}. */
    public static LauncherException environment(String message, Throwable cause) {
        return new LauncherException(ExitCodes.ENVIRONMENT, message, cause);
    }

    /** The operation failed: {@link ExitCodes#FAILURE}. */
    public static LauncherException failure(String message) {
        return new LauncherException(ExitCodes.FAILURE, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
