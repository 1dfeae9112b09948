package io.canary.launcher.client;

/**
 * A failure a command reports as one line and an exit code, never as a stack trace.
 */
public class CliException extends RuntimeException {
    /** Exit code of a command that could not do what it was asked. */
    public static final int FAILED = 1;

    private final int exitCode;

    public CliException(String message) {
        this(message, FAILED);
    }

    public CliException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The node did not answer at all (refused, timed out, unknown host): another node may. */
    public static final class Unreachable extends CliException {
        private final String reason;

        public Unreachable(NodeAddress node, String reason) {
            super(node + " is unreachable: " + reason);
            this.reason = reason;
        }

        /** Why, without the node: e.g. {@code connection refused}. */
        public String reason() {
            return reason;
        }
    }

    /** The node answered with an error status and says why. */
    public static final class Refused extends CliException {
        private final int status;
        private final String error;
        private final String version;

        public Refused(String message, int status, String error, String version) {
            super(message);
            this.status = status;
            this.error = error;
            this.version = version;
        }

        /** The node's own words, from the {@code error} field of its answer. */
        public String error() {
            return error;
        }

        /** For a failed prediction, the version that failed ({@code X-Canary-Version}); else "unknown". */
        public String version() {
            return version;
        }

        /** The HTTP status code. */
        public int status() {
            return status;
        }
    }
}
